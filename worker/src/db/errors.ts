/**
 * How a database failure is answered. "Unavailable" means the database could not be
 * reached, answered too late, or refused for a transient reason — as opposed to a
 * statement it rejected on its merits. Drizzle wraps driver errors, so the whole
 * `cause` chain is examined.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const failure = databaseFailure(error);
  return failure !== undefined && failure !== "statement";
}

/**
 * - `not-applied`: the database rolled the work back (serialization failure, deadlock):
 *   repeating it is always safe;
 * - `unknown`: no answer, a timeout, an HTTP failure, a dropped connection — the work may
 *   or may not have committed, so only work that is safe to repeat may be repeated;
 * - `timeout`: like unknown, and the time budget is spent;
 * - `statement`: the database refused the statement itself (a constraint, bad SQL).
 */
export type DatabaseFailure = "not-applied" | "unknown" | "timeout" | "statement";

export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current.name === "TimeoutError" || current.name === "AbortError") return "timeout";
    if (current.name === "NeonDbError") {
      const { code, sourceError } = current as Error & { code?: string; sourceError?: unknown };
      if (code === undefined) return databaseFailure(sourceError) === "timeout" ? "timeout" : "unknown";
      if (rolledBack.includes(code)) return "not-applied";
      return unavailableSqlStates.some((prefix) => code.startsWith(prefix)) ? "unknown" : "statement";
    }
    current = current.cause;
  }
  return undefined;
}

/** serialization_failure, deadlock_detected: the transaction was rolled back. */
const rolledBack = ["40001", "40P01"];
/** Connection exceptions (08), server shutting down or crashed (57P01–57P03), out of resources (53). */
const unavailableSqlStates = ["08", "57P01", "57P02", "57P03", "53"];

/** The SQLSTATE of a statement the database refused, if that is what the error is. */
export function sqlStateOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const { code } = current as Error & { code?: unknown };
    if (current.name === "NeonDbError" && typeof code === "string") return code;
    current = current.cause;
  }
  return undefined;
}

/** The constraint a refused statement broke (Postgres' `constraint` field), if the error names one. */
export function constraintOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const { constraint } = current as Error & { constraint?: unknown };
    if (current.name === "NeonDbError" && typeof constraint === "string") return constraint;
    current = current.cause;
  }
  return undefined;
}
