ALTER TABLE "tasks" ADD COLUMN "recurrence_rule" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "recurrence_from" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "recurrence_done" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "completions" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_recurrence_from" CHECK (("tasks"."recurrence_rule" IS NULL) = ("tasks"."recurrence_from" IS NULL) AND "tasks"."recurrence_from" IN ('due', 'completion'));--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_recurrence_needs_due" CHECK ("tasks"."recurrence_rule" IS NULL OR "tasks"."due_date" IS NOT NULL);--> statement-breakpoint
-- Tasks kept for an undo (deleted_tasks) are rows of this table as JSON: give them the new NOT NULL columns' defaults, so a restore (jsonb_populate_record) stores them.
UPDATE "deleted_tasks" SET "task" = jsonb_build_object('recurrence_done', 0, 'completions', '[]'::jsonb) || "task";
