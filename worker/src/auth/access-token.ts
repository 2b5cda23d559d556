import {
  type CompactJWSHeaderParameters,
  createRemoteJWKSet,
  customFetch,
  errors,
  type FlattenedJWSInput,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import type { Config } from "../config.ts";
import { isZoneName } from "../tasks/due.ts";
import { type Auth, tokenClaims } from "./auth.ts";

/** How long a warm isolate trusts its copy of the key set, and how often an unknown `kid` may refresh it. */
export const keySetCache = { maxAgeMs: 10 * 60_000, cooldownMs: 30_000 } as const;

/** Tokens are a few hundred bytes; anything far larger is refused before any parsing. */
const maxTokenLength = 4096;

/** Leeway for clocks that disagree a little on `exp` and `nbf`. */
const clockToleranceSeconds = 30;

export class InvalidAccessToken extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = "InvalidAccessToken";
  }
}

const keySets = new WeakMap<Auth, JWTVerifyGetKey>();

/**
 * The isolate's cached key set. It is loaded in-process from Better Auth
 * (`auth.api.getJwks()`, one database read) — never by fetching the Worker's own
 * URL, which a Worker cannot reliably reach. jose keeps it for `maxAgeMs` and
 * reloads it early, at most once per `cooldownMs`, when a token names an unknown
 * `kid` (a key rotated in since the last load).
 */
export function getKeySet(auth: Auth, config: Config): JWTVerifyGetKey {
  let keySet = keySets.get(auth);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL("/api/auth/jwks", config.baseUrl), {
      [customFetch]: async () => Response.json(await auth.api.getJwks()),
      cacheMaxAge: keySetCache.maxAgeMs,
      cooldownDuration: keySetCache.cooldownMs,
      // The database call has its own, shorter timeout; its failure must read as "unavailable".
      timeoutDuration: config.dbTimeoutMs + 1000,
    });
    keySets.set(auth, keySet);
  }
  return keySet;
}

/** What a verified access token says. */
export interface AccessToken {
  userId: string;
  /** The Better Auth session it was issued for (`sid`); absent on tokens from before tokens named it. */
  sessionId: string | undefined;
  /** `exp`, or `iat` plus the maximum token age if sooner, in seconds since the epoch. */
  expiresAt: number;
  /** The person's IANA zone (`tz`), when they have one the runtime knows: "now" for the task API. */
  timeZone: string | undefined;
}

/** What a full verification established about a token, kept so the next request with it skips the RSA check. */
interface Verified extends AccessToken {
  /** The key that verified the signature, and what the key set needs to be asked for it again. */
  key: unknown;
  header: CompactJWSHeaderParameters;
  input: FlattenedJWSInput;
}

/**
 * Verified tokens per key set. A client sends the same token for its whole lifetime
 * (15 minutes), so most requests repeat a verification an isolate has already done;
 * the RSA check and the claim parsing are most of an authenticated request's CPU.
 * A hit is the exact token string that passed every check before, so it is no
 * weaker than verifying again, given two re-checks: still unexpired, and the key set
 * still answers its `kid` with the very key object that verified it (a key rotated
 * out, or a key set reloaded with different keys, sends the token through the full
 * check again). Bounded; the oldest entries leave first.
 */
const verifiedTokens = new WeakMap<JWTVerifyGetKey, Map<string, Verified>>();
const maxVerifiedTokens = 1000;

async function fromCache(token: string, keySet: JWTVerifyGetKey): Promise<AccessToken | undefined> {
  const cache = verifiedTokens.get(keySet);
  const entry = cache?.get(token);
  if (!cache || !entry) return undefined;
  const stillValid =
    Date.now() / 1000 < entry.expiresAt + clockToleranceSeconds &&
    (await Promise.resolve(keySet(entry.header, entry.input)).catch(() => undefined)) === entry.key;
  if (stillValid)
    return { userId: entry.userId, sessionId: entry.sessionId, expiresAt: entry.expiresAt, timeZone: entry.timeZone };
  cache.delete(token);
  return undefined;
}

function remember(token: string, keySet: JWTVerifyGetKey, verified: Verified): void {
  let cache = verifiedTokens.get(keySet);
  if (!cache) {
    cache = new Map();
    verifiedTokens.set(keySet, cache);
  }
  if (cache.size >= maxVerifiedTokens) cache.delete(cache.keys().next().value as string);
  cache.set(token, verified);
}

/**
 * Verifies an access token: RS256 only, signed by one of our keys (chosen by
 * `kid`), our issuer and audience, unexpired and already valid (with a little
 * clock tolerance), issued neither in the future nor longer ago than the access
 * tokens' lifetime (`maxTokenAge`), with a subject. Returns what it says, or throws
 * InvalidAccessToken. A key set that cannot be loaded throws the database's error.
 */
export async function verifyAccessToken(token: string, keySet: JWTVerifyGetKey, config: Config): Promise<AccessToken> {
  if (token.length > maxTokenLength) throw new InvalidAccessToken("token too long");
  const cached = await fromCache(token, keySet);
  if (cached) return cached;
  const { issuer, audience } = tokenClaims(config);
  let usedKey: Pick<Verified, "key" | "header" | "input"> | undefined;
  try {
    const { payload } = await jwtVerify(
      token,
      async (header, input) => {
        const key = await keySet(header, input);
        usedKey = { key, header, input };
        return key;
      },
      {
        algorithms: ["RS256"],
        issuer,
        audience,
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ["sub", "exp", "iat"],
        // No older than an access token lives (whatever its `exp` says), and `iat` not in the future.
        maxTokenAge: config.accessTokenTtlSeconds,
      },
    );
    if (typeof payload.sub !== "string" || payload.sub === "") throw new InvalidAccessToken("no subject");
    // Both are required claims, checked by jwtVerify.
    const expiresAt = Math.min(Number(payload.exp), Number(payload.iat) + config.accessTokenTtlSeconds);
    const verified = {
      userId: payload.sub,
      sessionId: typeof payload.sid === "string" ? payload.sid : undefined,
      expiresAt,
      timeZone: typeof payload.tz === "string" && isZoneName(payload.tz) ? payload.tz : undefined,
    };
    if (usedKey) remember(token, keySet, { ...verified, ...usedKey });
    return verified;
  } catch (error) {
    if (error instanceof InvalidAccessToken) throw error;
    if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) {
      throw new InvalidAccessToken(error.code, { cause: error });
    }
    // A key set that could not be loaded (the database is down): not the token's fault.
    throw error;
  }
}
