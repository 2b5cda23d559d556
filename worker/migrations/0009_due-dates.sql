ALTER TABLE "user" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "due_date" date;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "due_time" time(0);--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "due_zone" text;--> statement-breakpoint
CREATE INDEX "tasks_user_due_date_idx" ON "tasks" USING btree ("user_id","due_date","id");--> statement-breakpoint
-- The data: each stored due instant becomes the due model (docs/decisions/020-dates-that-never-shift.md).
-- The old editor saved a day as 23:59:59.000 on that day where the person was: such an instant (59 s, 0 ms,
-- at minute 59, 29, 14 or 44 in UTC: a whole, half or quarter hour offset) is that all-day date, read for
-- the offsets UTC-10 to UTC+13 (Hawaii to New Zealand's summer) as the UTC date 10 hours earlier. An instant
-- at exactly 00:00 UTC (what a date-only value sent to the old API became) is that day, all day. Any other
-- instant keeps its time, in UTC, to the minute.
UPDATE "tasks" SET
  "due_date" = CASE
    WHEN to_char("due_at" AT TIME ZONE 'UTC', 'SS.MS') = '59.000' AND to_char("due_at" AT TIME ZONE 'UTC', 'MI') IN ('59', '29', '14', '44')
      THEN (("due_at" AT TIME ZONE 'UTC') - interval '10 hours')::date
    ELSE ("due_at" AT TIME ZONE 'UTC')::date END,
  "due_time" = CASE
    WHEN (to_char("due_at" AT TIME ZONE 'UTC', 'SS.MS') = '59.000' AND to_char("due_at" AT TIME ZONE 'UTC', 'MI') IN ('59', '29', '14', '44'))
      OR ("due_at" AT TIME ZONE 'UTC')::time = '00:00' THEN NULL
    ELSE date_trunc('minute', "due_at" AT TIME ZONE 'UTC')::time(0) END
  WHERE "due_at" IS NOT NULL;--> statement-breakpoint
UPDATE "tasks" SET
  "due_zone" = CASE WHEN "due_time" IS NULL THEN NULL ELSE 'UTC' END,
  "due_at" = CASE WHEN "due_time" IS NULL THEN NULL ELSE ("due_date" + "due_time") AT TIME ZONE 'UTC' END
  WHERE "due_at" IS NOT NULL;--> statement-breakpoint
-- Tasks kept for an undo (deleted_tasks) are rows of this table as JSON: the same conversion, so a restore stores the new columns.
UPDATE "deleted_tasks" SET "task" = "task" || jsonb_build_object(
    'due_date', converted.due_date, 'due_time', converted.due_time,
    'due_zone', CASE WHEN converted.due_time IS NULL THEN NULL ELSE 'UTC' END,
    'due_at', CASE WHEN converted.due_time IS NULL THEN NULL ELSE (converted.due_date + converted.due_time) AT TIME ZONE 'UTC' END)
  FROM (
    SELECT d.undo, d.task ->> 'id' AS id,
      CASE WHEN to_char(x AT TIME ZONE 'UTC', 'SS.MS') = '59.000' AND to_char(x AT TIME ZONE 'UTC', 'MI') IN ('59', '29', '14', '44')
        THEN ((x AT TIME ZONE 'UTC') - interval '10 hours')::date ELSE (x AT TIME ZONE 'UTC')::date END AS due_date,
      CASE WHEN (to_char(x AT TIME ZONE 'UTC', 'SS.MS') = '59.000' AND to_char(x AT TIME ZONE 'UTC', 'MI') IN ('59', '29', '14', '44'))
        OR (x AT TIME ZONE 'UTC')::time = '00:00' THEN NULL
      ELSE date_trunc('minute', x AT TIME ZONE 'UTC')::time(0) END AS due_time
    FROM "deleted_tasks" d CROSS JOIN LATERAL (SELECT (d.task ->> 'due_at')::timestamptz AS x) AS old
    WHERE d.task ->> 'due_at' IS NOT NULL AND d.task -> 'due_date' IS NULL
  ) AS converted
  WHERE "deleted_tasks"."undo" = converted.undo AND "deleted_tasks"."task" ->> 'id' = converted.id;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_due_time_needs_date" CHECK ("tasks"."due_time" IS NULL OR "tasks"."due_date" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_due_zone_needs_time" CHECK ("tasks"."due_zone" IS NULL OR "tasks"."due_time" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_due_at_iff_time" CHECK (("tasks"."due_at" IS NULL) = ("tasks"."due_time" IS NULL));