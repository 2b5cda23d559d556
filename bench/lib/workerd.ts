import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { root } from "./paths.ts";

/**
 * Workers run in workerd through Miniflare (the engine under `wrangler dev`), from
 * already-built bundles: the modules are handed over as they are, nothing is rebuilt.
 */

export interface WorkerSpec {
  name: string;
  /** Module name → source; the first is the entry point. */
  modules: Record<string, string>;
  /** Plain-text bindings (vars and secrets alike). */
  vars?: Record<string, string>;
  /** JSON bindings. */
  json?: Record<string, unknown>;
  /** Durable Object bindings → the class the module exports (SQLite-backed, as wrangler.jsonc declares them). */
  durableObjects?: Record<string, string>;
}

export interface RunningWorkers {
  /** The HTTP address of the first worker (Miniflare's entry routes every request to it). */
  url: URL;
  /** workerd's process id: its CPU time is what the Worker costs. */
  pid: number;
  mf: Miniflare;
  dispose(): Promise<void>;
}

/** The compatibility settings of wrangler.jsonc, so the bundle runs as it would when deployed. */
export function compatibility(): { compatibilityDate: string; compatibilityFlags: string[] } {
  // The top-level keys, read from the text: bench has no JSONC parser, and these two are plain strings.
  const config = readFileSync(join(root, "wrangler.jsonc"), "utf8");
  const date = /^ {2}"compatibility_date"\s*:\s*"([^"]+)"/m.exec(config)?.[1];
  const flags = /^ {2}"compatibility_flags"\s*:\s*\[([^\]]*)\]/m.exec(config)?.[1] ?? "";
  if (!date) throw new Error("wrangler.jsonc has no compatibility_date");
  return {
    compatibilityDate: date,
    compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((match) => match[1] as string),
  };
}

export async function startWorkers(
  specs: WorkerSpec[],
  options: { inspectorPort?: number } = {},
): Promise<RunningWorkers> {
  const before = new Set(childWorkerdPids());
  const { compatibilityDate, compatibilityFlags } = compatibility();
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
    logRequests: false,
    log: new Log(LogLevel.WARN),
    workers: specs.map((spec) => {
      const names = Object.keys(spec.modules);
      const env: Record<
        string,
        | { type: "text"; value: string }
        | { type: "json"; value: never }
        | { type: "durable-object"; worker: string; exportName: string }
      > = {};
      for (const [name, value] of Object.entries(spec.vars ?? {})) env[name] = { type: "text", value };
      for (const [name, value] of Object.entries(spec.json ?? {})) env[name] = { type: "json", value: value as never };
      const exports: Record<string, { type: "durable-object"; storage: "sqlite" }> = {};
      for (const [name, className] of Object.entries(spec.durableObjects ?? {})) {
        env[name] = { type: "durable-object", worker: spec.name, exportName: className };
        exports[className] = { type: "durable-object", storage: "sqlite" };
      }
      return {
        config: {
          name: spec.name,
          compatibilityDate,
          compatibilityFlags,
          manifest: {
            mainModule: names[0] as string,
            modules: Object.fromEntries(
              Object.entries(spec.modules).map(([name, contents]) => [name, { type: "esm" as const, contents }]),
            ),
          },
          env,
          ...(Object.keys(exports).length > 0 ? { exports } : {}),
        },
      };
    }),
  });
  const url = await mf.ready;
  const pid = childWorkerdPids().find((candidate) => !before.has(candidate));
  if (pid === undefined) {
    await mf.dispose();
    throw new Error("could not find the workerd process Miniflare started");
  }
  return { url, pid, mf, dispose: () => mf.dispose() };
}

/** Process ids of the workerd processes this Node process started. */
function childWorkerdPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (match?.[1] === "workerd" && Number(match[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/**
 * CPU time a process has used so far, in nanoseconds, from the scheduler's run time
 * (/proc/<pid>/task/<tid>/schedstat: nanosecond resolution, unlike the 10 ms ticks of
 * /proc/<pid>/stat). Waiting for I/O is not in it. By default only the main thread,
 * where workerd runs every isolate: what Cloudflare bills as a request's CPU time.
 * `all` adds V8's background threads (concurrent garbage collection, compilation).
 */
export function cpuNs(pid: number, threads: "all" | "main" = "main"): number {
  let total = 0;
  for (const tid of threads === "main" ? [String(pid)] : readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended
    }
  }
  return total;
}

/**
 * A process's CPU time over its whole life, every thread included — those that have
 * ended too (`utime + stime` of /proc/<pid>/stat, in clock ticks of 10 ms). For long runs
 * of servers whose thread pools come and go (uvicorn's); schedstat per live thread
 * (`cpuNs`) is finer but forgets a thread's time when it ends.
 */
export function processCpuNs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of proc(5), counted from the state (field 3) at index 0.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e9) / clockTicksPerSecond;
}

/** `getconf CLK_TCK`: 100 on Linux for x86-64 and arm64. */
const clockTicksPerSecond = 100;

/**
 * The Worker's bindings for a local run: the test suite's secrets, and the database behind `endpoint`.
 * A stand-in serves only its own run: pass its `databaseUrl` (the password is its secret) as DATABASE_URL.
 */
export function briskVars(endpoint: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: "postgresql://brisk:no-stand-in@localhost/brisk",
    BETTER_AUTH_URL: origin,
    BETTER_AUTH_SECRET: "bench-secret-that-is-long-enough-for-better-auth",
    NEON_FETCH_ENDPOINT: endpoint,
    DB_TIMEOUT_MS: "5000",
    // A day: tokens minted at the start of a run stay valid through it.
    ACCESS_TOKEN_TTL_SECONDS: "86400",
    TRUSTED_ORIGINS: "",
    // Required since accounts send mail; the development mailbox keeps it (the origin is localhost).
    MAIL_FROM: "Brisk <no-reply@brisk.example.com>",
    DEV_MAILBOX: "on",
    ...overrides,
  };
}

/** The origin the Worker believes it serves (BETTER_AUTH_URL); requests carry it as Origin. */
export const origin = "http://localhost";
