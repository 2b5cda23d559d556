/**
 * `pnpm soak` — sustained load on the real stack, bounded in time, on loopback:
 * `wrangler dev` (the root wrangler.jsonc) → the local Neon stand-in (its own process)
 * → a scratch database on the PostgreSQL server. Many clients, each its own user,
 * work through a realistic mix of task operations while a model of their
 * acknowledged writes is kept; memory is sampled every second.
 *
 *   pnpm soak                               40 clients, 10 s warm-up, 60 s measured
 *   pnpm soak --seconds 20                  a short run (CI)
 *   pnpm soak --warmup 150 --seconds 180    long enough to judge workerd's resident size too
 *   pnpm soak --clients 80 --timeout-ms 15000
 *
 * Exits 1 when any answer was unexpected (a 5xx, a timeout, a network error, a
 * status the model did not expect), when the API or the database disagrees with the
 * model at the end, or when memory was not flat. Writes bench/results/soak.md and
 * soak.json (git-ignored). See bench/soak/README.md.
 */
import { neon, neonConfig } from "@neondatabase/serverless";
import {
  type ServerTask,
  type StoredTaskRow,
  storedTask,
  storedTaskColumns,
} from "../../worker/test/acknowledged-model.ts";
import { describeMachine } from "../lib/machine.ts";
import { resultPath } from "../lib/paths.ts";
import { log } from "../lib/section.ts";
import { connectInspector } from "./inspector.ts";
import { MemorySampler, quarterOrFloor, type Series } from "./memory.ts";
import { rssBytes, startStandIn, startWranglerDev, workerdProcesses } from "./processes.ts";
import { Recorder } from "./recorder.ts";
import { report, type SoakOutcome } from "./report.ts";
import { SoakClient } from "./soak-client.ts";

export interface SoakOptions {
  seconds: number;
  clients: number;
  warmupSeconds: number;
  timeoutMs: number;
}

/**
 * workerd's resident size climbs for its first ~25 000 requests under this load and then
 * holds (a hello-world Worker does the same; README): it is judged only after a warm-up
 * at least this long, and reported otherwise.
 */
const rssWarmupSeconds = 120;

function parseArgs(argv: string[]): SoakOptions {
  const value = (name: string, fallback: number, min: number) => {
    const index = argv.indexOf(`--${name}`);
    if (index === -1) return fallback;
    const parsed = Number(argv[index + 1]);
    if (!Number.isInteger(parsed) || parsed < min) {
      console.error(`--${name} must be a whole number ≥ ${min}, not "${argv[index + 1]}"`);
      process.exit(2);
    }
    return parsed;
  };
  const seconds = value("seconds", 60, 10);
  return {
    seconds,
    clients: value("clients", 40, 2),
    // Long enough for workerd to compile the hot paths and for V8's heap to size itself to the load.
    warmupSeconds: value("warmup", Math.min(10, Math.round(seconds / 4)), 0),
    timeoutMs: value("timeout-ms", 15_000, 100),
  };
}

const options = parseArgs(process.argv.slice(2));
const command = `pnpm soak${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}`;
const machine = describeMachine();
const recorder = new Recorder();

console.log(
  `Brisk soak — ${new Date().toISOString()}\n` +
    `machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}\n` +
    `${options.clients} clients, ${options.warmupSeconds} s warm-up, ${options.seconds} s measured`,
);

log("soak: scratch database on the PostgreSQL server, stand-in (own process), migrations");
const standIn = await startStandIn();
const stopping: (() => Promise<void>)[] = [() => standIn.close()];
const stopAll = async () => {
  for (const stop of stopping.splice(0).reverse()) await stop().catch((error) => log(`stopping: ${String(error)}`));
};
// wrangler runs in its own process group: an interrupted soak must still end it and drop the scratch database.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stopAll().then(() => process.exit(130)));
}

let outcome: SoakOutcome;
try {
  log("soak: wrangler dev (root wrangler.jsonc) pointed at the stand-in");
  const wrangler = await startWranglerDev({
    standInUrl: standIn.url,
    databaseUrl: standIn.databaseUrl,
    logPath: resultPath("soak-wrangler.log"),
  });
  stopping.push(() => wrangler.stop());
  const inspector = await connectInspector(wrangler.inspectorPort);
  stopping.push(async () => inspector.close());

  const port = Number(new URL(wrangler.url).port);
  const workerPid = () => workerdProcesses(wrangler.pid, port).worker;
  const proxyPid = () => workerdProcesses(wrangler.pid, port).proxy;
  const rssOf = (pid: () => number | undefined) => () => {
    const current = pid();
    return current === undefined ? undefined : rssBytes(current);
  };
  const series: Series[] = [
    {
      name: "the Worker's isolate: live V8 heap (after a full GC)",
      read: () => inspector.liveHeap(),
      // A full collection pauses the isolate for tens of milliseconds: every 5 s, or 2 s in a short window.
      everySeconds: options.seconds >= 60 ? 5 : 2,
      pid: workerPid,
      judged: true,
      allowance: quarterOrFloor(8),
    },
    {
      name: "workerd running the Worker: RSS",
      read: rssOf(workerPid),
      pid: workerPid,
      judged:
        options.warmupSeconds >= rssWarmupSeconds || `reported: judged after --warmup ≥ ${rssWarmupSeconds} (README)`,
      allowance: quarterOrFloor(64),
    },
    {
      name: "stand-in (Node): RSS",
      read: rssOf(() => standIn.pid),
      pid: () => standIn.pid,
      judged: true,
      allowance: quarterOrFloor(48),
    },
    {
      name: "workerd, wrangler's proxy: RSS",
      read: rssOf(proxyPid),
      pid: proxyPid,
      judged: "reported: wrangler's own",
      allowance: quarterOrFloor(64),
    },
  ];
  const sampler = new MemorySampler(series, recorder);
  sampler.start();
  stopping.push(async () => sampler.stop());

  const runId = `${Date.now().toString(36)}${process.pid}`;
  const clients = Array.from(
    { length: options.clients },
    (_, index) => new SoakClient({ base: wrangler.url, index, recorder, timeoutMs: options.timeoutMs, runId }),
  );
  for (const client of clients) client.peers = clients;
  log(`soak: ${options.clients} clients sign up, each from its own address`);
  const signedUp = await Promise.all(clients.map((client) => client.signUp()));
  const active = clients.filter((_, i) => signedUp[i]);
  for (const client of active) client.peers = active;

  // One continuous load: the warm-up turns into the measured window without a pause.
  const window = { start: 0, end: 0, roundTrips: 0 };
  let tripsAtStart = 0;
  recorder.phase = "warm-up";
  log(`soak: warming up for ${options.warmupSeconds} s`);
  const end = Date.now() + (options.warmupSeconds + options.seconds) * 1000;
  const measuring = setTimeout(async () => {
    recorder.phase = "measured";
    window.start = Date.now();
    tripsAtStart = (await standIn.stats()).requests;
    log(`soak: measuring for ${options.seconds} s`);
  }, options.warmupSeconds * 1000);
  await Promise.all(active.map((client) => client.run(() => Date.now() < end)));
  clearTimeout(measuring);
  recorder.phase = "check";
  window.end = Date.now();
  window.roundTrips = (await standIn.stats()).requests - tripsAtStart;
  sampler.stop();

  log("soak: cross-user probes, then every user's tasks through the API and in the database");
  await Promise.all(active.map((client, i) => client.probeAll(active[(i + 1) % active.length] as SoakClient)));
  await Promise.all(active.map((client) => client.verifyThroughApi()));
  const databaseCheck = await verifyDatabase(active, active.length === clients.length);

  outcome = {
    options,
    command,
    machine,
    recorder,
    window,
    sampler,
    series,
    clients: active,
    signUpFailures: clients.length - active.length,
    databaseCheck,
    workerOutput: wrangler.output(),
  };
} finally {
  await stopAll();
}

process.exit(report(outcome) ? 0 : 1);

/** Every task row in the scratch database, read through the stand-in, against the clients' models. */
async function verifyDatabase(clients: SoakClient[], everyoneSignedUp: boolean): Promise<string> {
  neonConfig.fetchEndpoint = standIn.url;
  const sql = neon(standIn.databaseUrl);
  const rows = (await sql.query(`SELECT ${storedTaskColumns} FROM tasks`)) as StoredTaskRow[];
  const byUser = new Map<string, Map<string, ServerTask>>(clients.map((client) => [client.userId, new Map()]));
  const query = "SELECT … FROM tasks";
  for (const row of rows) {
    const task = storedTask(row);
    const tasks = byUser.get(row.user_id);
    if (tasks) tasks.set(row.id, task);
    else recorder.violation("phantom", "database", query, `task ${row.id} of a user no client knows (${row.user_id})`);
  }
  for (const client of clients) client.compare(byUser.get(client.userId) ?? new Map(), "database", query);
  // One account per person. (A sign-up that never got an answer may or may not have left one.)
  const [users] = (await sql`SELECT count(*)::int AS n FROM "user"`) as { n: number }[];
  if (everyoneSignedUp && users?.n !== clients.length) {
    const detail = `${users?.n} users for ${clients.length} sign-ups`;
    recorder.violation("accounts", "database", 'SELECT count(*) FROM "user"', detail);
  }
  return `${rows.length} task rows of ${clients.length} users compared`;
}
