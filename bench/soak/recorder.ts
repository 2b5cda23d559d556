/**
 * Counts every answer of a soak run by operation and status, keeps latencies of the
 * measured window, and collects what went wrong: unexpected answers (any 5xx,
 * timeout or network error, any status the model did not expect) and model
 * violations (an answer, a listing or the database disagreeing with the model).
 */

export type Phase = "setup" | "warm-up" | "measured" | "check";

/** A status code, or what happened instead of one. */
export type Outcome = number | "timeout" | "network error";

export interface Problem {
  kind: string;
  phase: Phase;
  operation: string;
  request: string;
  detail: string;
}

export interface OperationFigures {
  /** Milliseconds of each request in the measured window. */
  latenciesMs: number[];
  /** Answers in the measured window, by status. */
  measured: Map<string, number>;
  /** Answers in every phase (sign-up, warm-up, measured window, final checks), by status. */
  all: Map<string, number>;
}

const examplesKept = 12;

export class Recorder {
  phase: Phase = "setup";
  readonly operations = new Map<string, OperationFigures>();
  readonly unexpected = { count: 0, byKind: new Map<string, number>(), examples: [] as Problem[] };
  readonly violations = { count: 0, examples: [] as Problem[] };

  answer(operation: string, outcome: Outcome, ms: number) {
    let figures = this.operations.get(operation);
    if (!figures) {
      figures = { latenciesMs: [], measured: new Map(), all: new Map() };
      this.operations.set(operation, figures);
    }
    const key = String(outcome);
    figures.all.set(key, (figures.all.get(key) ?? 0) + 1);
    if (this.phase === "measured") {
      figures.latenciesMs.push(ms);
      figures.measured.set(key, (figures.measured.get(key) ?? 0) + 1);
    }
  }

  /** An answer the model did not expect. */
  unexpectedAnswer(operation: string, request: string, outcome: Outcome, expected: number[], body: string) {
    const kind =
      typeof outcome === "string"
        ? outcome
        : outcome >= 500
          ? "5xx"
          : outcome >= 400
            ? "unexpected 4xx"
            : "unexpected status";
    this.unexpected.count += 1;
    this.unexpected.byKind.set(kind, (this.unexpected.byKind.get(kind) ?? 0) + 1);
    if (this.unexpected.examples.length < examplesKept) {
      this.unexpected.examples.push({
        kind,
        phase: this.phase,
        operation,
        request,
        detail: `${outcome} (expected ${expected.join(" or ")}): ${body.slice(0, 300)}`,
      });
    }
  }

  /** The server's state disagrees with the model of acknowledged writes. */
  violation(kind: string, operation: string, request: string, detail: string) {
    this.violations.count += 1;
    if (this.violations.examples.length < examplesKept) {
      this.violations.examples.push({ kind, phase: this.phase, operation, request, detail: detail.slice(0, 500) });
    }
  }

  /** The answers of every operation, by status: in the measured window, or in every phase. */
  outcomeTotals(which: "measured" | "all"): Map<string, number> {
    const totals = new Map<string, number>();
    for (const figures of this.operations.values()) {
      for (const [outcome, n] of figures[which]) totals.set(outcome, (totals.get(outcome) ?? 0) + n);
    }
    return new Map([...totals].sort(([a], [b]) => a.localeCompare(b)));
  }
}
