import { describe, expect, it } from "vitest";
import { newTaskPosition } from "../src/tasks/position.ts";
import { databaseBefore } from "./migration-test-support.ts";

/**
 * The task positions migration (docs/decisions/030-manual-task-order.md) on tasks that existed
 * before it: each gets the key of its creation time (the newest at the top of its list, as a new
 * task goes), at a new change of its owner's sequence; Postgres' rule is the shared one.
 */
const positionsMigration = "0015_task-positions";

describe("the task positions migration", () => {
  const { query, migrate } = databaseBefore(positionsMigration);

  it("orders every existing task by its creation, newest first, at a new change; new tasks go on top", async () => {
    await query(`INSERT INTO "user" (id, name, email) VALUES ('u1', 'Old', 'old@example.com')`);
    await query(`INSERT INTO task_sequences (user_id, seq) VALUES ('u1', 7)`);
    await query(
      `INSERT INTO tasks (id, user_id, title, seq, created_at) VALUES
        ('a1111111-0000-4000-8000-000000000001', 'u1', 'First', 3, '2026-01-01T10:00:00.000Z'),
        ('a1111111-0000-4000-8000-000000000002', 'u1', 'Third', 7, '2026-03-01T10:00:00.000Z'),
        ('a1111111-0000-4000-8000-000000000003', 'u1', 'Second', 5, '2026-02-01T10:00:00.000Z')`,
    );
    await migrate();

    const rows = await query<{ title: string; position: string; seq: string; created_at: string }>(
      `SELECT title, position, seq::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
       FROM tasks ORDER BY position COLLATE "C", id`,
    );
    expect(rows.map((row) => row.title)).toEqual(["Third", "Second", "First"]);
    expect(rows.map((row) => row.seq)).toEqual(["8", "8", "8"]);
    for (const row of rows) expect(row.position).toBe(newTaskPosition(Date.parse(row.created_at)));

    await query(`INSERT INTO tasks (id, user_id, title) VALUES ('a1111111-0000-4000-8000-000000000004', 'u1', 'New')`);
    const [top] = await query<{ title: string }>(
      `SELECT title FROM tasks WHERE user_id = 'u1' ORDER BY position COLLATE "C", id LIMIT 1`,
    );
    expect(top?.title).toBe("New");
    await expect(query(`UPDATE tasks SET position = 'a 0' WHERE user_id = 'u1'`)).rejects.toThrow();
  });

  it("computes the same key as the shared rule, at every kind of instant", async () => {
    const instants = [
      "1000-01-01T00:00:00.000Z",
      "1969-12-31T23:59:59.999Z",
      "1970-01-01T00:00:00.000Z",
      "2026-12-01T18:30:00.123Z",
      "2081-06-01T00:00:00.000Z",
      "2099-12-31T23:59:59.999Z",
      ...Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2000, 0, 1) + i * 987_654_321_123).toISOString()),
    ];
    const rows = await query<{ key: string }>(
      `SELECT brisk_task_position(at::timestamptz) AS key FROM unnest($1::text[]) WITH ORDINALITY AS given(at, n) ORDER BY n`,
      [instants],
    );
    expect(rows.map((row) => row.key)).toEqual(instants.map((at) => newTaskPosition(Date.parse(at))));
  });
});
