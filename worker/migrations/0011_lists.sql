CREATE TYPE "public"."list_colour" AS ENUM('grey', 'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink');--> statement-breakpoint
CREATE TABLE "list_tombstones" (
	"user_id" text NOT NULL,
	"list_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"deleted_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "list_tombstones_user_id_list_id_pk" PRIMARY KEY("user_id","list_id")
);
--> statement-breakpoint
CREATE TABLE "lists" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"colour" "list_colour" DEFAULT 'grey' NOT NULL,
	"position" text NOT NULL,
	"inbox" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "lists_user_id_id_key" UNIQUE("user_id","id"),
	CONSTRAINT "lists_name_length" CHECK (char_length("lists"."name") BETWEEN 1 AND 100),
	CONSTRAINT "lists_position_key" CHECK ("lists"."position" ~ '^[A-Za-z][0-9A-Za-z]*$'),
	CONSTRAINT "lists_version_positive" CHECK ("lists"."version" >= 1)
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "list_id" uuid;--> statement-breakpoint
ALTER TABLE "list_tombstones" ADD CONSTRAINT "list_tombstones_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lists" ADD CONSTRAINT "lists_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "list_tombstones_user_seq_idx" ON "list_tombstones" USING btree ("user_id","seq","list_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lists_one_inbox_idx" ON "lists" USING btree ("user_id") WHERE "lists"."inbox";--> statement-breakpoint
CREATE INDEX "lists_user_seq_idx" ON "lists" USING btree ("user_id","seq","id");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_list_fk" FOREIGN KEY ("user_id","list_id") REFERENCES "public"."lists"("user_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tasks_user_list_idx" ON "tasks" USING btree ("user_id","list_id","id");--> statement-breakpoint
-- Every person has an Inbox (docs/decisions/025-lists.md): created with the account by this trigger, whatever
-- path creates it (sign-up, a repaired sign-up, an import), so no request ever has to create it lazily.
CREATE OR REPLACE FUNCTION public.brisk_create_inbox() RETURNS trigger
  LANGUAGE plpgsql
  AS $inbox$
BEGIN
  INSERT INTO "lists" ("id", "user_id", "name", "colour", "position", "inbox")
  VALUES (gen_random_uuid(), NEW."id", 'Inbox', 'grey', 'a0', true);
  RETURN NEW;
END
$inbox$;--> statement-breakpoint
CREATE TRIGGER "user_inbox" AFTER INSERT ON "user" FOR EACH ROW EXECUTE FUNCTION public.brisk_create_inbox();--> statement-breakpoint
-- The accounts older than lists: one change each (so a client syncing from a cursor hears of its Inbox and of
-- every task's new `list`), an Inbox at that change, and every task in it.
INSERT INTO "task_sequences" ("user_id", "seq") SELECT "id", 1 FROM "user"
  ON CONFLICT ("user_id") DO UPDATE SET "seq" = "task_sequences"."seq" + 1;--> statement-breakpoint
INSERT INTO "lists" ("id", "user_id", "name", "colour", "position", "inbox", "seq")
  SELECT gen_random_uuid(), u."id", 'Inbox', 'grey', 'a0', true, s."seq"
  FROM "user" u JOIN "task_sequences" s ON s."user_id" = u."id";--> statement-breakpoint
UPDATE "tasks" t SET "list_id" = l."id", "seq" = l."seq" FROM "lists" l WHERE l."user_id" = t."user_id" AND l."inbox";--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "list_id" SET NOT NULL;--> statement-breakpoint
-- A task written without a list (a row inserted by hand, a tool, a seed script) is in its owner's Inbox, as the API's
-- create does it; a list that is not the owner's still fails on tasks_list_fk.
CREATE OR REPLACE FUNCTION public.brisk_task_inbox() RETURNS trigger
  LANGUAGE plpgsql
  AS $inbox$
BEGIN
  IF NEW."list_id" IS NULL THEN
    SELECT "id" INTO NEW."list_id" FROM "lists" WHERE "user_id" = NEW."user_id" AND "inbox";
  END IF;
  RETURN NEW;
END
$inbox$;--> statement-breakpoint
CREATE TRIGGER "tasks_inbox" BEFORE INSERT ON "tasks" FOR EACH ROW EXECUTE FUNCTION public.brisk_task_inbox();