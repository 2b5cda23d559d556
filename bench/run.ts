/**
 * `pnpm bench` — Brisk's benchmarks, side by side in one run, on this machine.
 *
 *   pnpm bench                      everything (~3–4 minutes on 2 cores)
 *   pnpm bench --only cpu,bundle    some of: bundle, cpu, load, growth
 *   pnpm bench --quick              fewer rounds and shorter loads: a smoke run (~1.5 minutes)
 *   pnpm bench --no-site-build      measure web/dist as it is instead of building the site
 *
 * It builds the Worker (`wrangler deploy --dry-run`, as `pnpm bundle`) and the site
 * (`astro build`, as `pnpm build`, into bench/results/site), runs each benchmark, prints every table and a summary, and writes
 * bench/results/latest.md and latest.json (git-ignored). Figures are medians and
 * ratios measured in the same run; absolute times belong to the machine they came
 * from, which the output names. load and growth need the PostgreSQL server
 * (BRISK_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres);
 * without it they are skipped and say so.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BundleOptions, runBundle } from "./bundle/bundle.ts";
import { type CpuOptions, defaultCpuOptions, runCpu } from "./cpu/cpu.ts";
import { defaultGrowthOptions, type GrowthOptions, runGrowth } from "./growth/growth.ts";
import { buildSite, bundleWorker, run, type WorkerBundle } from "./lib/build.ts";
import { describeMachine } from "./lib/machine.ts";
import { resultPath, root } from "./lib/paths.ts";
import { log, type SectionResult } from "./lib/section.ts";
import { renderMarkdown, renderText, type Table } from "./lib/stats.ts";
import { defaultLoadOptions, type LoadOptions, runLoad } from "./load/load.ts";
import { summarize } from "./summary.ts";

const sections = ["bundle", "cpu", "load", "growth"] as const;
type Section = (typeof sections)[number];

function parseArgs(argv: string[]) {
  const only = argv.includes("--only") ? (argv[argv.indexOf("--only") + 1] ?? "").split(",") : [...sections];
  const unknown = only.filter((name) => !(sections as readonly string[]).includes(name));
  if (unknown.length > 0) {
    console.error(`unknown section(s): ${unknown.join(", ")}; choose from ${sections.join(", ")}`);
    process.exit(2);
  }
  return { only: only as Section[], quick: argv.includes("--quick"), siteBuild: !argv.includes("--no-site-build") };
}

const args = parseArgs(process.argv.slice(2));
const machine = describeMachine();
const started = Date.now();
const command = `pnpm bench${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}`;

const cpuOptions: CpuOptions = args.quick ? { rounds: 5, loopMs: 80, batch: 30 } : defaultCpuOptions;
const loadOptions: LoadOptions = args.quick
  ? { ...defaultLoadOptions, seconds: 4, rounds: 2, warmupSeconds: 1 }
  : defaultLoadOptions;
const growthOptions: GrowthOptions = args.quick
  ? { sizes: [10, 1_000, 10_000], requests: 7, background: { users: 200, tasks: 50_000 } }
  : defaultGrowthOptions;
const bundleOptions: Omit<BundleOptions, "site"> = { startupSamples: args.quick ? 3 : 7 };

console.log(
  `Brisk benchmarks — ${new Date().toISOString()}\n` +
    `machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`,
);

let site = join(root, "web", "dist");
if (!existsSync(site)) {
  // wrangler refuses to bundle while wrangler.jsonc's assets directory is missing (a fresh clone).
  log("building the site into web/dist (pnpm build), which wrangler needs");
  await run("pnpm", ["build"], { env: { NODE_ENV: "production" } });
}
if (args.siteBuild && args.only.includes("bundle")) {
  log("building the site to measure it (astro build, as pnpm build does)");
  site = await buildSite();
}
log("building the Worker (wrangler deploy --dry-run)");
const bundle: WorkerBundle = await bundleWorker("worker");

const runners: Record<Section, () => Promise<SectionResult>> = {
  bundle: () => runBundle(bundle, { ...bundleOptions, site }),
  cpu: () => runCpu(bundle, cpuOptions),
  load: () => runLoad(bundle, loadOptions),
  growth: () => runGrowth(bundle, growthOptions),
};

const results: SectionResult[] = [];
for (const name of args.only) {
  const sectionStart = Date.now();
  try {
    const result = await runners[name]();
    results.push(result);
    for (const table of result.tables) console.log(render(table));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    console.log(`\n${name}: not measured — ${reason}`);
    results.push({ name, tables: [], data: {}, skipped: [reason ?? "failed"] });
  }
  log(`${name}: ${Math.round((Date.now() - sectionStart) / 1000)} s`);
}

const summary = summarize(results);
console.log(render(summary));
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\n${command} — ${seconds} s. Results: bench/results/latest.md, latest.json`);

writeFileSync(
  resultPath("latest.json"),
  `${JSON.stringify({ date: new Date().toISOString(), command, seconds, machine, results }, null, 2)}\n`,
);
writeFileSync(
  resultPath("latest.md"),
  [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`${command}\` (${seconds} s) on ${machine.nproc} CPUs (${machine.cpu}), Node ${machine.node}.`,
    renderMarkdown(summary),
    ...results.flatMap((result) => [
      ...result.tables.map((table) => (table.columns.length ? renderMarkdown(table) : chartMarkdown(table))),
      ...(result.skipped ?? []).map((reason) => `_${result.name}: ${reason}_`),
    ]),
  ].join("\n\n"),
);

function render(table: Table): string {
  return table.columns.length ? renderText(table) : `\n${table.title}\n${(table.notes ?? []).join("\n")}`;
}

function chartMarkdown(table: Table): string {
  return `**${table.title}**\n\n\`\`\`text\n${(table.notes ?? []).join("\n")}\n\`\`\``;
}
