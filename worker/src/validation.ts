import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "./env.ts";
import { problem } from "./problems.ts";

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
