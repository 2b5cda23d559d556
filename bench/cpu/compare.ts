/**
 * `pnpm --filter @brisk/bench compare A=<checkout> B=<checkout> [--cases get,patch] [--rounds 15]`
 *
 * The CPU benchmark's in-isolate loop for two (or more) versions of the Worker side
 * by side: each checkout is bundled with its own wrangler.jsonc, recorded against its
 * own stand-in, and run in its own harness; rounds alternate between them case by
 * case, so a change to worker/src can be judged by its measured effect before it is
 * made. Typical use: copy the repository to a scratch directory, change it there,
 * compare this checkout (A) with the scratch copy (B).
 */
import { resolve } from "node:path";
import { bundleWorker } from "../lib/build.ts";
import { log } from "../lib/section.ts";
import { formatNumber, formatPercent, formatRatio, median, renderText, spread, type Table } from "../lib/stats.ts";
import type { RunningWorkers } from "../lib/workerd.ts";
import { bundleHarness, harnessCall, startHarness } from "./cpu.ts";
import { record } from "./record.ts";

interface Variant {
  label: string;
  harness: RunningWorkers;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

if (import.meta.main) {
  const specs = process.argv
    .slice(2)
    .filter((arg, i, all) => arg.includes("=") && !all[i - 1]?.startsWith("--"))
    .map((arg) => {
      const [label, path] = arg.split("=") as [string, string];
      return { label, path: resolve(path) };
    });
  if (specs.length < 2) {
    console.error("usage: compare.ts A=<checkout> B=<checkout> [--cases get,patch,list] [--rounds 15] [--loop-ms 150]");
    process.exit(2);
  }
  const cases = (option("cases") ?? "bare,auth-only,get,patch,list").split(",");
  const rounds = Number(option("rounds") ?? "15");
  const loopMs = Number(option("loop-ms") ?? "150");
  const harnessCode = await bundleHarness();

  const variants: Variant[] = [];
  try {
    for (const spec of specs) {
      log(`compare: bundling and recording ${spec.label} (${spec.path})`);
      const bundle = await bundleWorker(`compare-${spec.label}`, {}, spec.path);
      const recording = await record(bundle.code);
      const harness = await startHarness(harnessCode, bundle.code, recording);
      variants.push({ label: spec.label, harness });
    }

    const loops = new Map<string, number>();
    for (const name of cases) {
      for (const variant of variants) await harnessCall(variant.harness, `/case?case=${name}&n=40`);
      const probe = await harnessCall(variants[0]?.harness as RunningWorkers, `/case?case=${name}&n=40`);
      loops.set(name, Math.max(5, Math.round(loopMs / (probe.cpuUs / 1000 / probe.n))));
    }
    const samples = new Map<string, number[]>();
    log(`compare: ${rounds} rounds × ${cases.length} cases × ${variants.length} versions`);
    for (let round = 0; round < rounds; round++) {
      for (const name of cases) {
        // Alternate which version goes first.
        const order = round % 2 === 0 ? variants : [...variants].reverse();
        for (const variant of order) {
          const timed = await harnessCall(variant.harness, `/case?case=${name}&n=${loops.get(name)}`);
          const key = `${variant.label}:${name}`;
          samples.set(key, [...(samples.get(key) ?? []), timed.cpuUs / timed.n]);
          const statuses = Object.keys(timed.statuses ?? {});
          if (statuses.some((status) => status.startsWith("5"))) console.error(`${key} answered ${statuses}`);
        }
      }
    }
    const [first] = variants;
    const table: Table = {
      title: `In-isolate CPU µs per request, median of ${rounds} alternating rounds`,
      columns: [
        "request",
        ...variants.flatMap((v) => [v.label, "spread"]),
        ...variants.slice(1).map((v) => `${v.label}/${first?.label}`),
      ],
      rows: cases.map((name) => {
        const of = (label: string) => median(samples.get(`${label}:${name}`) ?? []);
        return [
          name,
          ...variants.flatMap((v) => [
            formatNumber(of(v.label)),
            formatPercent(spread(samples.get(`${v.label}:${name}`) ?? [])),
          ]),
          ...variants.slice(1).map((v) => formatRatio(of(v.label) / of(first?.label ?? ""))),
        ];
      }),
    };
    console.log(renderText(table));
  } finally {
    for (const variant of variants) await variant.harness.dispose();
  }
}
