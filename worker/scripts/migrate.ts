import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { isPostgresUrl } from "../src/db/connection-string.ts";

export const migrationsFolder = join(import.meta.dirname, "..", "migrations");

export interface MigrateOptions {
  databaseUrl: string;
  /** The SQL-over-HTTP endpoint; omit for Neon's own. */
  fetchEndpoint?: string | undefined;
  /** Where drizzle-kit's migrations are; the project's own by default (`MIGRATIONS_DIR` for the CLI). */
  migrationsFolder?: string | undefined;
  log?: (line: string) => void;
}

/**
 * A migration whose batch failed. Its transaction is applied whole or not at all: rolled
 * back when the database refused a statement; when the answer was lost on the way, a
 * rerun shows which (it skips what is recorded as applied).
 */
export class MigrationFailed extends Error {
  // A plain field: Node runs this file by stripping types, which cannot do parameter properties.
  readonly migration: string;
  constructor(migration: string, options: ErrorOptions) {
    super(`migration ${migration} did not complete: ${String(options.cause)}`, options);
    this.name = "MigrationFailed";
    this.migration = migration;
  }
}

/**
 * Applies pending drizzle-kit migrations over Neon's HTTP driver — the path the
 * Worker uses. Each migration and its bookkeeping row go in one batch, which Neon
 * runs as one transaction, so a fault mid-way leaves that migration wholly
 * unapplied and a rerun starts it again. (drizzle's own neon-http migrator runs
 * statement by statement and can leave a migration half applied.)
 * The bookkeeping table is drizzle's, so drizzle-kit sees the same history.
 */
export async function applyMigrations({
  databaseUrl,
  fetchEndpoint,
  migrationsFolder: folder = migrationsFolder,
  log = () => {},
}: MigrateOptions) {
  if (fetchEndpoint) neonConfig.fetchEndpoint = fetchEndpoint;
  const sql = neon(databaseUrl);
  await sql.transaction([
    sql`CREATE SCHEMA IF NOT EXISTS drizzle`,
    sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
  ]);
  const [last] = await sql`SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`;
  const appliedUntil = last ? Number(last.created_at) : -1;

  // drizzle-kit writes meta/_journal.json with the first migration; before it there is nothing to apply.
  const journal = join(folder, "meta", "_journal.json");
  const migrations = existsSync(journal) ? readMigrationFiles({ migrationsFolder: folder }) : [];
  const tags = existsSync(journal) ? migrationTags(journal) : new Map<number, string>();
  const pending = migrations.filter((m) => m.folderMillis > appliedUntil);
  for (const migration of pending) {
    const name = tags.get(migration.folderMillis) ?? String(migration.folderMillis);
    try {
      await sql.transaction([
        // Two migrators racing (two deploys at once) queue here; the second then fails
        // on its first statement and rolls back whole, leaving the first one's work.
        sql`SELECT pg_advisory_xact_lock(7362001)`,
        ...migration.sql.filter((statement) => statement.trim() !== "").map((statement) => sql.query(statement)),
        sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.folderMillis})`,
      ]);
    } catch (error) {
      throw new MigrationFailed(name, { cause: error });
    }
    log(`applied migration ${name} (${migration.hash.slice(0, 12)})`);
  }
  return { applied: pending.length };
}

/** drizzle-kit's journal: each migration's timestamp → its file name (e.g. 0001_tasks). */
function migrationTags(journal: string): Map<number, string> {
  const { entries } = JSON.parse(readFileSync(journal, "utf8")) as { entries: { when: number; tag: string }[] };
  return new Map(entries.map((entry) => [entry.when, entry.tag]));
}

/**
 * The CLI's settings from the environment, or a message naming the one that is wrong.
 * Values are never echoed: a connection string holds a password.
 */
export function cliSettings(env: NodeJS.ProcessEnv): MigrateOptions | string {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    return "DATABASE_URL is not set: set it to your Neon connection string, e.g. DATABASE_URL='postgresql://user:password@ep-….neon.tech/neondb?sslmode=require' pnpm db:migrate";
  }
  if (!isPostgresUrl(databaseUrl)) {
    return "DATABASE_URL is not a PostgreSQL connection string: it must look like postgresql://user:password@host/database (copy it from the Neon console's Connect dialog)";
  }
  const fetchEndpoint = env.NEON_FETCH_ENDPOINT || undefined;
  if (fetchEndpoint !== undefined && !/^https?:\/\/[^/]/.test(fetchEndpoint)) {
    return "NEON_FETCH_ENDPOINT must be empty (Neon's own endpoint) or an http(s) URL such as http://127.0.0.1:5480/sql";
  }
  const folder = env.MIGRATIONS_DIR ? resolve(env.MIGRATIONS_DIR) : undefined;
  if (folder !== undefined && !existsSync(join(folder, "meta", "_journal.json"))) {
    return "MIGRATIONS_DIR must be a drizzle-kit migrations folder (with meta/_journal.json)";
  }
  return { databaseUrl, fetchEndpoint, migrationsFolder: folder };
}

// `pnpm db:migrate`: apply migrations to DATABASE_URL (Neon, or the stand-in via NEON_FETCH_ENDPOINT).
// Exit codes: 0 applied or up to date, 1 the database refused or could not be reached, 2 a setting is wrong.
if (import.meta.main) {
  const settings = cliSettings(process.env);
  if (typeof settings === "string") {
    console.error(settings);
    process.exit(2);
  }
  try {
    const { applied } = await applyMigrations({ ...settings, log: (line) => console.log(line) });
    console.log(applied === 0 ? "The database is up to date." : `Applied ${applied} migration(s).`);
  } catch (error) {
    console.error(
      error instanceof MigrationFailed
        ? `Migration ${error.migration} failed. It runs as one transaction, so a refused statement rolled it back ` +
            "whole; earlier migrations stay applied. Fix the cause and run it again: a rerun skips what is applied.\n" +
            String(error.cause)
        : `Migration failed; nothing was applied (is DATABASE_URL right, and the database reachable?)\n${String(error)}`,
    );
    process.exit(1);
  }
}
