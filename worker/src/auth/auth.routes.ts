import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env.ts";
import { mailOutcome } from "../mail/mailer.ts";
import { type Problem, problem, titleForStatus } from "../problems.ts";
import { getAuth } from "./auth.ts";
import { consumeAttempt, forgetAttempts, type RateLimitRule } from "./rate-limit-storage.ts";

export interface ExposedEndpoint {
  method: "GET" | "POST";
  /** The name its throttle counters are kept under (never the raw path, which the client picks). */
  name: string;
  /** Attempts allowed per client address; `false`: not throttled. */
  perAddress: RateLimitRule | false;
  /** Attempts allowed per email address in the body, whatever the client address (mail-sending endpoints). */
  perAccount?: RateLimitRule;
  /** The body field holding that address: `email` unless said otherwise. */
  accountField?: "email" | "newEmail";
  /**
   * The answer takes at least this long, so its timing cannot tell whether the address has an
   * account (a mail is sent only when it has one).
   */
  minimumDurationMs?: number;
}

/** Attempts that try a password or create something: per client address. */
const credentialAttempts = { window: 60, max: 3 } as const;
/** Session housekeeping: generous, but bounded. */
const sessionActions = { window: 60, max: 30 } as const;
/** Mails to one address: a few an hour, however many clients ask. */
const mailsPerAccount = { window: 3600, max: 5 } as const;
/** Starting a passkey sign-in (the sign-in page asks once on load for autofill, again on the button). */
const passkeyChallenges = { window: 60, max: 10 } as const;

/**
 * The Better Auth endpoints Brisk exposes — the ones the product uses — and how
 * often one client address may call each. Every other method and path under
 * /api/auth answers 404 before any other work (no throttle row, no Better Auth).
 * Exposing another endpoint is one more row here. Endpoints that share a name share
 * a counter: a TOTP code and a backup code are guesses at the same second factor.
 */
export const exposedEndpoints: Record<string, ExposedEndpoint> = {
  // A taken address is mailed ("someone tried to sign up"), so sign-up is limited per address too.
  "/sign-up/email": { method: "POST", name: "sign-up", perAddress: credentialAttempts, perAccount: mailsPerAccount },
  "/sign-in/email": { method: "POST", name: "sign-in", perAddress: credentialAttempts },
  "/sign-out": { method: "POST", name: "sign-out", perAddress: sessionActions },
  "/revoke-sessions": { method: "POST", name: "revoke-sessions", perAddress: sessionActions },
  "/change-password": { method: "POST", name: "change-password", perAddress: credentialAttempts },
  "/delete-user": { method: "POST", name: "delete-user", perAddress: credentialAttempts },
  // Accounts (docs/auth.md, "Accounts"): every endpoint that mails is limited per client and per address.
  "/request-password-reset": {
    method: "POST",
    name: "request-password-reset",
    perAddress: credentialAttempts,
    perAccount: mailsPerAccount,
    minimumDurationMs: 500,
  },
  "/reset-password": { method: "POST", name: "reset-password", perAddress: credentialAttempts },
  "/send-verification-email": {
    method: "POST",
    name: "send-verification-email",
    perAddress: credentialAttempts,
    perAccount: mailsPerAccount,
  },
  "/verify-email": { method: "GET", name: "verify-email", perAddress: sessionActions },
  "/change-email": {
    method: "POST",
    name: "change-email",
    perAddress: credentialAttempts,
    perAccount: mailsPerAccount,
    accountField: "newEmail",
  },
  "/update-user": { method: "POST", name: "update-user", perAddress: sessionActions },
  "/revoke-session": { method: "POST", name: "revoke-session", perAddress: sessionActions },
  "/revoke-other-sessions": { method: "POST", name: "revoke-other-sessions", perAddress: sessionActions },
  "/list-sessions": { method: "GET", name: "list-sessions", perAddress: false },
  // Reads that need a live session anyway; throttling them would cost a write per page load.
  "/get-session": { method: "GET", name: "get-session", perAddress: false },
  "/token": { method: "GET", name: "token", perAddress: false },
  "/jwks": { method: "GET", name: "jwks", perAddress: false },
  // Two-factor (TOTP): turning it on and off takes the password; the codes at sign-in are guesses.
  // Per account, Better Auth itself locks the second factor for 15 minutes after 10 wrong codes.
  "/two-factor/enable": { method: "POST", name: "two-factor-enable", perAddress: credentialAttempts },
  "/two-factor/disable": { method: "POST", name: "two-factor-disable", perAddress: credentialAttempts },
  "/two-factor/verify-totp": { method: "POST", name: "two-factor-code", perAddress: credentialAttempts },
  "/two-factor/verify-backup-code": { method: "POST", name: "two-factor-code", perAddress: credentialAttempts },
  // Passkeys (WebAuthn): registering needs a fresh session; signing in with one is a credential attempt.
  "/passkey/generate-register-options": { method: "GET", name: "passkey-register", perAddress: sessionActions },
  "/passkey/verify-registration": { method: "POST", name: "passkey-register", perAddress: sessionActions },
  "/passkey/generate-authenticate-options": {
    method: "GET",
    name: "passkey-challenge",
    perAddress: passkeyChallenges,
  },
  "/passkey/verify-authentication": { method: "POST", name: "passkey-sign-in", perAddress: credentialAttempts },
  "/passkey/list-user-passkeys": { method: "GET", name: "passkey-list", perAddress: false },
  "/passkey/delete-passkey": { method: "POST", name: "passkey-delete", perAddress: sessionActions },
};

/**
 * Failed sign-ins per account (whatever the address), so rotating addresses does not
 * buy unlimited guesses at one password. A successful sign-in clears the count.
 */
const failedSignInsPerAccount = { window: 15 * 60, max: 10 } as const;

/** How long a throttle counter can matter: the Cron Trigger prunes rows older than this. */
export const longestThrottleWindowSeconds = Math.max(
  failedSignInsPerAccount.window,
  ...Object.values(exposedEndpoints).flatMap((endpoint) => [
    endpoint.perAddress ? endpoint.perAddress.window : 0,
    endpoint.perAccount?.window ?? 0,
  ]),
);

const basePath = "/api/auth";

function exposedEndpoint(c: Context<AppEnv>): ExposedEndpoint | undefined {
  const endpoint = exposedEndpoints[c.req.path.slice(basePath.length)];
  return endpoint?.method === c.req.method ? endpoint : undefined;
}

/** Better Auth's endpoints from the table above, unchanged in shape, at /api/auth/*. */
export const authRoutes = new Hono<AppEnv>()
  .use("*", async (c, next) => {
    if (!exposedEndpoint(c)) throw problem("not_found", { detail: `Nothing at ${c.req.method} ${c.req.path}` });
    await next();
  })
  .use(
    "*",
    bodyLimit({
      maxSize: 16 * 1024,
      onError: () => {
        throw problem("payload_too_large", { detail: "Send at most 16 KiB." });
      },
    }),
  )
  .on(["GET", "POST"], "/*", async (c) => {
    const endpoint = exposedEndpoint(c);
    const { db } = c.var;
    const started = Date.now();
    if (endpoint?.perAddress) await throttle(c, `${counterName(c, endpoint)}:${clientAddress(c)}`, endpoint.perAddress);
    if (endpoint?.perAccount) {
      const key = await accountKey(c.req.raw, `${endpoint.name}-account`, endpoint.accountField);
      if (key) await throttle(c, key, endpoint.perAccount);
    }
    const account = endpoint?.name === "sign-in" ? await accountKey(c.req.raw, "sign-in-account") : undefined;
    if (account) await throttle(c, account, failedSignInsPerAccount);

    const outcome: { failure?: Problem } = {};
    const auth = getAuth(c.var.config, db, c.env);
    const response = await mailOutcome.run(outcome, () => auth.handler(c.req.raw));
    // A mail that could not be sent fails the request (503, retryable) — except at sign-up, where the
    // account exists by then and its banner offers to send the verification mail again.
    if (outcome.failure && endpoint?.name !== "sign-up") throw outcome.failure;
    if (account && response.ok) await forgetAttempts(db, account);
    const remaining = (endpoint?.minimumDurationMs ?? 0) - (Date.now() - started);
    if (response.ok && remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
    return await asProblem(response);
  });

/**
 * Better Auth codes that are answered 500 but describe the request, not the server:
 * the passkey plugin reports any registration its WebAuthn library cannot verify
 * (a forged or garbled authenticator response) as 500 FAILED_TO_VERIFY_REGISTRATION.
 * A database that is down is already a 503 by then (`failFastWhenUnavailable`).
 */
const misreportedClientErrors = new Set(["FAILED_TO_VERIFY_REGISTRATION"]);

/**
 * Better Auth refuses with `{code, message}` JSON; every error of the API is RFC 9457
 * problem+json (docs/auth.md), so its refusals are rendered as such: Better Auth's own
 * `code`, its `message` as `detail`, and `message` kept too, which Better Auth's client
 * reads. Headers it set (cookies it clears, Retry-After) stay.
 */
async function asProblem(response: Response): Promise<Response> {
  if (response.status < 400 || !/^application\/json\b/i.test(response.headers.get("Content-Type") ?? "")) {
    return response;
  }
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  if (typeof body !== "object" || body === null || Array.isArray(body)) return response;
  const fields = body as Record<string, unknown>;
  const code = typeof fields.code === "string" ? fields.code : `HTTP_${response.status}`;
  const status = misreportedClientErrors.has(code) ? 400 : response.status;
  const title = titleForStatus(status);
  const detail = typeof fields.message === "string" && fields.message !== "" ? fields.message : title;
  const headers = new Headers(response.headers);
  headers.set("Content-Type", "application/problem+json");
  headers.set("Cache-Control", "no-store");
  headers.delete("Content-Length");
  const problemBody = { ...fields, type: `urn:brisk:problem:${code}`, title, status, detail, code, message: detail };
  return new Response(JSON.stringify(problemBody), { status, headers });
}

/**
 * `/two-factor/verify-totp` does two jobs: the code at sign-in (the request carries the
 * two-factor challenge cookie) and the code that confirms the set-up (a signed-in person
 * proving their app holds the secret). The set-up's checks get a counter of their own,
 * so a person who mistypes while setting up is not then held off signing in. Without a
 * challenge cookie no code is ever checked against a sign-in, so nothing is gained by
 * leaving it out.
 */
function counterName(c: Context<AppEnv>, endpoint: ExposedEndpoint): string {
  if (endpoint.name !== "two-factor-code") return endpoint.name;
  return /(?:^|;\s*)(?:__Secure-)?better-auth\.two_factor=/.test(c.req.header("Cookie") ?? "")
    ? endpoint.name
    : "two-factor-setup";
}

async function throttle(c: Context<AppEnv>, key: string, rule: RateLimitRule): Promise<void> {
  const decision = await consumeAttempt(c.var.db, key, rule);
  if (decision.allowed) return;
  throw problem("too_many_requests", {
    detail: `Too many attempts; try again in ${decision.retryAfterSeconds} seconds.`,
    headers: { "Retry-After": String(decision.retryAfterSeconds) },
  });
}

/** The client's address as Cloudflare reports it; anything that is not an IP address shares one counter. */
function clientAddress(c: Context<AppEnv>): string {
  const address = c.req.header("cf-connecting-ip") ?? "";
  return /^[0-9A-Fa-f:.]{2,45}$/.test(address) ? address : "unknown";
}

/** A per-account counter's key: a hash of the normalised address, so the table holds no email addresses. */
async function accountKey(
  request: Request,
  prefix: string,
  field: "email" | "newEmail" = "email",
): Promise<string | undefined> {
  const body: unknown = await request
    .clone()
    .json()
    .catch(() => undefined);
  const email =
    typeof body === "object" && body !== null && field in body ? (body as Record<string, unknown>)[field] : undefined;
  if (typeof email !== "string") return undefined;
  const normalised = new TextEncoder().encode(email.normalize("NFKC").trim().toLowerCase());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", normalised));
  return `${prefix}:${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
