import { env, waitUntil } from "cloudflare:workers";
import { passkey } from "@better-auth/passkey";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";
import { betterAuth } from "better-auth/minimal";
import { jwt, twoFactor } from "better-auth/plugins";
import { z } from "zod";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import * as schema from "../db/schema.ts";
import { endLiveSessions } from "../live/notify.ts";
import { errorForLog, logEvent } from "../log.ts";
import { createMailer, type Mailer } from "../mail/mailer.ts";
import { databaseUnavailableDetail } from "../problems.ts";
import { isZoneName } from "../tasks/due.ts";
import { accountOptions } from "./accounts.ts";
import { deleteUserWithoutCredentials } from "./auth.repo.ts";
import {
  checkPassword,
  normalisePassword,
  passwordFields,
  passwordHashing,
  passwordLength,
} from "./password-policy.ts";
import { signingKeySource } from "./signing-keys.ts";

/** Access-token signing keys: a new key every 30 days; the previous one keeps verifying for 2 days after. */
export const signingKeyRotation = { intervalSeconds: 30 * 86_400, gracePeriodSeconds: 2 * 86_400 } as const;

/** Sessions (the HttpOnly cookie): 7 days, extended when used after a day. */
const sessionLifetime = { expiresIn: 7 * 86_400, updateAge: 86_400 } as const;

/** Two-factor sign-in: a device the person chose to trust skips the code for 30 days. */
export const trustedDeviceSeconds = 30 * 86_400;

/** What a person may put in their profile. */
const profileLimits = { nameLength: 100, imageUrlLength: 2048 } as const;

/** The access token's `iss` and `aud`: the site's origin, and the API beneath it. */
export function tokenClaims(config: Config) {
  return { issuer: config.baseUrl, audience: `${config.baseUrl}/api` };
}

/** The person's time zone as sign-up and update-user take it: an IANA name (docs/tasks-api.md "The due model"). */
const TimeZone = z
  .string({ error: "timeZone must be an IANA time zone name such as Europe/Berlin" })
  .refine(isZoneName, "timeZone must be an IANA time zone name such as Europe/Berlin")
  .nullable();

export type Auth = ReturnType<typeof createAuth>;

const instances = new WeakMap<Config, Auth>();

/** The Better Auth instance for this isolate's configuration, created on first use. */
export function getAuth(config: Config, db: Database, bindings: Env): Auth {
  let auth = instances.get(config);
  if (!auth) {
    auth = createAuth(config, db, createMailer(bindings, config, db));
    instances.set(config, auth);
  }
  return auth;
}

function createAuth(config: Config, db: Database, mailer: Mailer) {
  const { issuer, audience } = tokenClaims(config);
  // Verification, password reset, email change and device details (account-mail.ts).
  const accounts = accountOptions(config, db, mailer);
  const signingKeys = signingKeySource();
  return betterAuth({
    appName: "Brisk",
    baseURL: config.baseUrl,
    basePath: "/api/auth",
    secret: config.authSecret,
    ...(config.authSecrets.length > 0 ? { secrets: config.authSecrets } : {}),
    trustedOrigins: trustedOrigins(config),
    // neon-http cannot run interactive transactions; see auth.repo.ts for what that means for sign-up.
    database: failFastWhenUnavailable(drizzleAdapter(db, { provider: "pg", schema, transaction: false })),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: passwordLength.min,
      maxPasswordLength: passwordLength.max,
      // Sign-up answers a new and a taken address alike (decision 016): no session from it; the
      // client signs in next, and the owner of a taken address gets a mail (onExistingUserSignUp).
      autoSignIn: false,
      password: {
        hash: (password) => passwordHashing.hash(password),
        verify: (data) => passwordHashing.verify(data),
      },
      ...accounts.emailAndPassword,
    },
    emailVerification: accounts.emailVerification,
    session: { ...sessionLifetime, additionalFields: accounts.sessionFields },
    user: {
      deleteUser: { enabled: true },
      changeEmail: { enabled: true },
      // The person's time zone (docs/tasks-api.md "The due model"): set at sign-up, changed on the account page.
      additionalFields: { timeZone: { type: "string", required: false, input: true, validator: { input: TimeZone } } },
    },
    // Throttling happens before Better Auth, per exposed endpoint (auth.routes.ts).
    rateLimit: { enabled: false },
    advanced: {
      // A session with its user in one statement (the relations in auth.tables.ts), not two round trips.
      database: { joins: true },
      ipAddress: { ipAddressHeaders: ["cf-connecting-ip"] },
      useSecureCookies: config.baseUrl.startsWith("https:"),
      defaultCookieAttributes: { sameSite: "lax", httpOnly: true },
    },
    // Errors that are not Better Auth's own (a database that is down) reach app.onError.
    onAPIError: { throw: true },
    telemetry: { enabled: false },
    logger: {
      level: "warn",
      log: (level, message, ...args) =>
        logEvent(level === "error" ? "error" : "warn", `better-auth: ${message}`, {
          details: args.map((a) => errorForLog(a)),
        }),
    },
    hooks: { before: checkRequest(config, db, signingKeys), after: accounts.afterHook },
    // Sign-out, revocation, a password change that ends sessions, account deletion: the
    // live sockets of what ended hear `session-ended` and close (docs/live.md). After the
    // answer, and never failing it.
    databaseHooks: {
      session: {
        create: { before: accounts.placeSession },
        delete: { after: async (session) => waitUntil(endLiveSessions(env.LIVE, session.userId, [session.id])) },
      },
      user: { delete: { after: async (user) => waitUntil(endLiveSessions(env.LIVE, user.id)) } },
    },
    plugins: [
      jwt({
        jwks: {
          keyPairConfig: { alg: "RS256", modulusLength: 2048 },
          rotationInterval: signingKeyRotation.intervalSeconds,
          gracePeriod: signingKeyRotation.gracePeriodSeconds,
        },
        // `/token` reads the key table alongside the session, not after it (signing-keys.ts).
        adapter: signingKeys.adapter,
        jwt: {
          issuer,
          audience,
          expirationTime: `${config.accessTokenTtlSeconds} seconds`,
          // `sub` (the user id), `sid` (the session's random id, so the live channel can end
          // that session's sockets) and `tz` (the person's time zone: "today" for the task API
          // without a database trip) are all the API needs; no e-mail or name in a token.
          definePayload: ({ session, user }) => ({
            sid: session.id,
            ...(typeof user.timeZone === "string" && isZoneName(user.timeZone) ? { tz: user.timeZone } : {}),
          }),
        },
        disableSettingJwtHeader: true,
      }),
      // An authenticator-app code (or a backup code) after the password, once a person has turned it on.
      twoFactor({ issuer: "Brisk", trustDeviceMaxAge: trustedDeviceSeconds }),
      passkey(passkeySettings(config)),
    ],
  });
}

/**
 * WebAuthn's relying party is the site itself: its ID is BETTER_AUTH_URL's host name
 * (a passkey made for `brisk.example.com` works nowhere else), and a ceremony is
 * accepted from the site's origin and TRUSTED_ORIGINS only — in development
 * `http://localhost:<port>`: browsers do not offer passkeys for `localhost` to
 * `127.0.0.1`.
 */
function passkeySettings(config: Config) {
  return {
    rpID: new URL(config.baseUrl).hostname,
    rpName: "Brisk",
    origin: [config.baseUrl, ...config.trustedOrigins],
  };
}

/**
 * Better Auth turns some database failures into its own 4xx answers (a failed user
 * insert becomes 422 "Failed to create user"), which would tell a person their input
 * was wrong when the database was merely unreachable. Adapter calls that fail for
 * that reason are rethrown as an APIError Better Auth passes through: 503 with
 * Retry-After, so clients know to try again.
 */
function failFastWhenUnavailable<Factory extends (...args: never[]) => object>(factory: Factory): Factory {
  return ((...args: Parameters<Factory>) => failFastAdapter(factory(...args))) as Factory;
}

function failFastAdapter<Adapter extends object>(adapter: Adapter): Adapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      // Work inside a "transaction" is handed another adapter object: wrap that one too.
      if (property === "transaction") {
        return (work: (trx: object) => unknown) => value.call(target, (trx: object) => work(failFastAdapter(trx)));
      }
      return (...callArgs: unknown[]) => {
        const result: unknown = value.apply(target, callArgs);
        return result instanceof Promise ? result.catch(rethrowUnavailable) : result;
      };
    },
  });
}

function rethrowUnavailable(error: unknown): never {
  if (!isDatabaseUnavailable(error)) throw error;
  logEvent("warn", "database unavailable", { error: errorForLog(error) });
  throw new APIError(
    "SERVICE_UNAVAILABLE",
    { code: "database_unavailable", message: databaseUnavailableDetail },
    { "Retry-After": "5" },
  );
}

/**
 * The origins whose cookie-bearing requests Better Auth accepts: the site's own and
 * TRUSTED_ORIGINS. When the site itself is on a loopback address (development),
 * every loopback name of its port too — `localhost`, `127.0.0.1` and `[::1]` are the
 * same server to a person typing the address.
 */
function trustedOrigins(config: Config): string[] {
  const site = new URL(config.baseUrl);
  const loopback = ["localhost", "127.0.0.1", "[::1]"];
  const aliases = loopback.includes(site.hostname)
    ? loopback.map((hostname) => {
        const alias = new URL(site);
        alias.hostname = hostname;
        return alias.origin;
      })
    : [];
  return [...new Set([config.baseUrl, ...aliases, ...config.trustedOrigins])];
}

type Body = Record<string, unknown>;

/**
 * Our rules on every request Better Auth handles, before it does anything: callback
 * URLs stay on this site, profile fields are bounded, passwords are NFKC-normalised
 * before every rule (and hashed so too, see `passwordHashing`), and per endpoint:
 * sign-up checks the password policy and repairs an interrupted sign-up; a password
 * change checks the new password and ends the other sessions unless asked not to; a
 * password reset checks the new password;
 * deleting the account needs the password.
 */
function checkRequest(config: Config, db: Database, signingKeys: ReturnType<typeof signingKeySource>) {
  return createAuthMiddleware(async (ctx) => {
    // Before the session middleware runs: the key read goes out while the session is read.
    if (ctx.path === "/token") signingKeys.prefetch(ctx);
    const body: Body | undefined = isObject(ctx.body) ? normalisePasswords(ctx.body) : undefined;
    rejectForeignCallbacks(config, [body, isObject(ctx.query) ? ctx.query : undefined]);
    if (body) checkProfile(body);

    if (ctx.path === "/sign-up/email" && body) {
      const { email, password } = body;
      // Otherwise Better Auth refuses the body, naming what is wrong.
      if (typeof email === "string" && typeof password === "string" && z.email().safeParse(email).success) {
        await rejectWeakPassword(db, password, email);
        // Better Auth hashes the password for a taken address too, so both answers cost the same.
        await deleteUserWithoutCredentials(db, email);
      }
    } else if (ctx.path === "/change-password" && body) {
      if (typeof body.newPassword === "string") {
        const session = await getSessionFromCtx(ctx);
        await rejectWeakPassword(db, body.newPassword, session?.user.email);
      }
      body.revokeOtherSessions ??= true;
    } else if (ctx.path === "/reset-password" && body) {
      if (typeof body.newPassword === "string") {
        // The same rules as at sign-up, the email rule with the address of the account the link is for.
        const token = typeof body.token === "string" ? body.token : "";
        const link = token ? await ctx.context.internalAdapter.findVerificationValue(`reset-password:${token}`) : null;
        const owner = link ? await ctx.context.internalAdapter.findUserById(link.value) : null;
        await rejectWeakPassword(db, body.newPassword, owner?.email);
      }
    } else if (ctx.path === "/delete-user") {
      if (typeof body?.password !== "string" || body.password === "") {
        throw new APIError("BAD_REQUEST", {
          code: "PASSWORD_REQUIRED",
          message: "Enter your password to delete your account",
        });
      }
    }
    return body ? { context: { body } } : undefined;
  });
}

function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function normalisePasswords(body: Body): Body {
  const normalised = { ...body };
  for (const field of passwordFields) {
    const value = normalised[field];
    if (typeof value === "string") normalised[field] = normalisePassword(value);
  }
  return normalised;
}

/** Where Better Auth may send the browser afterwards. */
const callbackFields = ["callbackURL", "newUserCallbackURL", "errorCallbackURL", "redirectTo"] as const;

/**
 * A callback URL must be a path on this site, already in its normal form: what the
 * URL parser makes of it is exactly what was sent, and it does not start with `//`.
 * So `/.//evil.example` or `/x/..//evil.example` (which normalise to
 * `//evil.example`, another host) and absolute URLs are refused.
 */
function rejectForeignCallbacks(config: Config, sources: (Body | undefined)[]) {
  for (const source of sources) {
    for (const field of callbackFields) {
      const value = source?.[field];
      if (value === undefined || isPathOnSite(value, config.baseUrl)) continue;
      throw new APIError("BAD_REQUEST", {
        code: "INVALID_CALLBACK_URL",
        message: `${field} must be a path on this site, such as /tasks`,
      });
    }
  }
}

function isPathOnSite(value: unknown, origin: string): boolean {
  if (typeof value !== "string" || !value.startsWith("/")) return false;
  try {
    const url = new URL(value, origin);
    const path = `${url.pathname}${url.search}${url.hash}`;
    return url.origin === origin && path === value && !url.pathname.startsWith("//");
  } catch {
    return false;
  }
}

/** Control characters (NUL among them) and unpaired surrogates: never part of a name, and unstorable. */
const unfitForName = /[\p{Cc}\p{Cs}]/u;

function checkProfile(body: Body) {
  const { name, image } = body;
  if (name !== undefined && typeof name !== "string") {
    // `{"name": null}` would reach the database's NOT NULL as a 500.
    throw new APIError("BAD_REQUEST", { code: "INVALID_NAME", message: "The name must be text" });
  }
  if (typeof name === "string") {
    if ([...name].length > profileLimits.nameLength) {
      throw new APIError("BAD_REQUEST", {
        code: "NAME_TOO_LONG",
        message: `Use at most ${profileLimits.nameLength} characters for the name`,
      });
    }
    if (unfitForName.test(name)) {
      throw new APIError("BAD_REQUEST", {
        code: "INVALID_NAME",
        message: "The name cannot contain control characters",
      });
    }
  }
  if (image !== undefined && image !== null && !isImageUrl(image)) {
    throw new APIError("BAD_REQUEST", {
      code: "INVALID_IMAGE",
      message: `The image must be an http(s) URL of at most ${profileLimits.imageUrlLength} characters`,
    });
  }
}

function isImageUrl(value: unknown): boolean {
  if (typeof value !== "string" || value.length > profileLimits.imageUrlLength) return false;
  return URL.canParse(value) && ["https:", "http:"].includes(new URL(value).protocol);
}

async function rejectWeakPassword(db: Database, password: string, email: string | undefined) {
  // Length is Better Auth's rule and its message comes first.
  if (password.length < passwordLength.min || password.length > passwordLength.max) return;
  const rejection = await checkPassword(db, password, email);
  if (rejection) throw new APIError("BAD_REQUEST", { code: rejection.code, message: rejection.message });
}
