import { env } from "cloudflare:workers";
import { neon, neonConfig } from "@neondatabase/serverless";
import type { Fault as StandInFault } from "../local/neon-http-server.ts";

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

/** A fault to arm (worker/local/neon-http-server.ts says what each does); `times` defaults to 1. */
export type Fault = Omit<StandInFault, "times"> & { times?: number };

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
