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
import { briskVars, cpuNs, origin, type RunningWorkers, startWorkers } from "../lib/workerd.ts";
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

type Variant = "jwt" | "session";
type Operation = "list" | "create" | "toggle";

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
  const standIn = await startNeonHttpServer({ backend });
  const running: RunningWorkers[] = [];
  try {
    await applyMigrations({ databaseUrl: standIn.databaseUrl, fetchEndpoint: standIn.url });
    const baselineCode = await bundleBenchModule("load/baseline-worker.ts");
    const jwt = await startWorkers([
      {
        name: "brisk",
        modules: { "index.js": bundle.code },
        vars: briskVars(standIn.url, { DATABASE_URL: standIn.databaseUrl }),
      },
    ]);
    running.push(jwt);
    const baseline = await startWorkers([
      {
        name: "baseline",
        modules: { "index.js": baselineCode },
        vars: briskVars(standIn.url, { DATABASE_URL: standIn.databaseUrl }),
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

    const workers: Record<Variant, RunningWorkers> = { jwt, session: baseline };
    const credential = (variant: Variant, user: SignedUpUser) => (variant === "jwt" ? user.token : user.sessionToken);
    const settingsFor = (operation: Operation, variant: Variant): DriveSettings => {
      const user = operation === "create" ? writer : reader;
      const headers: Record<string, string> = {
        Origin: origin,
        Authorization: `Bearer ${credential(variant, user)}`,
        "cf-connecting-ip": "198.18.100.1",
      };
      const common = {
        url: workers[variant].url.toString(),
        headers,
        connections: options.connections,
        seconds: options.seconds,
        warmupSeconds: options.warmupSeconds,
      };
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
      perRound: number[];
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
      perRound: [],
    });
    const results: Aggregate[] = [];
    const { rounds } = options;
    for (const [index, operation] of (["list", "create", "toggle"] as const).entries()) {
      const entries: Record<Variant, Aggregate> = {
        jwt: aggregate(operation, "jwt"),
        session: aggregate(operation, "session"),
      };
      log(
        `load: ${operation}, ${rounds} alternating rounds of ${formatNumber(options.seconds / rounds, 1)} s per design`,
      );
      for (const variant of ["jwt", "session"] as const) {
        await drive({ ...settingsFor(operation, variant), seconds: options.warmupSeconds, warmupSeconds: 0 });
      }
      for (let round = 0; round < rounds; round++) {
        const order: Variant[] = (round + index) % 2 === 0 ? ["jwt", "session"] : ["session", "jwt"];
        for (const variant of order) {
          const settings = { ...settingsFor(operation, variant), seconds: options.seconds / rounds, warmupSeconds: 0 };
          const tripsBefore = standIn.stats.requests;
          const cpuBefore = cpuNs(workers[variant].pid);
          const result = await drive(settings);
          const entry = entries[variant];
          entry.requests += result.requests;
          entry.seconds += result.seconds;
          entry.p50.push(result.latencyMs.p50);
          entry.p99.push(result.latencyMs.p99);
          entry.errors += result.errors + result.non2xx;
          entry.roundTrips += standIn.stats.requests - tripsBefore;
          entry.cpuUs += (cpuNs(workers[variant].pid) - cpuBefore) / 1000;
          entry.perRound.push(result.perSecond);
        }
      }
      for (const entry of Object.values(entries)) {
        entry.perSecond = entry.requests / entry.seconds;
        // Requests cut off when a run ended reached the database but are not counted: a hair over 1 or 2.
        entry.roundTrips /= Math.max(1, entry.requests);
        entry.cpuUs /= Math.max(1, entry.requests);
        results.push(entry);
      }
    }

    const find = (operation: Operation, variant: Variant) =>
      results.find((entry) => entry.operation === operation && entry.variant === variant);
    const table: Table = {
      title: `2. Load through workerd + stand-in + PostgreSQL (${options.connections} connections, ${options.seconds} s per case)`,
      columns: [
        "operation",
        "authentication",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "DB trips/req",
        "workerd CPU µs/req",
        "JWT ÷ session (rounds)",
      ],
      rows: results.map((entry) => {
        const other = find(entry.operation, "session");
        const ratios = other ? entry.perRound.map((value, i) => value / (other.perRound[i] ?? Number.NaN)) : [];
        return [
          entry.operation,
          entry.variant === "jwt" ? "access token (JWT)" : "session lookup (baseline)",
          formatNumber(entry.perSecond),
          formatNumber(median(entry.p50)),
          formatNumber(median(entry.p99)),
          String(entry.errors),
          formatNumber(entry.roundTrips, 2),
          formatNumber(entry.cpuUs),
          entry.variant === "jwt"
            ? `${formatRatio(median(ratios))} (${ratios.map((r) => r.toFixed(2)).join(", ")})`
            : "",
        ];
      }),
      notes: [
        `autocannon in its own process against workerd (the real bundle; bench/load/baseline-worker.ts for the baseline), the stand-in on a scratch database of the PostgreSQL server, all on loopback. Per operation: ${options.warmupSeconds} s of warm-up for each design, then ${rounds} rounds alternating the two; req/s over all rounds, p50 and p99 the median of the rounds', JWT ÷ session the median of the rounds' ratios (each round's in brackets).`,
        `list: the newest 50 of the user's tasks with the total; create: a new task; toggle: flips a task's completion, ${options.tasks} tasks in turn. Errors = connection errors + non-2xx answers.`,
        "All four processes (autocannon, workerd, the Node stand-in, PostgreSQL) share the machine's cores: the figures compare the two designs, they are not a capacity.",
      ],
    };
    return {
      name: "load",
      tables: [table],
      data: { results, options },
    };
  } finally {
    for (const workers of running) await workers.dispose();
    await standIn.close();
    await backend.close();
  }
}
