import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import type { Config } from "../config.ts";
import * as schema from "./schema.ts";

export type Database = ReturnType<typeof createDatabase>;

let current: { key: string; db: Database } | undefined;

/**
 * The drizzle client over Neon's HTTP driver — one HTTP request per query or batch,
 * no connection to hold. Kept for the isolate's life: creating it is pure CPU.
 */
export function getDatabase(config: Config): Database {
  const key = `${config.databaseUrl}|${config.neonFetchEndpoint ?? ""}|${config.dbTimeoutMs}`;
  if (current?.key !== key) current = { key, db: createDatabase(config) };
  return current.db;
}

/**
 * A client for one long write (an import of thousands of tasks, docs/tasks-api.md "Export
 * and import"): the same database and driver settings, with `timeoutMs` as the bound of its
 * round trips instead of DB_TIMEOUT_MS. Made per request: its time runs from here.
 */
export function getDatabaseFor(config: Config, timeoutMs: number): Database {
  getDatabase(config); // the driver's global settings (endpoint, fetch)
  const client = neon(config.databaseUrl, { fetchOptions: { signal: AbortSignal.timeout(timeoutMs) } });
  return drizzle({ client, schema });
}

function createDatabase(config: Config) {
  // The driver's endpoint and fetch are global settings; an isolate serves one
  // configuration, so setting them here is setting them once.
  if (config.neonFetchEndpoint) neonConfig.fetchEndpoint = config.neonFetchEndpoint;
  neonConfig.fetchFunction = withTimeout(config.dbTimeoutMs);
  return drizzle({ client: neon(config.databaseUrl), schema });
}

/** A database call must never hang a request: every round trip is aborted after `timeoutMs`. */
function withTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
}
