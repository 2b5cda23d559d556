import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendKindFromEnv, openScratchBackend } from "../local/local-database.ts";
import { type NeonHttpServer, startNeonHttpServer } from "../local/neon-http-server.ts";
import { applyMigrations, migrationsFolder } from "./migrate.ts";

/**
 * The lists migration (docs/decisions/025-lists.md) on accounts that existed before it: each gets
 * an Inbox at a new change of its sequence, with every task in it under that change, so a device
 * syncing from an older cursor hears of both; an account created afterwards gets its Inbox from
 * the trigger.
 */
const secret = "secret-password";
const databaseUrl = "postgresql://brisk:secret-password@ep-lists-123456.us-east-2.aws.neon.tech/neondb?sslmode=require";
const listsMigration = "0011_lists";

describe("the lists migration", () => {
  let server: NeonHttpServer | undefined;
  let before = "";
  /** The migrations through the lists one: later ones (task positions, 0014) advance the sequence again. */
  let through = "";
  const query = async <Row = Record<string, unknown>>(text: string, params: unknown[] = []) => {
    neonConfig.fetchEndpoint = (server as NeonHttpServer).url;
    return (await neon(databaseUrl).query(text, params)) as Row[];
  };

  beforeAll(async () => {
    server = await startNeonHttpServer({ backend: await openScratchBackend(backendKindFromEnv()), secret });
    before = await mkdtemp(join(tmpdir(), "brisk-before-lists-"));
    await cp(migrationsFolder, before, { recursive: true });
    const journalPath = join(before, "meta", "_journal.json");
    const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: { tag: string }[] };
    const index = journal.entries.findIndex((entry) => entry.tag === listsMigration);
    expect(index).toBeGreaterThan(0);
    const entries = journal.entries;
    journal.entries = entries.slice(0, index);
    await writeFile(journalPath, JSON.stringify(journal));
    through = await mkdtemp(join(tmpdir(), "brisk-through-lists-"));
    await cp(migrationsFolder, through, { recursive: true });
    await writeFile(
      join(through, "meta", "_journal.json"),
      JSON.stringify({ ...journal, entries: entries.slice(0, index + 1) }),
    );
    await applyMigrations({ databaseUrl, fetchEndpoint: server.url, migrationsFolder: before });
  }, 240_000);

  afterAll(async () => {
    if (server) {
      await server.close();
      await server.backend.close();
    }
    if (before) await rm(before, { recursive: true, force: true });
    if (through) await rm(through, { recursive: true, force: true });
  });

  it("gives every existing account an Inbox holding its tasks, at a new change; new accounts get one too", async () => {
    await query(
      `INSERT INTO "user" (id, name, email) VALUES ('u1', 'Old', 'old@example.com'), ('u2', 'Quiet', 'q@example.com')`,
    );
    await query(`INSERT INTO task_sequences (user_id, seq) VALUES ('u1', 7)`);
    await query(
      `INSERT INTO tasks (id, user_id, title, seq) VALUES ('a1111111-0000-4000-8000-000000000001', 'u1', 'One', 3),
        ('a1111111-0000-4000-8000-000000000002', 'u1', 'Two', 7)`,
    );
    await applyMigrations({ databaseUrl, fetchEndpoint: (server as NeonHttpServer).url, migrationsFolder: through });

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
