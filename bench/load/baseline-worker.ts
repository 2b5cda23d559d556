/**
 * The load test's baseline: Brisk's task API as it would be if every request were
 * authenticated by looking its session up in the database — what the JWT design
 * avoids. Everything else is the real thing, imported from worker/src: the same
 * middleware, the same task routes, validation and queries, the same driver and
 * stand-in. Only `requireUser` is replaced, by `sessionUser` below: one more
 * database round trip (`select … from session where token = $1`) per request.
 *
 * The client sends the session token (the `session.token` column, the session
 * cookie's value before its signature) as `Authorization: Bearer <token>`.
 * Bundled by bench/lib/build.ts; never deployed.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { session } from "../../worker/src/auth/auth.tables.ts";
import { readConfig } from "../../worker/src/config.ts";
import { getDatabase } from "../../worker/src/db/client.ts";
import type { AppEnv } from "../../worker/src/env.ts";
import { Problem, problem, renderProblem } from "../../worker/src/problems.ts";
import { tasksRoutes } from "../../worker/src/tasks/tasks.routes.ts";

const sessionUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = /^Bearer (\S+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
  if (!token) throw problem("invalid_token", { detail: "Send a session token." });
  const [row] = await c.var.db
    .select({ userId: session.userId, expiresAt: session.expiresAt })
    .from(session)
    .where(eq(session.token, token));
  if (!row || row.expiresAt.getTime() <= Date.now()) throw problem("invalid_token", { detail: "No such session." });
  if (row.userId !== c.req.param("userId")) throw problem("forbidden", { detail: "This session is another user's." });
  c.set("userId", row.userId);
  await next();
});

const app = new OpenAPIHono<AppEnv>();
app.use(requestId());
app.use(
  "*",
  secureHeaders({
    referrerPolicy: "strict-origin-when-cross-origin",
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
    crossOriginResourcePolicy: "same-origin",
    xFrameOptions: "DENY",
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  }),
);
app.use("/api/*", async (c, next) => {
  const config = readConfig(c.env);
  c.set("config", config);
  c.set("db", getDatabase(config));
  await next();
});
app.use("/api/:userId/tasks/*", sessionUser);
app.use("/api/:userId/tasks/*", bodyLimit({ maxSize: 16 * 1024 }));
app.route("/", tasksRoutes);
app.notFound((c) => renderProblem(c, problem("not_found", { detail: `Nothing at ${c.req.path}` })));
app.onError((error, c) => {
  if (error instanceof Problem) return renderProblem(c, error);
  if (error instanceof HTTPException && error.status < 500) {
    return renderProblem(c, problem("malformed_json", { detail: error.message }));
  }
  console.error(error);
  return renderProblem(c, problem("internal_error"));
});

export default app;
