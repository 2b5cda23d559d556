import { bundleBenchModule, type WorkerBundle } from "../lib/build.ts";
import { startCannedServer } from "../lib/canned.ts";
import { CannedAnswers } from "../lib/canned-lookup.ts";
import { log, type SectionResult, settle } from "../lib/section.ts";
import { formatNumber, formatPercent, formatRatio, median, quantile, spread, type Table } from "../lib/stats.ts";
import { briskVars, cpuNs, processCpuNs, type RunningWorkers, startWorkers } from "../lib/workerd.ts";
import type { BenchCase } from "./harness.ts";
import { type Recording, record } from "./record.ts";

/**
 * Benchmarks 1 and 4: the Worker's CPU per request, and the cost of a sign-in.
 * See bench/cpu/README.md for what is measured and how.
 */

export interface CpuOptions {
  /** Rounds of every case, interleaved; the median of the rounds is reported. */
  rounds: number;
  /** Length of one in-isolate loop. */
  loopMs: number;
  /** Sequential HTTP requests per case and round. */
  batch: number;
}

export const defaultCpuOptions: CpuOptions = { rounds: 11, loopMs: 150, batch: 60 };

const targetTaskRequestUs = 300;
/** The list of 50 costs at most this many times a single GET (issue 19). */
const targetListToGet = 2.5;
const targetVerifyUs = 50;

interface Timed {
  /** The in-isolate timer around the loop (wall time: includes waits inside workerd). */
  ms: number;
  n: number;
  statuses?: Record<string, number>;
  /** workerd's CPU time during the whole harness call, every thread (V8's GC and compiler threads too), in µs. */
  cpuUs: number;
  /** The same, workerd's main thread only (where the isolate runs JavaScript). */
  mainCpuUs: number;
}

export async function harnessCall(workers: RunningWorkers, path: string): Promise<Timed> {
  const before = cpuNs(workers.pid, "all");
  const mainBefore = cpuNs(workers.pid);
  const response = await fetch(new URL(path, workers.url));
  if (!response.ok) throw new Error(`harness ${path}: ${response.status} ${await response.text()}`);
  const timed = (await response.json()) as Omit<Timed, "cpuUs" | "mainCpuUs">;
  return {
    ...timed,
    cpuUs: (cpuNs(workers.pid, "all") - before) / 1000,
    mainCpuUs: (cpuNs(workers.pid) - mainBefore) / 1000,
  };
}

/** Loop length for ~loopMs of work, from a short probe. */
async function calibrate(workers: RunningWorkers, path: (n: number) => string, loopMs: number, probe = 20) {
  const { ms, n } = await harnessCall(workers, path(probe));
  const perCall = Math.max(ms / n, 0.001);
  return Math.max(3, Math.min(200_000, Math.round(loopMs / perCall)));
}

async function send(base: URL, benchCase: BenchCase): Promise<number> {
  const init: RequestInit = { method: benchCase.method, headers: benchCase.headers };
  if (benchCase.body !== undefined) init.body = benchCase.body;
  const response = await fetch(new URL(benchCase.path, base), init);
  await response.arrayBuffer();
  return response.status;
}

/** The in-isolate loop's Worker (harness.ts), bundled once; it imports the Brisk bundle as ./brisk.js. */
export function bundleHarness(): Promise<string> {
  return bundleBenchModule("cpu/harness.ts", ["./brisk.js"]);
}

/** A workerd running the harness around one Brisk bundle, with that bundle's recorded answers. */
export function startHarness(harnessCode: string, briskCode: string, recording: Recording): Promise<RunningWorkers> {
  return startWorkers([
    {
      name: "harness",
      modules: { "harness.js": harnessCode, "brisk.js": briskCode },
      vars: {
        ...briskVars("http://127.0.0.1:9/sql"),
        BENCH_TOKEN: recording.token,
        BENCH_PASSWORD_HASH: recording.passwordHash,
      },
      json: {
        BENCH_CASES: recording.cases,
        BENCH_RECORDING: recording.answers,
        BENCH_JWKS: recording.jwks,
        BENCH_FRESH_TOKENS: recording.freshTokens,
      },
    },
  ]);
}

export async function runCpu(bundle: WorkerBundle, options: CpuOptions = defaultCpuOptions): Promise<SectionResult> {
  log("cpu: recording database answers (real bundle, stand-in on PGlite)");
  const recording = await record(bundle.code);
  const canned = new CannedAnswers(recording.answers);
  const cannedServer = await startCannedServer(canned);
  const harness = await startHarness(await bundleHarness(), bundle.code, recording);
  const direct = await startWorkers([
    {
      name: "brisk",
      modules: { "index.js": bundle.code },
      vars: briskVars(cannedServer.url),
      // The live channel as deployed (load.ts does the same): without it every write over HTTP
      // paid for a failed fan-out and its log line instead of the RPC production makes.
      durableObjects: { LIVE: "LiveChannel" },
    },
  ]);
  try {
    return await measure(recording, harness, direct, canned, options);
  } finally {
    await Promise.all([harness.dispose(), direct.dispose()]);
    await cannedServer.close();
  }
}

async function measure(
  recording: Recording,
  harness: RunningWorkers,
  direct: RunningWorkers,
  canned: CannedAnswers,
  options: CpuOptions,
): Promise<SectionResult> {
  const requestCases = recording.cases.filter((c) => c.name !== "sign-in");
  const signIn = recording.cases.find((c) => c.name === "sign-in") as BenchCase;

  log("cpu: warming up");
  for (const benchCase of requestCases) {
    await harnessCall(harness, `/case?case=${benchCase.name}&n=30`);
    for (let i = 0; i < 30; i++) await send(direct.url, benchCase);
  }
  canned.misses = 0;

  const casePath =
    (name: string, handler = "") =>
    (n: number) =>
      `/case?case=${name}&n=${n}${handler}`;
  const loops = new Map<string, number>();
  for (const benchCase of requestCases) {
    loops.set(benchCase.name, await calibrate(harness, casePath(benchCase.name), options.loopMs));
  }
  loops.set("overhead", await calibrate(harness, casePath("get", "&handler=noop"), options.loopMs, 200));
  loops.set("overhead-fresh", await calibrate(harness, casePath("get-fresh", "&handler=noop"), options.loopMs, 200));
  const joseModes = ["jwks", "key", "import"] as const;
  for (const mode of joseModes) {
    loops.set(`jose-${mode}`, await calibrate(harness, (n) => `/jose?mode=${mode}&n=${n}`, options.loopMs));
  }

  /** Per case: the in-isolate loop's workerd CPU per call, and its timer per call, in µs. */
  const cpu = new Map<string, number[]>();
  const mainThread = new Map<string, number[]>();
  const timer = new Map<string, number[]>();
  const add = (name: string, timed: Timed) => {
    cpu.set(name, [...(cpu.get(name) ?? []), timed.cpuUs / timed.n]);
    mainThread.set(name, [...(mainThread.get(name) ?? []), timed.mainCpuUs / timed.n]);
    timer.set(name, [...(timer.get(name) ?? []), (timed.ms / timed.n) * 1000]);
  };
  const external = new Map<string, { wall: number[]; cpu: number[] }>();
  const problems: string[] = [];
  const checkStatuses = (name: string, timed: Timed, expected: string) => {
    const seen = Object.keys(timed.statuses ?? {});
    if (seen.length !== 1 || seen[0] !== expected) problems.push(`${name}: answered ${seen.join(", ")}`);
  };
  const expected: Record<string, string> = {
    bare: "404",
    "auth-only": "400",
    "auth-only-fresh": "400",
    create: "201",
    "sign-in": "200",
  };

  // Cross-check over the whole measurement: schedstat sums only the threads alive when it is
  // read, /proc/<pid>/stat counts ended threads too (in 10 ms ticks). Equal within the ticks:
  // no thread's CPU went missing from the per-call figures.
  const wholeRun = [harness, direct].map((workers) => ({
    pid: workers.pid,
    live: cpuNs(workers.pid, "all"),
    total: processCpuNs(workers.pid),
  }));
  log(`cpu: ${options.rounds} rounds of ${requestCases.length} requests, in-isolate and over HTTP`);
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order so no case always runs first (or right after the same one).
    const order = requestCases.map((_, i) => requestCases[(i + round) % requestCases.length] as BenchCase);
    for (const benchCase of order) {
      const timed = await harnessCall(harness, casePath(benchCase.name)(loops.get(benchCase.name) ?? 100));
      add(benchCase.name, timed);
      checkStatuses(benchCase.name, timed, expected[benchCase.name] ?? "200");
      // Over HTTP every request carries the recorded token: the fresh-token cases are in-isolate only.
      if (benchCase.freshToken) continue;

      const entry = external.get(benchCase.name) ?? { wall: [], cpu: [] };
      const cpuBefore = cpuNs(direct.pid, "all");
      for (let i = 0; i < options.batch; i++) {
        const start = performance.now();
        const status = await send(direct.url, benchCase);
        entry.wall.push((performance.now() - start) * 1000);
        if (String(status) !== (expected[benchCase.name] ?? "200"))
          problems.push(`${benchCase.name} over HTTP: ${status}`);
      }
      entry.cpu.push((cpuNs(direct.pid, "all") - cpuBefore) / 1000 / options.batch);
      external.set(benchCase.name, entry);
      await settle(10);
    }
    add("overhead", await harnessCall(harness, casePath("get", "&handler=noop")(loops.get("overhead") ?? 1000)));
    add(
      "overhead-fresh",
      await harnessCall(harness, casePath("get-fresh", "&handler=noop")(loops.get("overhead-fresh") ?? 1000)),
    );
    for (const mode of joseModes) {
      add(`jose-${mode}`, await harnessCall(harness, `/jose?mode=${mode}&n=${loops.get(`jose-${mode}`)}`));
    }
  }

  log("cpu: sign-in, password hashing");
  const signInRounds = Math.max(5, Math.ceil(options.rounds / 2));
  const signInCpu: number[] = [];
  for (let round = 0; round < signInRounds; round++) {
    const timed = await harnessCall(harness, "/case?case=sign-in&n=2");
    add("sign-in", timed);
    checkStatuses("sign-in", timed, "200");
    const cpuBefore = cpuNs(direct.pid, "all");
    const status = await send(direct.url, signIn);
    signInCpu.push((cpuNs(direct.pid, "all") - cpuBefore) / 1000);
    if (status !== 200) problems.push(`sign-in over HTTP: ${status}`);
    for (const name of ["hash", "verify"]) add(name, await harnessCall(harness, `/${name}?n=2`));
  }
  const crossCheck = wholeRun.map(({ pid, live, total }) => ({
    liveThreadsMs: (cpuNs(pid, "all") - live) / 1e6,
    processMs: (processCpuNs(pid) - total) / 1e6,
  }));
  if (canned.misses > 0) problems.push(`${canned.misses} round trips had no recorded answer`);

  return {
    name: "cpu",
    tables: tables({ cpu, mainThread, timer, external, signInCpu, options, signInRounds, crossCheck }),
    data: {
      inIsolateCpuUs: Object.fromEntries([...cpu].map(([name, values]) => [name, median(values)])),
      inIsolateMainThreadUs: Object.fromEntries([...mainThread].map(([name, values]) => [name, median(values)])),
      inIsolateTimerUs: Object.fromEntries([...timer].map(([name, values]) => [name, median(values)])),
      httpCpuUs: Object.fromEntries([...external].map(([name, value]) => [name, median(value.cpu)])),
      httpWallP50Us: Object.fromEntries([...external].map(([name, value]) => [name, quantile(value.wall, 0.5)])),
      signInHttpCpuUs: median(signInCpu),
      threadCrossCheck: { inIsolate: crossCheck[0], http: crossCheck[1] },
      loops: Object.fromEntries(loops),
      problems,
    },
    ...(problems.length ? { skipped: problems.slice(0, 5) } : {}),
  };
}

interface Measured {
  cpu: Map<string, number[]>;
  mainThread: Map<string, number[]>;
  timer: Map<string, number[]>;
  external: Map<string, { wall: number[]; cpu: number[] }>;
  signInCpu: number[];
  options: CpuOptions;
  signInRounds: number;
  /** workerd's CPU over the whole measurement, per process (in-isolate, HTTP): live threads' schedstat vs /proc/<pid>/stat. */
  crossCheck: { liveThreadsMs: number; processMs: number }[];
}

const labels: Record<string, string> = {
  bare: "bare route (404 under /api, no I/O)",
  "auth-only": "token verified, then 400 (no database)",
  get: "GET one task",
  patch: "PATCH one task",
  create: "POST a task (the load benchmark's create)",
  toggle: "PATCH …/complete, no body (its toggle)",
  list: "GET list, page of 50",
  "auth-only-fresh": "token verified, then 400, token never seen before",
  "get-fresh": "GET one task, token never seen before",
  "list-fresh": "GET list of 50, token never seen before",
  overhead: "the loop alone: build each Request, read each Response (no-op handler)",
  "overhead-fresh": "the loop alone, rotating tokens (no-op handler)",
};

function tables(m: Measured): Table[] {
  const cpuOf = (name: string) => median(m.cpu.get(name) ?? []);
  const timerOf = (name: string) => median(m.timer.get(name) ?? []);
  const bare = cpuOf("bare");
  const bareHttp = median(m.external.get("bare")?.cpu ?? []);
  const overheadOf = (name: string) => cpuOf(name.endsWith("-fresh") ? "overhead-fresh" : "overhead");
  const mark = (name: string, us: number) =>
    name.startsWith("get") || name === "patch"
      ? us <= targetTaskRequestUs
        ? " ✓"
        : " ✗"
      : name.startsWith("list")
        ? us <= targetTaskRequestUs &&
          us <=
            targetListToGet *
              (name.endsWith("-fresh")
                ? cpuOf("get-fresh") - overheadOf("get-fresh")
                : cpuOf("get") - overheadOf("get"))
          ? " ✓"
          : " ✗"
        : "";
  const requestTable: Table = {
    title: "1. CPU per request inside workerd (database answered instantly from recordings)",
    columns: [
      "request",
      "CPU µs",
      "minus loop",
      "× bare",
      "spread",
      "main thread µs",
      "timer µs",
      "HTTP: workerd CPU µs",
      "× bare",
      "HTTP p50 µs",
    ],
    rows: Object.keys(labels).map((name) => {
      const us = cpuOf(name);
      const net = us - overheadOf(name);
      const http = m.external.get(name);
      return [
        labels[name] ?? name,
        formatNumber(us),
        `${formatNumber(net)}${mark(name, net)}`,
        formatRatio(us / bare),
        formatPercent(spread(m.cpu.get(name) ?? [])),
        formatNumber(median(m.mainThread.get(name) ?? [])),
        formatNumber(timerOf(name)),
        http ? formatNumber(median(http.cpu)) : "–",
        http ? formatRatio(median(http.cpu) / bareHttp) : "–",
        http ? formatNumber(quantile(http.wall, 0.5)) : "–",
      ];
    }),
    notes: [
      `CPU µs: the real bundle's fetch handler called N times in a loop inside workerd (loops of ~${m.options.loopMs} ms), workerd's CPU time over every thread (schedstat of each /proc/<pid>/task: the isolate's thread and V8's garbage-collection and compiler threads) divided by N; median of ${m.options.rounds} interleaved rounds, spread = half the IQR. Main thread µs: the isolate's thread alone. Authenticated requests carry a bearer JWT; the database is answered in-isolate from recorded Neon answers.`,
      `Minus loop: CPU µs less the loop's own work (building each Request and reading each Response, measured with a no-op handler: ${formatNumber(cpuOf("overhead"))} µs, ${formatNumber(cpuOf("overhead-fresh"))} µs with token rotation) — the Worker's share. Timer µs: the in-isolate clock around the same loop (1 ms resolution; it also counts waits inside workerd).`,
      "Token never seen before: each request carries the next of 1 100 distinct valid tokens (more than the 1 000 the Worker remembers), so every one pays full RS256 verification; the other rows reuse one token (the warm, verified-token cache hit a browser's requests get for the token's 15 minutes).",
      `HTTP: ${m.options.batch} sequential requests per round from Node to workerd with a canned SQL-over-HTTP server; workerd's CPU per request (every thread) then adds HTTP parsing, Miniflare's entry worker, the subrequest and, for PATCH, the live channel's Durable Object (its RPC and the object's own work, which production runs and bills apart).`,
      `Every thread, cross-checked over the whole measurement: workerd's CPU summed over its live threads (schedstat) was ${m.crossCheck.map(({ liveThreadsMs, processMs }) => `${formatNumber(liveThreadsMs)} ms against ${formatNumber(processMs)} ms from /proc/<pid>/stat, which keeps ended threads' time (10 ms ticks)`).join(" in-isolate, and ")} over HTTP.`,
      `Targets on this machine (minus loop): GET and PATCH ≤ ${targetTaskRequestUs} µs; the list of 50 ≤ ${targetTaskRequestUs} µs and ≤ ${targetListToGet}× the GET with the same kind of token (✓/✗).`,
    ],
  };

  const verify = cpuOf("jose-jwks");
  const verifyTable: Table = {
    title: "1b. Access-token verification (jose, RS256, 2048-bit) inside workerd",
    columns: ["verification", "CPU µs", "× cached key set", "timer µs"],
    rows: [
      [
        "jwtVerify, cached key set (requireUser, warm)",
        `${formatNumber(verify, 1)}${verify <= targetVerifyUs ? " ✓" : " ✗"}`,
        "1.00×",
        formatNumber(timerOf("jose-jwks"), 1),
      ],
      [
        "jwtVerify, CryptoKey already imported",
        formatNumber(cpuOf("jose-key"), 1),
        formatRatio(cpuOf("jose-key") / verify),
        formatNumber(timerOf("jose-key"), 1),
      ],
      [
        "importJWK + jwtVerify every time (no key cache)",
        formatNumber(cpuOf("jose-import"), 1),
        formatRatio(cpuOf("jose-import") / verify),
        formatNumber(timerOf("jose-import"), 1),
      ],
      [
        "request with a token minus bare route (verify + 400)",
        formatNumber(cpuOf("auth-only") - bare, 1),
        formatRatio((cpuOf("auth-only") - bare) / verify),
        "–",
      ],
    ],
    notes: [
      `Target: ≤ ${targetVerifyUs} µs warm (✓/✗). jose keeps each imported key per JWK, so a warm isolate never re-imports.`,
    ],
  };

  const ms = (us: number) => formatNumber(us / 1000, 1);
  const signInTable: Table = {
    title: "4. Sign-in cost inside workerd",
    columns: ["work", "CPU ms", "× bare route"],
    rows: [
      ["sign-in request, in-isolate (canned database)", ms(cpuOf("sign-in")), formatRatio(cpuOf("sign-in") / bare)],
      ["sign-in request, workerd CPU over HTTP", ms(median(m.signInCpu)), formatRatio(median(m.signInCpu) / bareHttp)],
      ["scrypt verify (verifyPassword; sign-in)", ms(cpuOf("verify")), formatRatio(cpuOf("verify") / bare)],
      ["scrypt hash (hashPassword; sign-up, password change)", ms(cpuOf("hash")), formatRatio(cpuOf("hash") / bare)],
    ],
    notes: [
      `Sign-in: median of ${m.signInRounds} rounds; scrypt is better-auth/crypto on the native node:crypto path (nodejs_compat).`,
      "The common-password check is a primary-key lookup in the database (decision 010): no CPU of its own here.",
    ],
  };
  return [requestTable, verifyTable, signInTable];
}
