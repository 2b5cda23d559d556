import { tryGetContext } from "hono/context-storage";
import type { AppEnv } from "./env.ts";

/**
 * Structured logs: one JSON line per event, which Workers Logs indexes. Errors are
 * described by name, message and cause chain — with the parameters of failed
 * queries cut off, because they can hold password hashes and session tokens.
 */
export function logEvent(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}) {
  // Written while answering a request: its id (X-Request-Id, the `requestId` of a 500's body), so the
  // lines of one request can be found together. Cron and queue work has none.
  const requestId = tryGetContext<AppEnv>()?.var.requestId;
  console[level](JSON.stringify({ level, message, ...(requestId ? { requestId } : {}), ...fields }));
}

export function errorForLog(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === "string" ? error : String(error);
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    // drizzle appends "\nparams: …" to the message of a failed query.
    message: error.message.split("\nparams:")[0],
    ...(typeof code === "string" ? { code } : {}),
    ...(error.cause !== undefined && depth < 4 ? { cause: errorForLog(error.cause, depth + 1) } : {}),
  };
}
