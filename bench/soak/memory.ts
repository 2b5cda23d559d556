import { median } from "../lib/stats.ts";
import type { Phase, Recorder } from "./recorder.ts";

/**
 * Memory under load: the resident size (VmRSS) of the processes, sampled every second,
 * and the live V8 heap of the Worker's isolate, every few seconds. A series is flat
 * when the median of the measured window's last quarter exceeds the median of its
 * first quarter by at most its allowance.
 */

export interface Series {
  name: string;
  /** Bytes now; undefined when the process (or the isolate) did not answer. */
  read(): number | undefined | Promise<number | undefined>;
  /** Seconds between samples; 1 by default. */
  everySeconds?: number;
  /** The process measured, to notice a restart (wrangler restarts workerd when the Worker's sources change). */
  pid?: () => number | undefined;
  /** Judged for flatness in this run, or only reported (the reason shown instead of a verdict). */
  judged: true | string;
  /** Growth allowed over the first quarter's median, in bytes, for a window of `seconds`. */
  allowance(firstQuarter: number, seconds: number): number;
}

interface Sample {
  at: number;
  phase: Phase;
  /** Bytes, by series name. */
  values: Record<string, number | undefined>;
  pids: Record<string, number | undefined>;
}

export const mib = 2 ** 20;

/**
 * At least a quarter more, and at least `floor` MiB more: processes grow in steps of a
 * few MiB as the allocator and the garbage collector settle, so a floor keeps one step
 * from failing a small series. A window under a minute has seen fewer collections, so
 * its steps weigh more: the allowance doubles. A leak that matters — a few KiB kept
 * per request at a couple of hundred requests a second — passes both within a minute.
 */
export function quarterOrFloor(floorMiB: number) {
  return (firstQuarter: number, seconds: number) => {
    const allowed = Math.max(0.25 * firstQuarter, floorMiB * mib);
    return seconds >= 60 ? allowed : 2 * allowed;
  };
}

export class MemorySampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private ticks = 0;
  private readonly series: Series[];
  private readonly recorder: Recorder;

  constructor(series: Series[], recorder: Recorder) {
    this.series = series;
    this.recorder = recorder;
  }

  start(intervalMs = 1000) {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  stop() {
    clearInterval(this.timer);
  }

  private async sample() {
    if (this.busy) return; // the isolate is slow to answer under load: skip a beat rather than pile up
    this.busy = true;
    const at = Date.now();
    const phase = this.recorder.phase;
    const tick = this.ticks++;
    const values = await Promise.all(
      this.series.map((series) => (tick % (series.everySeconds ?? 1) === 0 ? series.read() : undefined)),
    );
    this.samples.push({
      at,
      phase,
      values: Object.fromEntries(this.series.map((series, i) => [series.name, values[i]])),
      pids: Object.fromEntries(this.series.map((series) => [series.name, series.pid?.()])),
    });
    this.busy = false;
  }
}

export interface MemoryFigures {
  name: string;
  samples: number;
  /** Bytes. */
  start: number;
  firstQuarter: number;
  lastQuarter: number;
  max: number;
  growth: number;
  allowed: number;
  /** true/false when judged; undefined when only reported. */
  flat: boolean | undefined;
  /** Why it was not judged, or could not be. */
  note?: string;
}

/** Judges each series over the samples of the measured window, `seconds` long. */
export function judgeMemory(sampler: MemorySampler, series: Series[], seconds: number): MemoryFigures[] {
  const window = sampler.samples.filter((sample) => sample.phase === "measured");
  return series.map(({ name, judged, allowance }) => {
    const values = window.map((sample) => sample.values[name]).filter((value) => value !== undefined);
    const quarter = Math.max(1, Math.floor(values.length / 4));
    const firstQuarter = median(values.slice(0, quarter));
    const lastQuarter = median(values.slice(-quarter));
    const growth = lastQuarter - firstQuarter;
    const allowed = allowance(firstQuarter, seconds);
    const pids = new Set(window.map((sample) => sample.pids[name]).filter((pid) => pid !== undefined));
    const figures = {
      name,
      samples: values.length,
      start: values[0] ?? Number.NaN,
      firstQuarter,
      lastQuarter,
      max: Math.max(...values),
      growth,
      allowed,
    };
    if (judged !== true) return { ...figures, flat: undefined, note: judged };
    // Judged series that cannot be judged fail: a run that shows nothing does not pass.
    if (values.length < 4) return { ...figures, flat: false, note: `only ${values.length} samples` };
    if (pids.size > 1) {
      return { ...figures, flat: false, note: "restarted in the window (the Worker's sources changed?): rerun" };
    }
    return { ...figures, flat: growth <= allowed };
  });
}
