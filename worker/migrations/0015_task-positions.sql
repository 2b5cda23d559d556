-- Manual order (docs/decisions/030-manual-task-order.md): a task's position is a fractional-indexing key. A create
-- without one goes to the top: a fixed-length key counting down with the milliseconds of the instant, the rule of
-- worker/src/tasks/position.ts (`newTaskPosition`, compared with this function by a test).
CREATE OR REPLACE FUNCTION public.brisk_task_position(created timestamptz) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $position$
  SELECT 'g' || string_agg(substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    ((k.n / power(62, p)::bigint) % 62)::integer + 1, 1), '' ORDER BY p DESC)
  FROM (SELECT greatest(0, least(3521614606207, 3521614606207 - floor(extract(epoch FROM created) * 1000)::bigint)) AS n) AS k,
    generate_series(6, 0, -1) AS p
$position$;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "position" text;--> statement-breakpoint
-- The tasks older than positions, in their created order (the newest at the top, as a new one goes), at one new
-- change of each person's sequence, so a device syncing from an older cursor hears of every task's position.
INSERT INTO "task_sequences" ("user_id", "seq") SELECT DISTINCT "user_id", 1 FROM "tasks"
  ON CONFLICT ("user_id") DO UPDATE SET "seq" = "task_sequences"."seq" + 1;--> statement-breakpoint
UPDATE "tasks" t SET "position" = brisk_task_position(t."created_at"), "seq" = s."seq"
  FROM "task_sequences" s WHERE s."user_id" = t."user_id";--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "position" SET DEFAULT brisk_task_position(now()::timestamptz(3));--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "position" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "tasks_user_list_position_idx" ON "tasks" USING btree ("user_id","list_id","position" COLLATE "C","id");--> statement-breakpoint
CREATE INDEX "tasks_user_position_idx" ON "tasks" USING btree ("user_id","position" COLLATE "C","id");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_position_key" CHECK ("tasks"."position" ~ '^[A-Za-z][0-9A-Za-z]*$');
