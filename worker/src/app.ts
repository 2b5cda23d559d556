import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { bodyLimit } from "hono/body-limit";
import { contextStorage } from "hono/context-storage";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { MiddlewareHandler } from "hono/types";
import { authRoutes } from "./auth/auth.routes.ts";
import { requireUser } from "./auth/require-user.ts";
import { ConfigError, readConfig } from "./config.ts";
import { getDatabase } from "./db/client.ts";
import type { AppEnv } from "./env.ts";
import { healthRoutes } from "./health/health.routes.ts";
import { listsRoutes } from "./lists/lists.routes.ts";
import { liveRoutes } from "./live/live.routes.ts";
import { announceChanges } from "./live/notify.ts";
import { errorForLog, logEvent } from "./log.ts";
import { devMailboxRoutes } from "./mail/dev-mailbox.routes.ts";
import { Problem, type ProblemCode, problem, renderProblem } from "./problems.ts";
import { tasksRoutes } from "./tasks/tasks.routes.ts";
import { toProblem } from "./to-problem.ts";
import { importBodyLimit, transferRoutes } from "./transfer/transfer.routes.ts";

export const app = new OpenAPIHono<AppEnv>();

const securityHeaders = {
  referrerPolicy: "strict-origin-when-cross-origin",
  // Set below, on https only: it means nothing over http and would only confuse local development.
  strictTransportSecurity: false,
  crossOriginResourcePolicy: "same-origin",
  xFrameOptions: "DENY",
} as const;

app.use(requestId());
// Lets a log line written anywhere while answering (auth, mail, live) name its request (log.ts).
app.use(contextStorage());
app.use(async (c, next) => {
  await next();
  if (c.req.url.startsWith("https:")) c.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
});
// The API reference page runs Scalar's bundle, served from this origin by the site (web/scripts/
// vendor-api-reference.ts copies the locked version into web/dist), with this page's nonce. The styles
// Scalar injects at run time are inline; nothing loads from another host.
app.use(
  "/api/docs",
  secureHeaders({
    ...securityHeaders,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: [NONCE],
      styleSrc: ["'self'", "'unsafe-inline'"],
      fontSrc: ["'self'", "data:"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
    },
  }),
);
// Built once: every other API response is data, never a document.
const dataSecurityHeaders = secureHeaders({
  ...securityHeaders,
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
});
// The development mailbox's pages set their own (devMailboxRoutes).
const ownSecurityHeaders = (path: string) => path === "/api/docs" || path.startsWith("/__dev/");
app.use("*", async (c, next) => (ownSecurityHeaders(c.req.path) ? next() : dataSecurityHeaders(c, next)));
const withConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = readConfig(c.env);
  c.set("config", config);
  c.set("db", getDatabase(config));
  await next();
};
app.use("/api/*", withConfig);
app.use("/__dev/*", withConfig);

/** The answer holds a credential or a user's data: no cache (browser, proxy, CDN) may keep it. */
const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
};
// Every Better Auth answer but the public key set carries a session, a token or an account.
app.use("/api/auth/*", (c, next) => (c.req.path === "/api/auth/jwks" ? next() : noStore(c, next)));

app.route("/api/health", healthRoutes);
app.route("/api/auth", authRoutes);
// Development only (DEV_MAILBOX=on); 404 everywhere else.
app.route("/__dev", devMailboxRoutes);

// Cross-origin use of the task API, for TRUSTED_ORIGINS only: the bearer token is the credential,
// so no cookies (credentials off). Other origins get no CORS headers at all, not even on a preflight.
// Only the task routes: Better Auth's answers keep their own headers (Hono's cors would overwrite its
// Access-Control-Expose-Headers), and its cookie-based routes check origins themselves.
const taskCors = cors({
  origin: (origin) => origin,
  allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
  allowHeaders: ["Authorization", "Content-Type", "If-Match"],
  exposeHeaders: ["ETag", "Location", "Link", "X-Total-Count", "Retry-After"],
  credentials: false,
  maxAge: 600,
});
const trustedCors: MiddlewareHandler<AppEnv> = (c, next) =>
  c.var.config.trustedOrigins.includes(c.req.header("Origin") ?? "") ? taskCors(c, next) : next();
/** Task and list bodies are small; an import has its own limit (importBodyLimit). */
const smallBody = bodyLimit({
  maxSize: 16 * 1024,
  onError: () => {
    throw problem("payload_too_large", { detail: "Send at most 16 KiB." });
  },
});
// Tasks and lists (docs/decisions/025-lists.md) under the same rules: trusted-origin CORS, no caching,
// a bearer token for the person in the path, small bodies; a write that changed something tells the
// user's live sockets after it answered (docs/live.md).
for (const path of ["/api/:userId/tasks/*", "/api/:userId/lists/*"])
  app.use(path, trustedCors, noStore, requireUser, smallBody, announceChanges);
app.route("/", tasksRoutes);
app.route("/", listsRoutes);
// Export and import (docs/tasks-api.md): the same guard; an import's own size limit instead of 16 KiB.
for (const path of ["/api/:userId/export", "/api/:userId/import"])
  app.use(path, trustedCors, noStore, requireUser, announceChanges);
app.use("/api/:userId/import", importBodyLimit);
app.route("/", transferRoutes);
app.route("/", liveRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
  description: "An access token from `GET /api/auth/token` (session cookie required there).",
});
app.openAPIRegistry.registerComponent("securitySchemes", "webSocketProtocol", {
  type: "apiKey",
  in: "header",
  name: "Sec-WebSocket-Protocol",
  description: "The live channel's access token, offered as the subprotocol `bearer.<access token>` beside `brisk.v1`.",
});
app.doc31("/api/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "Brisk API",
    version: "1.0.0",
    license: { name: "MIT", url: "https://spdx.org/licenses/MIT.html" },
    description:
      "Tasks of signed-in users. Authentication is Better Auth's email-and-password API at `/api/auth/*` " +
      "(sign-up/email, sign-in/email, sign-out, get-session, token, jwks, change-password, delete-user; " +
      "request-password-reset, reset-password, send-verification-email, verify-email, change-email, " +
      "update-user, list-sessions, revoke-session, revoke-other-sessions, revoke-sessions); " +
      "every task route needs `Authorization: Bearer <access token>`. Errors are RFC 9457 problem+json. " +
      "The copy the web client is generated from (web/src/lib/api/openapi.json) also describes those " +
      "`/api/auth/*` endpoints, generated from Better Auth (docs/decisions/031-openapi-document-complete.md).",
  },
  // Relative: the API is always on the origin that serves this document (each deployment, `pnpm dev`,
  // the tests), so one document fits all of them and "try it" on /api/docs calls the same origin.
  servers: [{ url: "/", description: "The origin serving this document" }],
  tags: [
    {
      name: "Accounts",
      description: "Better Auth's endpoints at `/api/auth/*`: only those listed in the published copy are exposed.",
      externalDocs: { description: "Better Auth's API", url: "https://www.better-auth.com/docs/concepts/api" },
    },
  ],
});
/** Where the site serves Scalar's standalone bundle (web/scripts/vendor-api-reference.ts puts it there). */
export const apiReferenceScript = "/vendor/scalar-api-reference.js";
app.get(
  "/api/docs",
  Scalar((c) => ({
    url: "/api/openapi.json",
    pageTitle: "Brisk API",
    nonce: c.get("secureHeadersNonce"),
    cdn: apiReferenceScript,
    // Nothing that would reach Scalar's services (its CSP refuses them anyway): no font host, no
    // telemetry, no MCP generator; the page uses the system's fonts.
    withDefaultFonts: false,
    telemetry: false,
    mcp: { disabled: true },
    showDeveloperTools: "never",
  })),
);

app.notFound((c) => renderProblem(c, problem("not_found", { detail: `Nothing at ${c.req.path}` })));

app.onError((error, c) => {
  const requestId = c.var.requestId;
  const answer = toProblem(error, c.req.method, requestId);
  const logged = error instanceof Problem ? undefined : loggedAs[answer.code];
  if (logged) {
    logEvent(logged.level, logged.message, {
      requestId,
      ...(error instanceof ConfigError ? { issues: error.issues } : { error: errorForLog(error) }),
      ...(answer.code === "internal_error" && error instanceof Error
        ? { stack: error.stack?.split("\nparams:")[0] }
        : {}),
    });
  }
  return renderProblem(c, answer);
});

/** How an error that was not already a Problem is logged, by the problem it became. */
const loggedAs: Partial<Record<ProblemCode, { level: "warn" | "error"; message: string }>> = {
  server_misconfigured: { level: "error", message: "invalid configuration" },
  database_unavailable: { level: "warn", message: "database unavailable" },
  validation_failed: { level: "warn", message: "database refused a value" },
  invalid_parameter: { level: "warn", message: "database refused a value" },
  internal_error: { level: "error", message: "unhandled error" },
};
