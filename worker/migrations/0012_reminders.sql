-- The next reminder to deliver (docs/decisions/026-reminders.md; the rules of worker/src/tasks/reminders.ts):
-- the earliest fire instant later than `after` (the task's last change or the last reminder delivered),
-- none for a completed task. A `before` is an exact duration, subtracted in UTC (P1D = 24 hours), so the
-- result depends on the row alone: IMMUTABLE, as a generated column needs.
CREATE OR REPLACE FUNCTION public.brisk_next_reminder(reminders jsonb, due_at timestamptz, completed boolean, after timestamptz)
  RETURNS timestamptz
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $rules$
BEGIN
  IF completed OR reminders IS NULL OR jsonb_typeof(reminders) <> 'array' THEN
    RETURN NULL;
  END IF;
  RETURN (
    SELECT min(fire) FROM (
      SELECT CASE
        WHEN r ? 'at' THEN (r ->> 'at')::timestamptz
        WHEN due_at IS NOT NULL THEN ((due_at AT TIME ZONE 'UTC') - (r ->> 'before')::interval) AT TIME ZONE 'UTC'
      END AS fire
      FROM jsonb_array_elements(reminders) AS r
    ) AS fires
    WHERE fire > after
  );
END
$rules$;--> statement-breakpoint
CREATE TABLE "reminder_deliveries" (
	"task_id" uuid NOT NULL,
	"fire_at" timestamp (3) with time zone NOT NULL,
	"run_id" uuid NOT NULL,
	"claimed_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp (3) with time zone,
	CONSTRAINT "reminder_deliveries_task_id_fire_at_pk" PRIMARY KEY("task_id","fire_at")
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "reminders" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "reminded_through" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "next_reminder_at" timestamp (3) with time zone GENERATED ALWAYS AS (brisk_next_reminder(reminders, due_at, completed, greatest(updated_at, reminded_through))) STORED;--> statement-breakpoint
CREATE INDEX "reminder_deliveries_run_idx" ON "reminder_deliveries" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "reminder_deliveries_claimed_idx" ON "reminder_deliveries" USING btree ("claimed_at");--> statement-breakpoint
CREATE INDEX "tasks_next_reminder_idx" ON "tasks" USING btree ("next_reminder_at") WHERE "tasks"."next_reminder_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_reminders_count" CHECK (jsonb_array_length("tasks"."reminders") <= 5);--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_reminders_need_time" CHECK ("tasks"."due_at" IS NOT NULL OR NOT jsonb_path_exists("tasks"."reminders", '$[*].before'));--> statement-breakpoint
-- Undo copies made before this migration have no reminders: a restore reads them back with jsonb_populate_record.
UPDATE "deleted_tasks" SET "task" = "task" || '{"reminders": []}'::jsonb WHERE NOT ("task" ? 'reminders');
