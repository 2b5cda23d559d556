/**
 * Structured logs: one JSON line per event, which Workers Logs indexes. Errors are
 * described by name, message and cause chain — with the parameters of failed
 * queries cut off, because they can hold password hashes and session tokens.
 */
export function logEvent(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}) {
  console[level](JSON.stringify({ level, message, ...fields }));
}

export function describeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === "string" ? error : String(error);
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    // drizzle appends "\nparams: …" to the message of a failed query.
    message: error.message.split("\nparams:")[0],
    ...(typeof code === "string" ? { code } : {}),
    ...(error.cause !== undefined && depth < 4 ? { cause: describeError(error.cause, depth + 1) } : {}),
  };
}
