import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { authRoutes } from "./auth/auth.routes.ts";
import { requireUser } from "./auth/require-user.ts";
import { ConfigError, readConfig } from "./config.ts";
import { getDatabase } from "./db/client.ts";
import { isDatabaseUnavailable } from "./db/errors.ts";
import type { AppEnv } from "./env.ts";
import { healthRoutes } from "./health/health.routes.ts";
import { describeError, logEvent } from "./log.ts";
import { Problem, problem, renderProblem } from "./problems.ts";

export const app = new Hono<AppEnv>();

app.use(requestId());
app.use(
  secureHeaders({
    // API responses are data, never documents: nothing may run or be framed.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    referrerPolicy: "strict-origin-when-cross-origin",
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
    crossOriginResourcePolicy: "same-origin",
    xFrameOptions: "DENY",
  }),
);
app.use("/api/*", async (c, next) => {
  const config = readConfig(c.env);
  c.set("config", config);
  c.set("db", getDatabase(config));
  await next();
});

app.route("/api/health", healthRoutes);
app.route("/api/auth", authRoutes);
app.use("/api/:userId/tasks/*", requireUser);

app.notFound((c) => renderProblem(c, problem("not_found", { detail: `Nothing at ${c.req.path}` })));

app.onError((error, c) => {
  if (error instanceof Problem) return renderProblem(c, error);
  if (error instanceof ConfigError) {
    logEvent("error", "invalid configuration", { requestId: c.var.requestId, issues: error.issues });
    return renderProblem(c, problem("server_misconfigured", { detail: error.issues.join("; ") }));
  }
  if (isDatabaseUnavailable(error)) {
    logEvent("warn", "database unavailable", { requestId: c.var.requestId, error: describeError(error) });
    return renderProblem(
      c,
      problem("database_unavailable", {
        detail: "The database did not answer; nothing was changed. Try again shortly.",
        headers: { "Retry-After": "5" },
      }),
    );
  }
  logEvent("error", "unhandled error", {
    requestId: c.var.requestId,
    error: describeError(error),
    stack: error instanceof Error ? error.stack?.split("\nparams:")[0] : undefined,
  });
  return renderProblem(c, problem("internal_error", { extensions: { requestId: c.var.requestId } }));
});
