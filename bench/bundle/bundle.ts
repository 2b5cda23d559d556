import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";
import { startNeonHttpServer } from "../../worker/local/neon-http-server.ts";
import { openPgliteBackend } from "../../worker/local/pglite-backend.ts";
import { applyMigrations } from "../../worker/scripts/migrate.ts";
import { frontCodedCommonPasswords } from "../../worker/src/auth/common-passwords.data.ts";
import { bundleWorker, type WorkerBundle } from "../lib/build.ts";
import { call, signUp } from "../lib/client.ts";
import { gzipSize, measurePages } from "../lib/page-js.ts";
import { benchDir } from "../lib/paths.ts";
import { log, type SectionResult } from "../lib/section.ts";
import { packageOf, readSourceMap, splitByPackage } from "../lib/sourcemap.ts";
import { formatNumber, formatRatio, kib, median, type Table } from "../lib/stats.ts";
import { briskVars, cpuNs, startWorkers } from "../lib/workerd.ts";

/**
 * Benchmark 3: the Worker bundle's size and where it comes from, its start-up time
 * next to a hello-world Worker, the same for the bundle with the proposed `[alias]`
 * entries, and the JavaScript each page of the site ships. See bench/bundle/README.md.
 */

const stub = (name: string) => join(benchDir, "bundle", "stubs", name);

/**
 * The proposed wrangler.toml `[alias]` entries, pointing at this folder's stand-ins.
 * Stage 1 changes nothing Brisk does; stage 2 also drops the OAuth clients of Better
 * Auth's social providers, which Brisk does not configure.
 */
export const proposedAliases: Record<string, string> = {
  "@better-auth/kysely-adapter": stub("kysely-adapter.ts"),
  kysely: stub("kysely.ts"),
  zod: stub("zod.js"),
};
export const stage2Aliases: Record<string, string> = {
  ...proposedAliases,
  "@better-auth/core/social-providers": stub("social-providers.ts"),
};

const helloWorld = `export default { fetch() { return new Response("hello"); } };`;

export interface BundleOptions {
  startupSamples: number;
  /** The built site to measure (bench/results/site, or web/dist). */
  site: string;
}

export async function runBundle(current: WorkerBundle, options: BundleOptions): Promise<SectionResult> {
  log("bundle: building the variants with the proposed [alias] entries");
  const slim = await bundleWorker("worker-slim", proposedAliases);
  const slimmer = await bundleWorker("worker-slim2", stage2Aliases);
  const shimCheck = await checkZodShim();
  const smoke = await smokeTest({ current: current.code, slim: slim.code, slimmer: slimmer.code });

  log(`bundle: start-up, ${options.startupSamples} fresh workerd instances per Worker`);
  const startup = await measureStartup(
    { hello: helloWorld, current: current.code, slim: slim.code, slimmer: slimmer.code },
    options.startupSamples,
  );

  const sizes = (bundle: WorkerBundle) => ({
    raw: Buffer.byteLength(bundle.code),
    gzip: gzipSize(bundle.code),
    brotli: brotliCompressSync(bundle.code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  });
  const currentSize = sizes(current);
  const slimSize = sizes(slim);
  const slimmerSize = sizes(slimmer);
  const helloStart = median(startup.hello?.wall ?? []);
  const helloCpu = median(startup.hello?.cpu ?? []);
  const target = 300 * 1024;
  const row = (label: string, size: ReturnType<typeof sizes>, name: string) => [
    `${label}${size.gzip <= target ? " ✓" : " ✗"}`,
    kib(size.raw),
    kib(size.gzip),
    kib(size.brotli),
    ...startupCells(name),
  ];

  const sizeTable: Table = {
    title: "3. Worker bundle and start-up",
    columns: ["Worker", "minified", "gzip", "brotli", "start-up ms", "× hello", "workerd CPU ms", "× hello"],
    rows: [
      ["hello world (1 line)", "–", "–", "–", ...startupCells("hello")],
      row("Brisk, as built (pnpm bundle)", currentSize, "current"),
      row("with [alias] stage 1: kysely, zod", slimSize, "slim"),
      row("with [alias] stage 2: + social providers", slimmerSize, "slimmer"),
    ],
    notes: [
      `Target: Worker ≤ 300 KiB gzip (✓/✗). Sizes of index.js as wrangler deploy --dry-run writes it (gzip level 9, brotli 11).`,
      `Start-up: a fresh Miniflare (workerd) instance per sample, from its creation to the first response of the bare route (GET /api/no-such-route), median of ${options.startupSamples}, Workers alternating; workerd CPU: its main thread's CPU time at that point.`,
      `[alias] stand-ins (bench/bundle/stubs): stage 1 — kysely and @better-auth/kysely-adapter → stand-ins that throw (Brisk gives Better Auth a drizzle adapter), zod → zod's own API without z.locales; stage 2 adds @better-auth/core/social-providers → no providers (Brisk configures none). Zod stand-in exports ${shimCheck}; the same requests through all three bundles: ${smoke}.`,
    ],
  };
  function startupCells(name: string): string[] {
    const wall = median(startup[name]?.wall ?? []);
    const cpu = median(startup[name]?.cpu ?? []);
    return [formatNumber(wall), formatRatio(wall / helloStart), formatNumber(cpu, 1), formatRatio(cpu / helloCpu)];
  }

  const attribution = attribute(current, slimmer);
  const pages = measurePages(options.site);
  const pageTable: Table = {
    title: "3b. JavaScript each page ships (the site as pnpm build builds it)",
    columns: ["page", "JS files", "inline scripts", "minified", "gzip", "on demand (gzip)"],
    rows: pages.map((page) => [
      page.page,
      String(page.files),
      String(page.inlineScripts),
      kib(page.rawBytes),
      kib(page.gzipBytes),
      page.lazyGzipBytes ? kib(page.lazyGzipBytes) : "–",
    ]),
    notes: [
      "Module scripts and islands a page names, their static imports, and inline scripts; gzip per file, summed.",
    ],
  };

  return {
    name: "bundle",
    tables: [sizeTable, attribution, pageTable],
    data: {
      current: currentSize,
      slim: slimSize,
      slimmer: slimmerSize,
      startup: Object.fromEntries(
        Object.entries(startup).map(([name, value]) => [
          name,
          { wallMs: median(value.wall), cpuMs: median(value.cpu) },
        ]),
      ),
      pages,
      zodShim: shimCheck,
      smoke,
    },
  };
}

/** Where the bundle's bytes come from: minified bytes from esbuild's metafile, gzip by source-map stretches. */
function attribute(current: WorkerBundle, slim: WorkerBundle): Table {
  let passwordList = 0;
  const byPackage = (bundle: WorkerBundle) => {
    const meta = JSON.parse(readFileSync(bundle.metafile, "utf8")) as {
      outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
    };
    const output = Object.values(meta.outputs).find((candidate) => candidate.entryPoint);
    const raw = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
      const name = packageOf(input);
      raw.set(name, (raw.get(name) ?? 0) + bytesInOutput);
      if (input.endsWith("common-passwords.data.ts")) passwordList = bytesInOutput;
    }
    const gzip = new Map<string, number>();
    for (const [name, text] of splitByPackage(bundle.code, readSourceMap(readFileSync(bundle.sourcemap, "utf8")))) {
      gzip.set(name, gzipSize(text));
    }
    return { raw, gzip };
  };
  const before = byPackage(current);
  const passwordGzip = gzipSize(JSON.stringify(frontCodedCommonPasswords));
  const after = byPackage(slim);
  const group = (name: string) => (name.startsWith("worker/src/") ? "worker/src (Brisk's own code)" : name);
  const sum = (map: Map<string, number>) => {
    const grouped = new Map<string, number>();
    for (const [name, bytes] of map) grouped.set(group(name), (grouped.get(group(name)) ?? 0) + bytes);
    return grouped;
  };
  const raw = sum(before.raw);
  const gzip = sum(before.gzip);
  const slimRaw = sum(after.raw);
  const slimGzip = sum(after.gzip);
  const names = [...raw.keys()].sort((a, b) => (raw.get(b) ?? 0) - (raw.get(a) ?? 0));
  const shown = names.slice(0, 14);
  const rest = (map: Map<string, number>) =>
    [...map].filter(([name]) => !shown.includes(name)).reduce((total, [, bytes]) => total + bytes, 0);
  const cell = (map: Map<string, number>, name: string) => (map.has(name) ? kib(map.get(name) ?? 0) : "–");
  return {
    title: "3a. What the Worker bundle is made of",
    columns: ["package", "minified", "gzip alone", "[alias] stage 2: minified", "gzip alone"],
    rows: [
      ...shown.map((name) => [name, cell(raw, name), cell(gzip, name), cell(slimRaw, name), cell(slimGzip, name)]),
      ["everything else", kib(rest(raw)), kib(rest(gzip)), kib(rest(slimRaw)), kib(rest(slimGzip))],
    ],
    notes: [
      `Minified: esbuild's metafile. Gzip alone: each package's stretches of index.js (by its source map) compressed on their own; they add up to more than the whole, which shares one dictionary. worker/src includes the bundled list of common passwords (common-passwords.data.ts: ${kib(passwordList)} minified, ${kib(passwordGzip)} gzip alone).`,
    ],
  };
}

/** The zod stand-in must export exactly what zod does, less `locales`. */
async function checkZodShim(): Promise<string> {
  const real = Object.keys(await import("zod"));
  const shim = Object.keys(await import(proposedAliases.zod as string));
  const missing = real.filter((name) => name !== "locales" && !shim.includes(name));
  const extra = shim.filter((name) => !real.includes(name));
  return missing.length === 0 && extra.length === 0
    ? `all ${shim.length} of zod's exports except locales (checked)`
    : `MISMATCH: missing ${missing.join(", ") || "none"}; extra ${extra.join(", ") || "none"}`;
}

/**
 * Both bundles through the same requests on the real stand-in: sign-up, token, a task
 * created, a validation failure (zod's English messages), a list. The answers' status
 * codes and error messages must match.
 */
async function smokeTest(bundles: Record<string, string>): Promise<string> {
  const transcripts: Record<string, string[]> = {};
  for (const [name, code] of Object.entries(bundles)) {
    const backend = await openPgliteBackend();
    const standIn = await startNeonHttpServer({ backend });
    await applyMigrations({ databaseUrl: "postgresql://brisk:brisk@localhost/brisk", fetchEndpoint: standIn.url });
    const workers = await startWorkers([
      { name: "brisk", modules: { "index.js": code }, vars: briskVars(standIn.url) },
    ]);
    try {
      const user = await signUp(workers.url, `smoke-${name}@example.com`);
      const lines: string[] = [];
      const note = async (what: string, response: Response) => {
        const body = (await response.json()) as { code?: string; errors?: { message: string }[] } | unknown[];
        const detail = Array.isArray(body)
          ? `${body.length} tasks`
          : `${body.code ?? ""} ${JSON.stringify(body.errors ?? [])}`;
        lines.push(`${what} ${response.status} ${detail}`);
      };
      await note(
        "create",
        await call(workers.url, `/api/${user.id}/tasks`, { token: user.token, body: { title: "smoke" } }),
      );
      await note(
        "invalid",
        await call(workers.url, `/api/${user.id}/tasks`, { token: user.token, body: { title: "" } }),
      );
      await note(
        "weak",
        await call(workers.url, "/api/auth/sign-up/email", {
          body: { name: "x", email: "w@example.com", password: "password123" },
        }),
      );
      await note("list", await call(workers.url, `/api/${user.id}/tasks?status=all`, { token: user.token }));
      await note("bad query", await call(workers.url, `/api/${user.id}/tasks?colour=blue`, { token: user.token }));
      transcripts[name] = lines;
    } finally {
      await workers.dispose();
      await standIn.close();
      await backend.close();
    }
  }
  const [first, ...others] = Object.values(transcripts);
  const same = others.every((lines) => JSON.stringify(lines) === JSON.stringify(first));
  return same ? `identical answers (${first?.length} requests)` : `DIFFERENT: ${JSON.stringify(transcripts)}`;
}

async function measureStartup(workers: Record<string, string>, samples: number) {
  const results: Record<string, { wall: number[]; cpu: number[] }> = {};
  const names = Object.keys(workers);
  for (let sample = 0; sample < samples; sample++) {
    const order = sample % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const start = performance.now();
      const running = await startWorkers([
        { name: "w", modules: { "index.js": workers[name] as string }, vars: briskVars("http://127.0.0.1:9/sql") },
      ]);
      try {
        const response = await fetch(new URL("/api/no-such-route", running.url));
        await response.arrayBuffer();
        const wall = performance.now() - start;
        const entry = results[name] ?? { wall: [], cpu: [] };
        entry.wall.push(wall);
        entry.cpu.push(cpuNs(running.pid) / 1e6);
        results[name] = entry;
      } finally {
        await running.dispose();
      }
    }
  }
  return results;
}
