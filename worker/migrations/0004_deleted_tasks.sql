CREATE TABLE "deleted_tasks" (
	"undo" uuid NOT NULL,
	"user_id" text NOT NULL,
	"task" jsonb NOT NULL,
	"deleted_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deleted_tasks" ADD CONSTRAINT "deleted_tasks_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deleted_tasks_user_undo_idx" ON "deleted_tasks" USING btree ("user_id","undo");--> statement-breakpoint
CREATE INDEX "deleted_tasks_user_deleted_idx" ON "deleted_tasks" USING btree ("user_id","deleted_at");