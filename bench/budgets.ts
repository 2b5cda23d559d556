/**
 * `pnpm budgets` — size budgets for CI: fails when the Worker bundle or any page's
 * JavaScript is larger than its ceiling in bench/budgets.json. Sizes and counts
 * only, never timings: a shared CI machine cannot hold a timing steady.
 *
 * Reads what the build steps wrote: dist/worker/index.js (`pnpm bundle`) and
 * web/dist (`pnpm build`). `--bundle <path>` and `--site <dir>` point elsewhere.
 * Exit codes: 0 within budget, 1 over budget (or a page without a budget), 2 nothing
 * to measure.
 *
 * Database round trips per request are budgeted by the Worker's test suite, not
 * here: worker/src/tasks/tasks.test.ts "database round trips" (one per task
 * operation) and worker/src/auth/auth.test.ts "verification cost" (no round trip to
 * authenticate a warm request).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSize, measurePages } from "./lib/page-js.ts";
import { benchDir, root } from "./lib/paths.ts";
import { formatNumber, renderText, type Table } from "./lib/stats.ts";

interface Budgets {
  worker: { gzipBytes: number; note?: string };
  pages: Record<string, { gzipBytes: number; files?: number }>;
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return resolve(at < 0 ? fallback : (process.argv[at + 1] ?? fallback));
}

const budgets = JSON.parse(readFileSync(join(benchDir, "budgets.json"), "utf8")) as Budgets;
const bundlePath = option("bundle", join(root, "dist", "worker", "index.js"));
const site = option("site", join(root, "web", "dist"));
if (!existsSync(bundlePath)) {
  console.error(`No Worker bundle at ${bundlePath}: run \`pnpm bundle\` first.`);
  process.exit(2);
}
if (!existsSync(join(site, "index.html"))) {
  console.error(`No built site at ${site}: run \`pnpm build\` first.`);
  process.exit(2);
}

const over: string[] = [];
const row = (what: string, actual: number, ceiling: number | undefined, unit = "B") => {
  const ok = ceiling !== undefined && actual <= ceiling;
  if (!ok)
    over.push(ceiling === undefined ? `${what}: no budget in bench/budgets.json` : `${what}: ${actual} > ${ceiling}`);
  return [
    what,
    `${formatNumber(actual)} ${unit}`,
    ceiling === undefined ? "none" : `${formatNumber(ceiling)} ${unit}`,
    ceiling === undefined ? "–" : `${formatNumber((actual / ceiling) * 100)}%`,
    ok ? "ok" : "OVER",
  ];
};

const rows: string[][] = [row("Worker bundle (gzip -9)", gzipSize(readFileSync(bundlePath)), budgets.worker.gzipBytes)];
for (const page of measurePages(site)) {
  const budget = budgets.pages[page.page];
  rows.push(row(`${page.page} JavaScript (gzip)`, page.gzipBytes, budget?.gzipBytes));
  if (budget?.files !== undefined) rows.push(row(`${page.page} JavaScript files`, page.files, budget.files, "files"));
}

const table: Table = {
  title: "Size budgets (bench/budgets.json)",
  columns: ["what", "size", "ceiling", "used", ""],
  rows,
  notes: [
    'Round trips per request are budgeted by the Worker\'s tests: tasks.test.ts "database round trips", auth.test.ts "verification cost".',
  ],
};
console.log(renderText(table));
if (over.length > 0) {
  console.error(`\nOver budget:\n  ${over.join("\n  ")}`);
  console.error(
    "A size that grew on purpose: raise its ceiling in bench/budgets.json in the same change, and say why. " +
      "One that shrank: lower the ceiling to lock the gain in.",
  );
  process.exit(1);
}
console.log("\nWithin budget.");
