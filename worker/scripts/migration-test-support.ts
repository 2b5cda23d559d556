import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, expect } from "vitest";
import { backendKindFromEnv, openScratchBackend } from "../local/local-database.ts";
import { type NeonHttpServer, startNeonHttpServer } from "../local/neon-http-server.ts";
import { applyMigrations, migrationsFolder } from "./migrate.ts";

/**
 * For a test of one migration on rows that existed before it: a scratch database (PGlite, or the
 * PostgreSQL server under BRISK_DB=postgres) behind the Neon stand-in, migrated up to just before
 * `migration` (a tag in drizzle-kit's journal, e.g. "0011_lists"). The test seeds rows as the old
 * schema had them with `query`, then applies this migration with `migrate` — this one only, so a
 * later migration (one that advances the change sequence again, say) cannot change what it sees.
 */
export function databaseBefore(migration: string) {
  const secret = "secret-password";
  const databaseUrl = `postgresql://brisk:${secret}@ep-migration-123456.us-east-2.aws.neon.tech/neondb?sslmode=require`;
  let server: NeonHttpServer | undefined;
  let before = "";
  let through = "";
  const endpoint = () => {
    if (!server) throw new Error("the scratch database is not started yet (use it inside a test)");
    return server.url;
  };

  beforeAll(async () => {
    server = await startNeonHttpServer({ backend: await openScratchBackend(backendKindFromEnv()), secret });
    // The migrations before this one, as drizzle-kit's journal lists them.
    before = await mkdtemp(join(tmpdir(), "brisk-before-migration-"));
    await cp(migrationsFolder, before, { recursive: true });
    const journalPath = join(before, "meta", "_journal.json");
    const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: { tag: string }[] };
    const index = journal.entries.findIndex((entry) => entry.tag === migration);
    expect(index, `${migration} is in the journal`).toBeGreaterThan(0);
    const entries = journal.entries;
    await writeFile(journalPath, JSON.stringify({ ...journal, entries: entries.slice(0, index) }));
    // The same, with this migration too.
    through = await mkdtemp(join(tmpdir(), "brisk-through-migration-"));
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
    for (const folder of [before, through]) if (folder) await rm(folder, { recursive: true, force: true });
  });

  return {
    /** One statement through the production driver. */
    query: async <Row = Record<string, unknown>>(text: string, params: unknown[] = []) => {
      neonConfig.fetchEndpoint = endpoint();
      return (await neon(databaseUrl).query(text, params)) as Row[];
    },
    /** Applies this migration (and no later one). */
    migrate: () => applyMigrations({ databaseUrl, fetchEndpoint: endpoint(), migrationsFolder: through }),
  };
}
