import { writeFileSync } from "node:fs";
import type { describeMachine } from "../lib/machine.ts";
import { resultPath } from "../lib/paths.ts";
import { formatNumber, quantile, renderMarkdown, renderText, type Table } from "../lib/stats.ts";
import { judgeMemory, type MemorySampler, mib, type Series } from "./memory.ts";
import type { Problem, Recorder } from "./recorder.ts";
import type { SoakOptions } from "./soak.ts";
import type { SoakClient } from "./soak-client.ts";

/** What a soak run hands to its report. */
export interface SoakOutcome {
  options: SoakOptions;
  command: string;
  machine: ReturnType<typeof describeMachine>;
  recorder: Recorder;
  window: { start: number; end: number; roundTrips: number };
  sampler: MemorySampler;
  series: Series[];
  clients: SoakClient[];
  signUpFailures: number;
  databaseCheck: string;
  /** wrangler's output, with the Worker's own log lines. */
  workerOutput: string;
}

const inMiB = (bytes: number) => formatNumber(bytes / mib, 1);

const answers = (outcomes: Map<string, number>) =>
  [...outcomes]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([outcome, n]) => `${outcome}×${n}`)
    .join(", ");

/**
 * Prints the tables (operations, memory, verdict) and the first problems, writes
 * bench/results/soak.md and soak.json, and says whether the run passed.
 */
export function report(outcome: SoakOutcome): boolean {
  const { options, recorder, window } = outcome;
  const seconds = (window.end - window.start) / 1000;

  const operations = [...recorder.operations].filter(([, figures]) => figures.latenciesMs.length > 0);
  operations.sort(([, a], [, b]) => b.latenciesMs.length - a.latenciesMs.length);
  const row = (name: string, latencies: number[], outcomes: Map<string, number>) => [
    name,
    formatNumber(latencies.length),
    formatNumber(latencies.length / seconds, 1),
    formatNumber(quantile(latencies, 0.5), 1),
    formatNumber(quantile(latencies, 0.99), 1),
    answers(outcomes),
  ];
  const all = operations.flatMap(([, figures]) => figures.latenciesMs);
  const operationsTable: Table = {
    title: `Soak: ${options.clients} clients, ${formatNumber(seconds, 1)} s measured, wrangler dev + stand-in + PostgreSQL`,
    columns: ["operation", "requests", "req/s", "p50 ms", "p99 ms", "answers"],
    rows: [
      ...operations.map(([name, figures]) => row(name, figures.latenciesMs, figures.measured)),
      row("all", all, recorder.outcomeTotals("measured")),
    ],
    notes: [
      `The measured window, after ${options.warmupSeconds} s of the same load as warm-up. Each client sends one request at a time with no pause; latency is from sending to the whole body read, in the client.`,
      `Database round trips in the window: ${formatNumber(window.roundTrips)} (${formatNumber(window.roundTrips / Math.max(1, all.length), 2)} per request).`,
    ],
  };

  const memory = judgeMemory(outcome.sampler, outcome.series, seconds);
  const heapSeconds = Math.max(...outcome.series.map((series) => series.everySeconds ?? 1));
  const memoryTable: Table = {
    title: `Soak: memory in the measured window (MiB; resident sizes every second, the live heap every ${heapSeconds} s)`,
    columns: ["what", "at start", "first ¼ median", "last ¼ median", "max", "growth", "allowed", "flat"],
    rows: memory.map((figures) => [
      figures.name,
      inMiB(figures.start),
      inMiB(figures.firstQuarter),
      inMiB(figures.lastQuarter),
      inMiB(figures.max),
      `${figures.growth >= 0 ? "+" : ""}${inMiB(figures.growth)} (${formatNumber((100 * figures.growth) / figures.firstQuarter)} %)`,
      `+${inMiB(figures.allowed)}`,
      figures.flat === undefined
        ? (figures.note ?? "")
        : `${figures.flat ? "yes" : "NO"}${figures.note ? ` — ${figures.note}` : ""}`,
    ]),
    notes: [
      "Flat: the last quarter's median is at most the first quarter's plus the larger of 25 % and a floor (8 MiB for the heap, 48 MiB for the stand-in, 64 MiB for workerd), doubled for a window under 60 s. The live heap is Brisk's own memory, what its code keeps; workerd's resident size adds the runtime's allocator caches, which climb for its first ~25 000 requests and then hold, with any Worker (README).",
    ],
  };

  const unresolved = outcome.clients.reduce((sum, client) => sum + client.unresolved.size, 0);
  const kinds = [...recorder.unexpected.byKind].map(([kind, n]) => `${kind} ${n}`).join(", ");
  const notFlat = memory.filter((figures) => figures.flat === false);
  const everything = [...recorder.outcomeTotals("all").values()].reduce((sum, n) => sum + n, 0);
  const verdictRows = [
    ["requests, every phase (sign-up, warm-up, window, checks)", formatNumber(everything), ""],
    ["answers, every phase", answers(recorder.outcomeTotals("all")), ""],
    [
      "unexpected answers (5xx, timeouts, network errors, statuses the model did not expect)",
      `${recorder.unexpected.count}${kinds ? ` (${kinds})` : ""}`,
      recorder.unexpected.count === 0 ? "✓" : "✗",
    ],
    [
      "model check: every answer, every listing, the final listing, the database",
      `${recorder.violations.count} violations, ${unresolved} tasks unsettled, ${outcome.signUpFailures} clients without an account; ${outcome.databaseCheck}`,
      recorder.violations.count === 0 && unresolved === 0 && outcome.signUpFailures === 0 ? "✓" : "✗",
    ],
    [
      "memory flat",
      notFlat.length === 0
        ? `yes (${memory.filter((figures) => figures.flat).length} judged)`
        : `no: ${notFlat.map((figures) => figures.name).join("; ")}`,
      notFlat.length === 0 ? "✓" : "✗",
    ],
  ];
  const verdictTable: Table = { title: "Soak: verdict", columns: ["check", "result", ""], rows: verdictRows };
  const passed = verdictRows.every((verdict) => verdict[2] !== "✗");

  const problems = (title: string, list: Problem[]) =>
    list.length === 0
      ? []
      : [`${title}:`, ...list.map((p) => `  [${p.phase}] ${p.operation}: ${p.request} — ${p.kind}: ${p.detail}`)];
  const workerErrors = outcome.workerOutput.split("\n").filter((line) => line.includes('"level":"error"'));
  const exampleLines = [
    ...problems("First unexpected answers", recorder.unexpected.examples),
    ...problems("First model violations", recorder.violations.examples),
    ...(workerErrors.length > 0
      ? [`The Worker logged ${workerErrors.length} error(s), first:`, ...workerErrors.slice(0, 3).map((l) => `  ${l}`)]
      : []),
  ];

  const tables = [operationsTable, memoryTable, verdictTable];
  for (const table of tables) console.log(renderText(table));
  if (exampleLines.length > 0) console.log(`\n${exampleLines.join("\n")}`);
  console.log(
    `\n${outcome.command}: ${passed ? "passed" : "FAILED"}. bench/results/soak.md, soak.json; wrangler's output: soak-wrangler.log`,
  );

  const { machine } = outcome;
  writeFileSync(
    resultPath("soak.md"),
    `${[
      `Measured ${new Date().toISOString().slice(0, 10)} with \`${outcome.command}\` on ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}: **${passed ? "passed" : "failed"}**.`,
      ...tables.map(renderMarkdown),
      ...(exampleLines.length > 0 ? [`\`\`\`text\n${exampleLines.join("\n")}\n\`\`\``] : []),
    ].join("\n\n")}\n`,
  );
  writeFileSync(
    resultPath("soak.json"),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        command: outcome.command,
        machine,
        options,
        passed,
        window: { ...window, seconds },
        operations: Object.fromEntries(
          operations.map(([name, figures]) => [
            name,
            {
              requests: figures.latenciesMs.length,
              p50: quantile(figures.latenciesMs, 0.5),
              p99: quantile(figures.latenciesMs, 0.99),
              measured: Object.fromEntries(figures.measured),
              all: Object.fromEntries(figures.all),
            },
          ]),
        ),
        unexpected: { ...recorder.unexpected, byKind: Object.fromEntries(recorder.unexpected.byKind) },
        violations: recorder.violations,
        memory,
        samples: outcome.sampler.samples,
      },
      null,
      2,
    )}\n`,
  );
  return passed;
}
