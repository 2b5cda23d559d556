/** Test access to the local Neon stand-in's control endpoints (enabled only in tests). */

function controlUrl(sqlEndpoint: string, path: string): string {
  return new URL(`/__stand-in/${path}`, sqlEndpoint).toString();
}

export async function resetDatabase(sqlEndpoint: string): Promise<void> {
  const response = await fetch(controlUrl(sqlEndpoint, "reset"), { method: "POST" });
  if (!response.ok) throw new Error(`stand-in reset failed: ${response.status} ${await response.text()}`);
}

/** Database round trips (HTTP requests to the SQL endpoint) served so far. */
export async function roundTrips(sqlEndpoint: string): Promise<number> {
  const response = await fetch(controlUrl(sqlEndpoint, "stats"));
  const stats = (await response.json()) as { requests: number };
  return stats.requests;
}
