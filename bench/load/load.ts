import { spawn } from "node:child_process";
import { join } from "node:path";
import { openScratchBackend } from "../../worker/local/local-database.ts";
import { startNeonHttpServer } from "../../worker/local/neon-http-server.ts";
import { applyMigrations } from "../../worker/scripts/migrate.ts";
import { sampleTask } from "../cpu/record.ts";
import { bundleBenchModule, type WorkerBundle } from "../lib/build.ts";
import { call, expectOk, type SignedUpUser, signUp } from "../lib/client.ts";
import { benchDir } from "../lib/paths.ts";
import { log, type SectionResult } from "../lib/section.ts";
import { formatNumber, formatRatio, median, type Table } from "../lib/stats.ts";
import { briskVars, origin, processCpuNs, type RunningWorkers, startWorkers } from "../lib/workerd.ts";
import { ensureSeedEnvironment, type RunningSeed, startSeed } from "../seed/seed.ts";
import type { DriveResult, DriveSettings } from "./drive.ts";

/**
 * Benchmark 2: load through the real stack — workerd running the real bundle, the
 * local Neon stand-in, the PostgreSQL server — driven by autocannon, next to a
 * baseline Worker that looks the session up in the database on every request.
 * See bench/load/README.md.
 */

export interface LoadOptions {
  /** Measured seconds per operation and design, split into `rounds` alternating runs. */
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  connections: number;
  /** Tasks the listing user has (the list reads the newest 50 of them). */
  tasks: number;
}

export const defaultLoadOptions: LoadOptions = { seconds: 10, rounds: 3, warmupSeconds: 2, connections: 8, tasks: 200 };

/** Brisk (access tokens), the session-lookup baseline Worker, and the seed plan's FastAPI service (bench/seed). */
type Variant = "jwt" | "session" | "fastapi";
type Operation = "floor" | "list" | "create" | "toggle";
const variantLabels: Record<Variant, string> = {
  jwt: "Brisk: access token (JWT)",
  session: "session lookup (baseline Worker)",
  fastapi: "seed stack: FastAPI + PyJWT + SQLAlchemy",
};

function drive(settings: DriveSettings): Promise<DriveResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(benchDir, "load", "drive.ts"), JSON.stringify(settings)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      try {
        resolve(JSON.parse(output) as DriveResult);
      } catch (error) {
        reject(error);
      }
    });
  });
}

export async function runLoad(bundle: WorkerBundle, options: LoadOptions = defaultLoadOptions): Promise<SectionResult> {
  log("load: scratch database on the PostgreSQL server, stand-in, migrations");
  const backend = await openScratchBackend("postgres");
  const standInServer = await startNeonHttpServer({ backend });
  const running: RunningWorkers[] = [];
  let seed: RunningSeed | undefined;
  let seedSkipped: string | undefined;
  try {
    await applyMigrations({ databaseUrl: standInServer.databaseUrl, fetchEndpoint: standInServer.url });
    const baselineCode = await bundleBenchModule("load/baseline-worker.ts");
    const jwt = await startWorkers([
      {
        name: "brisk",
        modules: { "index.js": bundle.code },
        vars: briskVars(standInServer.url, { DATABASE_URL: standInServer.databaseUrl }),
        // The live channel, as deployed: every write announces itself to the user's object.
        durableObjects: { LIVE: "LiveChannel" },
      },
    ]);
    running.push(jwt);
    const baseline = await startWorkers([
      {
        name: "baseline",
        modules: { "index.js": baselineCode },
        vars: briskVars(standInServer.url, { DATABASE_URL: standInServer.databaseUrl }),
      },
    ]);
    running.push(baseline);

    log(`load: two users, ${options.tasks} tasks to list and toggle`);
    const reader = await signUp(jwt.url, "load-reader@example.com");
    const writer = await signUp(jwt.url, "load-writer@example.com");
    const taskIds: string[] = [];
    for (let i = 0; i < options.tasks; i++) {
      const response = await expectOk(
        await call(jwt.url, `/api/${reader.id}/tasks`, { token: reader.token, body: sampleTask(i) }),
        "create",
      );
      taskIds.push(((await response.json()) as { id: string }).id);
    }
    // The baseline must answer what the real Worker answers.
    const check = await call(baseline.url, `/api/${reader.id}/tasks`, { token: reader.sessionToken });
    if (check.status !== 200) throw new Error(`baseline Worker: ${check.status} ${await check.text()}`);

    const environment = ensureSeedEnvironment();
    if (environment.ok) {
      const serverUrl = new URL(process.env.BRISK_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/postgres");
      const database = await backend.query({ query: "select current_database()", params: [] });
      serverUrl.pathname = `/${String(database.rows[0]?.[0])}`;
      serverUrl.protocol = "postgresql+psycopg:";
      const claims = JSON.parse(Buffer.from(reader.token.split(".")[1] as string, "base64url").toString()) as {
        iss: string;
        aud: string;
      };
      seed = await startSeed({
        databaseUrl: serverUrl.toString(),
        jwksUrl: new URL("/api/auth/jwks", jwt.url).toString(),
        issuer: claims.iss,
        audience: claims.aud,
      });
      const seedCheck = await call(seed.url, `/api/${reader.id}/tasks`, { token: reader.token });
      if (seedCheck.status !== 200) throw new Error(`FastAPI service: ${seedCheck.status} ${await seedCheck.text()}`);
    } else {
      seedSkipped = `the seed stack could not be installed: ${environment.why}`;
      log(`load: ${seedSkipped}`);
    }
    const variants: Variant[] = seed ? ["jwt", "session", "fastapi"] : ["jwt", "session"];
    const servers: Record<Variant, { url: URL; pid: number }> = {
      jwt,
      session: baseline,
      fastapi: seed ?? jwt,
    };
    const credential = (variant: Variant, user: SignedUpUser) =>
      variant === "session" ? user.sessionToken : user.token;
    const settingsFor = (operation: Operation, variant: Variant): DriveSettings => {
      const user = operation === "create" ? writer : reader;
      const headers: Record<string, string> = {
        Origin: origin,
        Authorization: `Bearer ${credential(variant, user)}`,
        "cf-connecting-ip": "198.18.100.1",
      };
      const common = {
        url: servers[variant].url.toString(),
        headers,
        connections: options.connections,
        seconds: options.seconds,
        warmupSeconds: options.warmupSeconds,
      };
      // The floor: a 404 under /api, no database and no token — what every server does for nothing.
      if (operation === "floor") return { ...common, method: "GET", paths: ["/api/no-such-route"] };
      if (operation === "list") {
        return {
          ...common,
          method: "GET",
          paths: [`/api/${user.id}/tasks?status=all&sort=created&order=desc&limit=50`],
        };
      }
      if (operation === "create") {
        headers["Content-Type"] = "application/json";
        const body = JSON.stringify({ title: "Load test task", priority: "low", tags: ["load"] });
        return { ...common, method: "POST", paths: [`/api/${user.id}/tasks`], body };
      }
      return { ...common, method: "PATCH", paths: taskIds.map((id) => `/api/${user.id}/tasks/${id}/complete`) };
    };

    interface Aggregate {
      operation: Operation;
      variant: Variant;
      requests: number;
      seconds: number;
      perSecond: number;
      p50: number[];
      p99: number[];
      errors: number;
      roundTrips: number;
      cpuUs: number;
      /** The bench process's CPU (the Node stand-in in front of PostgreSQL, which production does not run). */
      standInUs: number;
      perRound: number[];
      cpuPerRound: number[];
    }
    const aggregate = (operation: Operation, variant: Variant): Aggregate => ({
      operation,
      variant,
      requests: 0,
      seconds: 0,
      perSecond: 0,
      p50: [],
      p99: [],
      errors: 0,
      roundTrips: 0,
      cpuUs: 0,
      standInUs: 0,
      perRound: [],
      cpuPerRound: [],
    });
    const results: Aggregate[] = [];
    const { rounds } = options;
    for (const [index, operation] of (["floor", "list", "create", "toggle"] as const).entries()) {
      const entries = Object.fromEntries(variants.map((variant) => [variant, aggregate(operation, variant)])) as Record<
        Variant,
        Aggregate
      >;
      log(
        `load: ${operation}, ${rounds} interleaved rounds of ${formatNumber(options.seconds / rounds, 1)} s per design`,
      );
      for (const variant of variants) {
        await drive({ ...settingsFor(operation, variant), seconds: options.warmupSeconds, warmupSeconds: 0 });
      }
      for (let round = 0; round < rounds; round++) {
        // Rotate which design goes first.
        const order = variants.map((_, i) => variants[(i + round + index) % variants.length] as Variant);
        for (const variant of order) {
          const settings = { ...settingsFor(operation, variant), seconds: options.seconds / rounds, warmupSeconds: 0 };
          const tripsBefore = standInServer.stats.requests;
          const cpuBefore = processCpuNs(servers[variant].pid);
          const standInBefore = process.cpuUsage();
          const result = await drive(settings);
          const standIn = process.cpuUsage(standInBefore);
          const cpuUs = (processCpuNs(servers[variant].pid) - cpuBefore) / 1000;
          const entry = entries[variant];
          entry.requests += result.requests;
          entry.seconds += result.seconds;
          entry.p50.push(result.latencyMs.p50);
          entry.p99.push(result.latencyMs.p99);
          const unexpected =
            operation === "floor"
              ? Object.entries(result.statuses)
                  .filter(([status]) => status !== "404")
                  .reduce((sum, [, count]) => sum + count, 0)
              : result.non2xx;
          entry.errors += result.errors + unexpected;
          entry.roundTrips += standInServer.stats.requests - tripsBefore;
          entry.cpuUs += cpuUs;
          entry.standInUs += standIn.user + standIn.system;
          entry.perRound.push(result.perSecond);
          entry.cpuPerRound.push(cpuUs / Math.max(1, result.requests));
        }
      }
      for (const entry of Object.values(entries)) {
        entry.perSecond = entry.requests / entry.seconds;
        // Requests cut off when a run ended reached the database but are not counted: a hair over 1 or 2.
        entry.roundTrips /= Math.max(1, entry.requests);
        entry.cpuUs /= Math.max(1, entry.requests);
        entry.standInUs /= Math.max(1, entry.requests);
        results.push(entry);
      }
    }

    const find = (operation: Operation, variant: Variant) =>
      results.find((entry) => entry.operation === operation && entry.variant === variant);
    const roundRatios = (entry: Aggregate, other: Aggregate | undefined, of: (a: Aggregate) => number[]) =>
      other ? of(entry).map((value, i) => value / (of(other)[i] ?? Number.NaN)) : [];
    const table: Table = {
      title: `2. Load through workerd + stand-in + PostgreSQL (${options.connections} connections, ${options.seconds} s per case)`,
      columns: [
        "operation",
        "server",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "DB trips/req",
        "server CPU µs/req",
        "stand-in CPU µs/req",
        "÷ session lookup (rounds)",
      ],
      rows: results.map((entry) => {
        const ratios = roundRatios(entry, find(entry.operation, "session"), (a) => a.perRound);
        return [
          entry.operation,
          variantLabels[entry.variant],
          formatNumber(entry.perSecond),
          formatNumber(median(entry.p50)),
          formatNumber(median(entry.p99)),
          String(entry.errors),
          entry.variant === "fastapi" ? "–" : formatNumber(entry.roundTrips, 2),
          formatNumber(entry.cpuUs),
          entry.variant === "fastapi" ? "–" : formatNumber(entry.standInUs),
          entry.variant === "jwt"
            ? `${formatRatio(median(ratios))} (${ratios.map((r) => r.toFixed(2)).join(", ")})`
            : "",
        ];
      }),
      notes: [
        `autocannon in its own process against each server: workerd running the real bundle (bench/load/baseline-worker.ts for the session-lookup baseline), and, when it could be installed, the seed plan's FastAPI service (bench/seed: uvicorn, one process). Brisk and the baseline reach the scratch database of the PostgreSQL server through the Node stand-in for Neon's HTTP endpoint; FastAPI through its own SQLAlchemy pool. Per operation: ${options.warmupSeconds} s of warm-up for each, then ${rounds} rounds rotating which goes first; req/s over all rounds, p50 and p99 the median of the rounds', ratios the median of the rounds' ratios (each round's in brackets).`,
        `floor: GET /api/no-such-route, a 404 (no database, no token; 404 is its expected answer); list: the newest 50 of the user's tasks with the total; create: a new task; toggle: flips a task's completion, ${options.tasks} tasks in turn. Errors = connection errors + non-2xx answers.`,
        "Server CPU: the server process's CPU time, every thread (utime + stime of /proc/<pid>/stat, 10 ms ticks), per request. Stand-in CPU: the bench process's CPU per request, almost all of it the stand-in, which production replaces with Neon's own proxy; it is harness cost and not in server CPU.",
        "All processes (autocannon, the servers, the Node stand-in, PostgreSQL) share the machine's cores: the figures compare the designs, they are not a capacity.",
      ],
    };
    const tables = [table];
    if (seed) {
      const targetCpuShare = 1 / 3;
      tables.push({
        title: "2b. Brisk beside the seed plan's stack (FastAPI + PyJWT + SQLAlchemy), same PostgreSQL, same run",
        columns: [
          "operation",
          "Brisk req/s",
          "FastAPI req/s",
          "req/s Brisk ÷ FastAPI (rounds)",
          "Brisk p50/p99 ms",
          "FastAPI p50/p99 ms",
          "CPU µs/req Brisk",
          "CPU µs/req FastAPI",
          "CPU Brisk ÷ FastAPI (rounds)",
          "CPU above floor, Brisk ÷ FastAPI",
        ],
        rows: (["floor", "list", "create", "toggle"] as const).map((operation) => {
          const brisk = find(operation, "jwt") as Aggregate;
          const fastapi = find(operation, "fastapi") as Aggregate;
          const rate = roundRatios(brisk, fastapi, (a) => a.perRound);
          const cpu = roundRatios(brisk, fastapi, (a) => a.cpuPerRound);
          const cpuShare = median(cpu);
          const briskFloor = (find("floor", "jwt") as Aggregate).cpuUs;
          const fastapiFloor = (find("floor", "fastapi") as Aggregate).cpuUs;
          const aboveFloor = (brisk.cpuUs - briskFloor) / (fastapi.cpuUs - fastapiFloor);
          const mark = operation === "floor" ? "" : cpuShare <= targetCpuShare ? " ✓" : " ✗";
          return [
            operation,
            formatNumber(brisk.perSecond),
            formatNumber(fastapi.perSecond),
            `${formatRatio(median(rate))} (${rate.map((r) => r.toFixed(2)).join(", ")})`,
            `${formatNumber(median(brisk.p50))} / ${formatNumber(median(brisk.p99))}`,
            `${formatNumber(median(fastapi.p50))} / ${formatNumber(median(fastapi.p99))}`,
            formatNumber(brisk.cpuUs),
            formatNumber(fastapi.cpuUs),
            `${formatRatio(cpuShare)}${mark} (${cpu.map((r) => r.toFixed(2)).join(", ")})`,
            operation === "floor" ? "" : formatRatio(aboveFloor),
          ];
        }),
        notes: [
          "Target (issue 19): Brisk's server CPU per request ≤ 1/3 of the FastAPI stack's on list, create and toggle (✓/✗). Brisk's server CPU is workerd's (every thread); the stand-in it needs locally is not in it (table 2).",
          "CPU above floor: each server's CPU per request less its own floor's (the 404): what the operation adds to a request that does nothing. Locally workerd's floor is mostly Miniflare's entry worker and HTTP handling, which Cloudflare's edge does outside the Worker's billed CPU; uvicorn's floor is its own HTTP handling.",
          "What each design pays besides its server: Brisk one HTTP round trip to Neon per request (here the stand-in); FastAPI one or two statements on a pooled connection (list: the page and the capped count; create and toggle: the sequence and the task, one transaction). Both verify an RS256 token per request; Brisk remembers verified tokens, PyJWT verifies every time (its PyJWKClient caches the key set, not the verification).",
        ],
      });
    }
    return {
      name: "load",
      tables,
      data: { results, options, ...(seedSkipped ? { seedSkipped } : {}) },
    };
  } finally {
    for (const workers of running) await workers.dispose();
    await seed?.dispose();
    await standInServer.close();
    await backend.close();
  }
}
