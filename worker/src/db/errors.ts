/**
 * Whether an error means the database could not be reached or answered in time —
 * as opposed to a statement the database refused. Drizzle wraps driver errors,
 * so the whole `cause` chain is examined.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current.name === "TimeoutError" || current.name === "AbortError") return true;
    if (current.name === "NeonDbError") {
      const { code, sourceError } = current as Error & { code?: string; sourceError?: unknown };
      if (code === undefined) return true; // no SQLSTATE: connection or HTTP failure
      return unavailableSqlStates.some((prefix) => code.startsWith(prefix)) || isDatabaseUnavailable(sourceError);
    }
    current = current.cause;
  }
  return false;
}

/** Connection exceptions (08), server shutting down or out of resources (57P0x, 53). */
const unavailableSqlStates = ["08", "57P01", "57P02", "57P03", "53"];
