/**
 * One autocannon run, in its own process so the load generator does not share an
 * event loop with the stand-in it is measuring through. Reads its settings as JSON
 * from argv[2], prints the result as JSON on stdout. Used by load.ts.
 */
import autocannon from "autocannon";

export interface DriveSettings {
  url: string;
  method: "GET" | "POST" | "PATCH";
  /** Paths taken in turn, one per request. */
  paths: string[];
  headers: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

export interface DriveResult {
  requests: number;
  /** Requests sent during the warm-up, not in the figures. */
  warmupRequests: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p99: number; mean: number };
  errors: number;
  non2xx: number;
  statuses: Record<string, number>;
}

async function fire(settings: DriveSettings, seconds: number) {
  let next = 0;
  return autocannon({
    url: settings.url,
    connections: settings.connections,
    duration: seconds,
    method: settings.method,
    headers: settings.headers,
    ...(settings.body === undefined ? {} : { body: settings.body }),
    requests: [
      {
        setupRequest: (request) => {
          request.path = settings.paths[next++ % settings.paths.length] as string;
          return request;
        },
      },
    ],
  });
}

if (import.meta.main) {
  const settings = JSON.parse(process.argv[2] as string) as DriveSettings;
  const warmup = settings.warmupSeconds > 0 ? await fire(settings, settings.warmupSeconds) : undefined;
  const result = await fire(settings, settings.seconds);
  const statuses: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = Number(count);
  const output: DriveResult = {
    requests: result.requests.total,
    warmupRequests: warmup?.requests.total ?? 0,
    seconds: result.duration,
    perSecond: result.requests.total / result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.average },
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses,
  };
  process.stdout.write(JSON.stringify(output));
}
