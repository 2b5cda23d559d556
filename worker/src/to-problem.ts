import { HTTPException } from "hono/http-exception";
import { ConfigError } from "./config.ts";
import { isDatabaseUnavailable, sqlStateOf } from "./db/errors.ts";
import { databaseUnavailable, Problem, problem } from "./problems.ts";

/**
 * The one place any error becomes the problem a client sees; only `app.onError` calls it.
 * What is not ours to explain — a bug, a driver failure of an unknown kind — is a generic
 * 500 that names nothing internal.
 */
export function toProblem(error: unknown, method: string, requestId: string): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof HTTPException && error.status < 500) return fromHttpException(error);
  if (error instanceof ConfigError) return problem("server_misconfigured", { detail: error.issues.join("; ") });
  return (
    refusedByDatabase(error, method) ??
    (isDatabaseUnavailable(error)
      ? databaseUnavailable()
      : // The request id lets a person reporting a 500 be found in the logs.
        problem("internal_error", { extensions: { requestId } }))
  );
}

/** Hono's own refusals (malformed JSON, a body that is not JSON) in our catalogue's words. */
function fromHttpException(error: HTTPException): Problem {
  if (error.status === 415) return problem("unsupported_media_type", { detail: "Send the body as application/json." });
  if (error.status === 413) return problem("payload_too_large", { detail: "Send at most 16 KiB." });
  return problem("malformed_json", { detail: "The body could not be parsed as JSON." });
}

/**
 * A value the database refused is the request's fault, never a 500: a data exception
 * (SQLSTATE class 22 — a character, date or parameter Postgres cannot take). A request
 * with a body → 422, otherwise → 400. The schemas refuse every such value known (NUL,
 * years outside 1000–9999, offset zones); this catches what they miss.
 */
function refusedByDatabase(error: unknown, method: string): Problem | undefined {
  if (!sqlStateOf(error)?.startsWith("22")) return undefined;
  return ["POST", "PUT", "PATCH"].includes(method)
    ? problem("validation_failed", {
        detail: "The database cannot store a value in this request.",
        extensions: { errors: [] },
      })
    : problem("invalid_parameter", {
        detail: "The database cannot use a value in this request.",
        extensions: { errors: [] },
      });
}
