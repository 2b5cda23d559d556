/**
 * Recorded Neon answers, looked up by the request that asked for them. Shared by the
 * canned SQL-over-HTTP server (Node) and the in-isolate stub of the CPU harness
 * (workerd), so both answer alike. No Node or Workers APIs here.
 */

/** One recorded round trip: the driver's request body and the stand-in's answer. */
export interface RecordedAnswer {
  body: string;
  status: number;
  response: string;
}

interface Statement {
  query?: unknown;
  params?: unknown;
}

/** Texts of the statement(s) in a request body; with their parameters when `withParams`. */
function keyOf(body: string, withParams: boolean): string | undefined {
  try {
    const parsed = JSON.parse(body) as Statement & { queries?: Statement[] };
    const statements = Array.isArray(parsed.queries) ? parsed.queries : [parsed];
    return statements
      .map((statement) => `${String(statement.query)}${withParams ? JSON.stringify(statement.params ?? []) : ""}`)
      .join("\n;\n");
  } catch {
    return undefined;
  }
}

/**
 * Finds the answer for a request: the same body byte for byte (the benchmarked
 * requests repeat exactly); else the same statements and parameters; else the same
 * statements (random ids, timestamps). The last recording of a key wins.
 */
export class CannedAnswers {
  readonly #byBody = new Map<string, RecordedAnswer>();
  readonly #byParams = new Map<string, RecordedAnswer>();
  readonly #byText = new Map<string, RecordedAnswer>();
  misses = 0;

  constructor(answers: readonly RecordedAnswer[]) {
    for (const answer of answers) {
      this.#byBody.set(answer.body, answer);
      const withParams = keyOf(answer.body, true);
      if (withParams !== undefined) this.#byParams.set(withParams, answer);
      const text = keyOf(answer.body, false);
      if (text !== undefined) this.#byText.set(text, answer);
    }
  }

  find(body: string): RecordedAnswer | undefined {
    const exact = this.#byBody.get(body);
    if (exact) return exact;
    const withParams = keyOf(body, true);
    const found =
      (withParams === undefined ? undefined : this.#byParams.get(withParams)) ??
      this.#byText.get(keyOf(body, false) ?? "");
    if (!found) this.misses += 1;
    return found;
  }
}
