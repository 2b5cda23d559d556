import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";
import { jwt } from "better-auth/plugins";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import * as schema from "../db/schema.ts";
import { describeError, logEvent } from "../log.ts";
import { deleteUserWithoutCredentials } from "./auth.repo.ts";
import { checkPassword, passwordLength } from "./password-policy.ts";
import { databaseRateLimitStorage } from "./rate-limit-storage.ts";

/** Access-token signing keys: a new key every 30 days; the previous one keeps verifying for 2 days after. */
export const signingKeyRotation = { intervalSeconds: 30 * 86_400, gracePeriodSeconds: 2 * 86_400 } as const;

/** Sessions (the HttpOnly cookie): 7 days, extended when used after a day. */
const sessionLifetime = { expiresIn: 7 * 86_400, updateAge: 86_400 } as const;

/** Per client IP, counters shared by every isolate. */
const rateLimitRules = {
  "/sign-in/email": { window: 60, max: 3 },
  "/sign-up/email": { window: 60, max: 3 },
  "/change-password": { window: 60, max: 3 },
  "/delete-user": { window: 60, max: 3 },
  // Reads that need a live session anyway; limiting them would cost a write per page load.
  "/get-session": false,
  "/token": false,
  "/jwks": false,
} as const;

/** The access token's `iss` and `aud`: the site's origin, and the API beneath it. */
export function tokenClaims(config: Config) {
  return { issuer: config.baseUrl, audience: `${config.baseUrl}/api` };
}

export type Auth = ReturnType<typeof createAuth>;

const instances = new WeakMap<Config, Auth>();

/** The Better Auth instance for this isolate's configuration, created on first use. */
export function getAuth(config: Config, db: Database): Auth {
  let auth = instances.get(config);
  if (!auth) {
    auth = createAuth(config, db);
    instances.set(config, auth);
  }
  return auth;
}

function createAuth(config: Config, db: Database) {
  const { issuer, audience } = tokenClaims(config);
  return betterAuth({
    appName: "Brisk",
    baseURL: config.baseUrl,
    basePath: "/api/auth",
    secret: config.authSecret,
    ...(config.authSecrets.length > 0 ? { secrets: config.authSecrets } : {}),
    trustedOrigins: [config.baseUrl, ...config.trustedOrigins],
    // neon-http cannot run interactive transactions; see auth.repo.ts for what that means for sign-up.
    database: failFastWhenUnavailable(drizzleAdapter(db, { provider: "pg", schema, transaction: false })),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: passwordLength.min,
      maxPasswordLength: passwordLength.max,
      autoSignIn: true,
    },
    session: sessionLifetime,
    user: { deleteUser: { enabled: true } },
    rateLimit: {
      enabled: true,
      window: 60,
      max: 100,
      customRules: rateLimitRules,
      customStorage: databaseRateLimitStorage(db),
    },
    advanced: {
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
          details: args.map((a) => describeError(a)),
        }),
    },
    hooks: { before: enforcePasswordPolicy(db) },
    plugins: [
      jwt({
        jwks: {
          keyPairConfig: { alg: "RS256", modulusLength: 2048 },
          rotationInterval: signingKeyRotation.intervalSeconds,
          gracePeriod: signingKeyRotation.gracePeriodSeconds,
        },
        jwt: {
          issuer,
          audience,
          expirationTime: `${config.accessTokenTtlSeconds} seconds`,
          // `sub` (the user id) is all the API needs; no e-mail or name in a token.
          definePayload: () => ({}),
        },
        disableSettingJwtHeader: true,
      }),
    ],
  });
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
  logEvent("warn", "database unavailable", { error: describeError(error) });
  throw new APIError(
    "SERVICE_UNAVAILABLE",
    { code: "DATABASE_UNAVAILABLE", message: "The database did not answer; try again shortly." },
    { "Retry-After": "5" },
  );
}

/** Our password rules on sign-up and password change; sign-up also clears what an interrupted one left. */
function enforcePasswordPolicy(db: Database) {
  return createAuthMiddleware(async (ctx) => {
    if (ctx.path === "/sign-up/email") {
      const { email, password } = (ctx.body ?? {}) as { email?: unknown; password?: unknown };
      if (typeof email !== "string" || typeof password !== "string") return;
      await rejectWeakPassword(db, password, email);
      await deleteUserWithoutCredentials(db, email);
    } else if (ctx.path === "/change-password") {
      const { newPassword } = (ctx.body ?? {}) as { newPassword?: unknown };
      if (typeof newPassword !== "string") return;
      const session = await getSessionFromCtx(ctx);
      await rejectWeakPassword(db, newPassword, session?.user.email);
    }
  });
}

async function rejectWeakPassword(db: Database, password: string, email: string | undefined) {
  // Length is Better Auth's rule and its message comes first.
  if (password.length < passwordLength.min || password.length > passwordLength.max) return;
  const rejection = await checkPassword(db, password, email);
  if (rejection) throw new APIError("BAD_REQUEST", { code: rejection.code, message: rejection.message });
}
