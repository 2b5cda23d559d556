import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPgliteBackend } from "./pglite-backend.ts";
import { openPostgresBackend } from "./postgres-backend.ts";
import type { SqlBackend } from "./sql-backend.ts";

export type BackendKind = "pglite" | "postgres";

/** The PostgreSQL server on these machines (trust auth); override with BRISK_POSTGRES_URL. */
export const defaultPostgresUrl = "postgresql://postgres@127.0.0.1:5432/postgres";

/** Which backend the stand-in uses: `BRISK_DB=postgres` for the server, PGlite otherwise. */
export function backendKindFromEnv(value = process.env.BRISK_DB): BackendKind {
  if (value === undefined || value === "" || value === "pglite") return "pglite";
  if (value === "postgres") return "postgres";
  throw new Error(`BRISK_DB must be "pglite" or "postgres", not "${value}"`);
}

/**
 * A database of its own for one test run: in-memory PGlite, or a freshly created
 * database on the PostgreSQL server that is dropped again by `close()`.
 */
export async function openScratchBackend(kind: BackendKind): Promise<SqlBackend> {
  if (kind === "pglite") return openPgliteBackend();

  const serverUrl = process.env.BRISK_POSTGRES_URL || defaultPostgresUrl;
  const name = `brisk_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdminClient(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const backend = openPostgresBackend(url.toString());
  return {
    ...backend,
    async close() {
      await backend.close();
      await withAdminClient(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdminClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Cannot reach the PostgreSQL server at ${serverUrl} (${String(error)}). ` +
        "Start it, set BRISK_POSTGRES_URL, or leave BRISK_DB unset to use embedded PGlite.",
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
