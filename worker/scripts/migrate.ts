import { existsSync } from "node:fs";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { readMigrationFiles } from "drizzle-orm/migrator";

export const migrationsFolder = join(import.meta.dirname, "..", "migrations");

export interface MigrateOptions {
  databaseUrl: string;
  /** The SQL-over-HTTP endpoint; omit for Neon's own. */
  fetchEndpoint?: string | undefined;
  log?: (line: string) => void;
}

/**
 * Applies pending drizzle-kit migrations over Neon's HTTP driver — the path the
 * Worker uses. Each migration and its bookkeeping row go in one batch, which Neon
 * runs as one transaction, so a fault mid-way leaves that migration wholly
 * unapplied and a rerun starts it again. (drizzle's own neon-http migrator runs
 * statement by statement and can leave a migration half applied.)
 * The bookkeeping table is drizzle's, so drizzle-kit sees the same history.
 */
export async function applyMigrations({ databaseUrl, fetchEndpoint, log = () => {} }: MigrateOptions) {
  if (fetchEndpoint) neonConfig.fetchEndpoint = fetchEndpoint;
  const sql = neon(databaseUrl);
  await sql.transaction([
    sql`CREATE SCHEMA IF NOT EXISTS drizzle`,
    sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
  ]);
  const [last] = await sql`SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`;
  const appliedUntil = last ? Number(last.created_at) : -1;

  // drizzle-kit writes meta/_journal.json with the first migration; before it there is nothing to apply.
  const migrations = existsSync(join(migrationsFolder, "meta", "_journal.json"))
    ? readMigrationFiles({ migrationsFolder })
    : [];
  const pending = migrations.filter((m) => m.folderMillis > appliedUntil);
  for (const migration of pending) {
    await sql.transaction([
      // Two migrators racing (two deploys at once) queue here; the second then fails
      // on its first statement and rolls back whole, leaving the first one's work.
      sql`SELECT pg_advisory_xact_lock(7362001)`,
      ...migration.sql.filter((statement) => statement.trim() !== "").map((statement) => sql.query(statement)),
      sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.folderMillis})`,
    ]);
    log(`applied migration ${migration.folderMillis} (${migration.hash.slice(0, 12)})`);
  }
  return { applied: pending.length };
}

// `pnpm db:migrate`: apply migrations to DATABASE_URL (Neon, or the stand-in via NEON_FETCH_ENDPOINT).
if (import.meta.main) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl || !/^postgres(ql)?:\/\/[^/]+\/[^/]+/.test(databaseUrl)) {
    console.error("DATABASE_URL must be set to your Neon connection string (postgresql://user:password@host/db).");
    process.exit(2);
  }
  try {
    const { applied } = await applyMigrations({
      databaseUrl,
      fetchEndpoint: process.env.NEON_FETCH_ENDPOINT || undefined,
      log: (line) => console.log(line),
    });
    console.log(applied === 0 ? "The database is up to date." : `Applied ${applied} migration(s).`);
  } catch (error) {
    console.error(`Migration failed; the failing migration was rolled back whole: ${String(error)}`);
    process.exit(1);
  }
}
