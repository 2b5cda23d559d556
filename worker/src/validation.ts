import type { Hook } from "@hono/zod-openapi";
import { sqlStateOf } from "./db/errors.ts";
import type { AppEnv } from "./env.ts";
import { type Problem, problem } from "./problems.ts";

/**
 * What a request that fails validation gets: a body that parses but breaks a rule
 * → 422 `validation_failed`; a bad path, query or header → 400 `invalid_parameter`.
 * Both list each problem as `errors: [{path, message}]`.
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes with different inputs
export const validationHook: Hook<any, AppEnv, any, undefined> = (result) => {
  if (result.success) return;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || (result.target === "json" ? "(body)" : result.target),
    message: issue.message,
  }));
  if (result.target === "json") {
    throw problem("validation_failed", { detail: "Some fields are not valid.", extensions: { errors } });
  }
  throw problem("invalid_parameter", {
    detail: errors.map((error) => error.message).join("; "),
    extensions: { errors },
  });
};

/**
 * The one place a value the database refused becomes a client error: a data exception
 * (SQLSTATE class 22 — a character, date or parameter Postgres cannot take) is the
 * request's fault, never a 500. A request with a body → 422, otherwise → 400. The
 * schemas refuse every such value known (NUL, years outside 1000–9999, offset zones);
 * this catches what they miss.
 */
export function refusedByDatabase(error: unknown, method: string): Problem | undefined {
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
