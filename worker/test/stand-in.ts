import { env } from "cloudflare:workers";
import { neon, neonConfig } from "@neondatabase/serverless";

/** Test access to the local Neon stand-in's control endpoints (enabled only in tests). */

function controlUrl(path: string): string {
  return new URL(`/__stand-in/${path}`, env.NEON_FETCH_ENDPOINT).toString();
}

async function control(path: string, init?: RequestInit): Promise<unknown> {
  // The stand-in serves only requests that carry its run's secret, the password in DATABASE_URL.
  const response = await fetch(controlUrl(path), {
    ...init,
    headers: { "Neon-Connection-String": env.DATABASE_URL },
  });
  if (!response.ok) throw new Error(`stand-in ${path} failed: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function resetDatabase(): Promise<void> {
  await control("reset", { method: "POST" });
}

/** Database round trips (HTTP requests to the SQL endpoint) served so far. */
export async function roundTrips(): Promise<number> {
  const stats = (await control("stats")) as { requests: number };
  return stats.requests;
}

/** SQL statements run so far (a batch counts each of its statements). */
export async function statementsRun(): Promise<number> {
  const stats = (await control("stats")) as { statements: number };
  return stats.statements;
}

/** See `Fault` in worker/local/neon-http-server.ts. */
export interface Fault {
  /** A piece of the SQL to fail on, e.g. `insert into "account"`. */
  match: string;
  /** `fail`: HTTP error, never ran. `sqlstate`: Postgres error `code`, never committed. `delay`: `ms` late. `lose-response`: committed, answer lost. */
  action: "fail" | "sqlstate" | "delay" | "lose-response";
  times?: number;
  status?: number;
  code?: string;
  ms?: number;
}

export async function injectFault(fault: Fault): Promise<void> {
  await control("faults", { method: "POST", body: JSON.stringify({ times: 1, ...fault }) });
}

/** Disarms every fault; answers those still armed (never met by a request). */
export async function clearFaults(): Promise<Fault[]> {
  const { faults } = (await control("faults", { method: "DELETE" })) as { faults: Fault[] };
  return faults;
}

/** Runs SQL straight against the test database through the driver, bypassing the Worker (to arrange or inspect data). */
export async function sql<Row = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<Row[]> {
  neonConfig.fetchEndpoint = env.NEON_FETCH_ENDPOINT;
  return (await neon(env.DATABASE_URL).query(query, params)) as Row[];
}
