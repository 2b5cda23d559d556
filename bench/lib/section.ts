import type { Table } from "./stats.ts";

/** What one benchmark hands back to bench/run.ts: its tables, and raw figures for results/latest.json. */
export interface SectionResult {
  name: string;
  tables: Table[];
  data: Record<string, unknown>;
  /** Things that could not be measured in this run, and why. */
  skipped?: string[];
}

export const log = (line: string) => console.error(`\x1b[2m[bench] ${line}\x1b[0m`);

/** Waits a little so one case's garbage and timers settle before the next. */
export const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));
