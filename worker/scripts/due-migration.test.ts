import { describe, expect, it } from "vitest";
import { databaseBefore } from "./migration-test-support.ts";

/**
 * Migration 0009 (due-dates) converts the instants the old API stored (`due_at`) into the
 * due model (docs/decisions/020-dates-that-never-shift.md): rows seeded as the old schema
 * had them, in `tasks` and in `deleted_tasks` (kept for an undo), then migrated.
 */
const dueMigration = "0009_due-dates";

describe("the due-dates migration's conversion", () => {
  const { query, migrate } = databaseBefore(dueMigration);

  it("turns the old editor's end-of-day instants into all-day dates and keeps other instants as UTC times", async () => {
    await query(`INSERT INTO "user" (id, name, email) VALUES ('u1', 'Old', 'old@example.com')`);
    const rows: [string, string | null][] = [
      // The old editor: 23:59:59 on 5 December where the person was.
      ["a1111111-0000-4000-8000-000000000001", "2026-12-06T07:59:59.000Z"], // Los Angeles (UTC-8)
      ["a1111111-0000-4000-8000-000000000002", "2026-12-05T10:59:59.000Z"], // Auckland (UTC+13)
      ["a1111111-0000-4000-8000-000000000003", "2026-12-05T22:59:59.000Z"], // Berlin (UTC+1)
      ["a1111111-0000-4000-8000-000000000004", "2026-12-05T18:29:59.000Z"], // Kolkata (UTC+5:30)
      ["a1111111-0000-4000-8000-000000000005", "2026-12-06T09:59:59.000Z"], // Honolulu (UTC-10)
      // A date-only value sent to the old API: midnight UTC.
      ["a1111111-0000-4000-8000-000000000006", "2026-12-05T00:00:00.000Z"],
      // Any other instant: that time in UTC, to the minute.
      ["a1111111-0000-4000-8000-000000000007", "2026-12-05T17:00:00.000Z"],
      ["a1111111-0000-4000-8000-000000000008", "2026-12-05T17:30:42.123Z"],
      ["a1111111-0000-4000-8000-000000000009", null],
    ];
    for (const [id, dueAt] of rows)
      await query(`INSERT INTO tasks (id, user_id, title, due_at) VALUES ($1, 'u1', 'Old task', $2)`, [id, dueAt]);
    // A task deleted by "Clear completed" before the upgrade, still restorable.
    await query(
      `INSERT INTO deleted_tasks (undo, user_id, task)
       SELECT 'b2222222-0000-4000-8000-000000000001', user_id, to_jsonb(tasks) FROM tasks WHERE id = $1`,
      [rows[0]?.[0]],
    );

    const run = await migrate();
    expect(run.applied).toBeGreaterThanOrEqual(1);

    const converted = await query<{ id: string; due: string | null }>(
      `SELECT id, CASE WHEN due_date IS NULL THEN NULL ELSE concat_ws(' ', to_char(due_date, 'YYYY-MM-DD'),
         coalesce(to_char(due_time, 'HH24:MI'), '-'), coalesce(due_zone, '-'),
         coalesce(to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'), '-')) END AS due
       FROM tasks ORDER BY id`,
    );
    expect(converted.map((row) => row.due)).toEqual([
      "2026-12-05 - - -",
      "2026-12-05 - - -",
      "2026-12-05 - - -",
      "2026-12-05 - - -",
      "2026-12-05 - - -",
      "2026-12-05 - - -",
      "2026-12-05 17:00 UTC 2026-12-05T17:00:00",
      "2026-12-05 17:30 UTC 2026-12-05T17:30:00",
      null,
    ]);
    const [kept] = await query<{ date: string; time: string | null; zone: string | null; at: string | null }>(
      `SELECT task ->> 'due_date' AS date, task ->> 'due_time' AS time, task ->> 'due_zone' AS zone, task ->> 'due_at' AS at
       FROM deleted_tasks`,
    );
    expect(kept).toEqual({ date: "2026-12-05", time: null, zone: null, at: null });
  });
});
