CREATE TABLE "task_sequences" (
	"user_id" text PRIMARY KEY NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	"pruned_through" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "task_tombstones" (
	"user_id" text NOT NULL,
	"task_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"deleted_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_tombstones_user_id_task_id_pk" PRIMARY KEY("user_id","task_id")
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "task_sequences" ADD CONSTRAINT "task_sequences_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_tombstones" ADD CONSTRAINT "task_tombstones_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "task_tombstones_user_seq_idx" ON "task_tombstones" USING btree ("user_id","seq","task_id");--> statement-breakpoint
CREATE INDEX "task_tombstones_deleted_idx" ON "task_tombstones" USING btree ("deleted_at");--> statement-breakpoint
CREATE INDEX "tasks_user_seq_idx" ON "tasks" USING btree ("user_id","seq","id");