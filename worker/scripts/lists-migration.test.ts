import { describe, expect, it } from "vitest";
import { databaseBefore } from "./migration-test-support.ts";

/**
 * The lists migration (docs/decisions/025-lists.md) on accounts that existed before it: each gets
 * an Inbox at a new change of its sequence, with every task in it under that change, so a device
 * syncing from an older cursor hears of both; an account created afterwards gets its Inbox from
 * the trigger.
 */
const listsMigration = "0011_lists";

describe("the lists migration", () => {
  const { query, migrate } = databaseBefore(listsMigration);

  it("gives every existing account an Inbox holding its tasks, at a new change; new accounts get one too", async () => {
    await query(
      `INSERT INTO "user" (id, name, email) VALUES ('u1', 'Old', 'old@example.com'), ('u2', 'Quiet', 'q@example.com')`,
    );
    await query(`INSERT INTO task_sequences (user_id, seq) VALUES ('u1', 7)`);
    await query(
      `INSERT INTO tasks (id, user_id, title, seq) VALUES ('a1111111-0000-4000-8000-000000000001', 'u1', 'One', 3),
        ('a1111111-0000-4000-8000-000000000002', 'u1', 'Two', 7)`,
    );
    await migrate();

    const inboxes = await query<{ user_id: string; name: string; seq: string; inbox: boolean }>(
      `SELECT user_id, name, seq::text, inbox FROM lists ORDER BY user_id`,
    );
    expect(inboxes).toEqual([
      { user_id: "u1", name: "Inbox", seq: "8", inbox: true },
      { user_id: "u2", name: "Inbox", seq: "1", inbox: true },
    ]);
    const tasks = await query<{ seq: string; in_inbox: boolean }>(
      `SELECT t.seq::text, t.list_id = l.id AS in_inbox FROM tasks t JOIN lists l ON l.user_id = t.user_id`,
    );
    expect(tasks).toEqual([
      { seq: "8", in_inbox: true },
      { seq: "8", in_inbox: true },
    ]);

    await query(`INSERT INTO "user" (id, name, email) VALUES ('u3', 'New', 'new@example.com')`);
    const [fresh] = await query<{ n: string }>(`SELECT count(*)::text AS n FROM lists WHERE user_id = 'u3' AND inbox`);
    expect(fresh?.n).toBe("1");
  });
});
