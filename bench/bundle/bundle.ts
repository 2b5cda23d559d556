import { readFileSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";
import type { WorkerBundle } from "../lib/build.ts";
import { gzipSize, measurePages } from "../lib/page-js.ts";
import { log, type SectionResult } from "../lib/section.ts";
import { packageOf, readSourceMap, splitByPackage } from "../lib/sourcemap.ts";
import { formatNumber, formatRatio, kib, median, type Table } from "../lib/stats.ts";
import { briskVars, cpuNs, startWorkers } from "../lib/workerd.ts";

/**
 * Benchmark 3: the Worker bundle's size and where it comes from, its start-up time
 * next to a hello-world Worker, and the JavaScript each page of the site ships. See bench/bundle/README.md.
 */

const helloWorld = `export default { fetch() { return new Response("hello"); } };`;

export interface BundleOptions {
  startupSamples: number;
  /** The built site to measure (bench/results/site, or web/dist). */
  site: string;
}

export async function runBundle(current: WorkerBundle, options: BundleOptions): Promise<SectionResult> {
  log(`bundle: start-up, ${options.startupSamples} fresh workerd instances per Worker`);
  const startup = await measureStartup({ hello: helloWorld, current: current.code }, options.startupSamples);

  const sizes = (bundle: WorkerBundle) => ({
    raw: Buffer.byteLength(bundle.code),
    gzip: gzipSize(bundle.code),
    brotli: brotliCompressSync(bundle.code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  });
  const currentSize = sizes(current);
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
    ],
    notes: [
      `Target: Worker ≤ 300 KiB gzip (✓/✗). Sizes of index.js as wrangler deploy --dry-run writes it (gzip level 9, brotli 11).`,
      `Start-up: a fresh Miniflare (workerd) instance per sample, from its creation to the first response of the bare route (GET /api/no-such-route), median of ${options.startupSamples}, Workers alternating; workerd CPU: its main thread's CPU time at that point.`,
      "The build applies wrangler.jsonc's alias stand-ins (worker/aliases/README.md).",
    ],
  };
  function startupCells(name: string): string[] {
    const wall = median(startup[name]?.wall ?? []);
    const cpu = median(startup[name]?.cpu ?? []);
    return [formatNumber(wall), formatRatio(wall / helloStart), formatNumber(cpu, 1), formatRatio(cpu / helloCpu)];
  }

  const attribution = attribute(current);
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
      startup: Object.fromEntries(
        Object.entries(startup).map(([name, value]) => [
          name,
          { wallMs: median(value.wall), cpuMs: median(value.cpu) },
        ]),
      ),
      pages,
    },
  };
}

/** Where the bundle's bytes come from: minified bytes from esbuild's metafile, gzip by source-map stretches. */
function attribute(bundle: WorkerBundle): Table {
  const meta = JSON.parse(readFileSync(bundle.metafile, "utf8")) as {
    outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const output = Object.values(meta.outputs).find((candidate) => candidate.entryPoint);
  // Brisk's own code and its module stand-ins (worker/aliases) as one row.
  const group = (name: string) => (name === "worker" || name.startsWith("worker/") ? "worker/ (Brisk's own)" : name);
  const raw = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = group(packageOf(input));
    raw.set(name, (raw.get(name) ?? 0) + bytesInOutput);
  }
  const gzip = new Map<string, number>();
  for (const [name, text] of splitByPackage(bundle.code, readSourceMap(readFileSync(bundle.sourcemap, "utf8")))) {
    gzip.set(group(name), (gzip.get(group(name)) ?? 0) + gzipSize(text));
  }
  const names = [...raw.keys()].sort((a, b) => (raw.get(b) ?? 0) - (raw.get(a) ?? 0));
  const shown = names.slice(0, 14);
  const rest = (map: Map<string, number>) =>
    [...map].filter(([name]) => !shown.includes(name)).reduce((total, [, bytes]) => total + bytes, 0);
  const cell = (map: Map<string, number>, name: string) => (map.has(name) ? kib(map.get(name) ?? 0) : "–");
  return {
    title: "3a. What the Worker bundle is made of",
    columns: ["package", "minified", "gzip alone"],
    rows: [
      ...shown.map((name) => [name, cell(raw, name), cell(gzip, name)]),
      ["everything else", kib(rest(raw)), kib(rest(gzip))],
    ],
    notes: [
      "Minified: esbuild's metafile. Gzip alone: each package's stretches of index.js (by its source map) compressed on their own; they add up to more than the whole, which shares one dictionary.",
    ],
  };
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
