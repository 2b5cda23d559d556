import {
  base64url,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  FlattenedSign,
  type GenerateKeyPairResult,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidAccessToken, verifyAccessToken } from "../src/auth/access-token.ts";
import { readConfig } from "../src/config.ts";
import { accessToken, bindingsWith, call, origin, signUp, type TestUser } from "./fixtures.ts";
import { sql } from "./stand-in-control.ts";

/**
 * A corpus of forged and malformed access tokens, each of which the task API's guard
 * must refuse with 401. So that every forgery fails for its own reason and not
 * because the harness is broken, the test plants a key of its own in the `jwks`
 * table (old enough that Better Auth never signs with it): the Worker then trusts
 * tokens the test signs, and each forgery differs from a token that passes in one
 * respect only. The reason the verifier gives is checked as well as the response.
 */

const issuer = origin;
const audience = `${origin}/api`;
const trustedKid = "test-trusted-key";
const tasksOf = (userId: string) => `/api/${userId}/tasks`;
const now = () => Math.floor(Date.now() / 1000);

/** The victim, whose tasks every forgery tries to reach. */
let user: TestUser;
/** Another user, whose genuine token some forgeries start from. */
let mallory: TestUser;
let realToken: string;
let malloryToken: string;
let realKid: string;
/** The real signing key's public half, as published. */
let realPublicJwk: JWK;
/** A key pair whose public half the Worker trusts. */
let trusted: GenerateKeyPairResult;
/** A key pair the Worker knows nothing about. */
let attacker: GenerateKeyPairResult;
/** Bindings created after the test key was planted, so the isolate's key set contains it. */
let isolate: Env;
let publishedKeys: JSONWebKeySet;

beforeAll(async () => {
  user = await signUp();
  mallory = await signUp();
  // The first token makes Better Auth create its signing key.
  realToken = await accessToken(user.cookie);
  malloryToken = await accessToken(mallory.cookie);
  realKid = String(decodeProtectedHeader(realToken).kid);

  trusted = await generateKeyPair("RS256", { extractable: true });
  attacker = await generateKeyPair("RS256", { extractable: true });
  await sql(
    "insert into jwks (id, public_key, private_key, alg, created_at, expires_at) values ($1, $2, $3, $4, $5, null)",
    [
      trustedKid,
      JSON.stringify(await exportJWK(trusted.publicKey)),
      "held by the test, never used by Better Auth",
      "RS256",
      "2000-01-01T00:00:00Z",
    ],
  );

  isolate = bindingsWith({});
  publishedKeys = (await (await call("/api/auth/jwks", { env: isolate })).json()) as JSONWebKeySet;
  const published = publishedKeys.keys.find((key) => key.kid === realKid);
  if (!published) throw new Error("the real signing key is not published");
  realPublicJwk = published;
});

/** A token that passes the guard: the trusted key, our issuer and audience, the victim as subject. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  const issuedAt = now();
  return { sub: user.id, iss: issuer, aud: audience, iat: issuedAt, exp: issuedAt + 600, ...overrides };
}

function claimsWithout(...names: string[]): JWTPayload {
  return Object.fromEntries(Object.entries(claims()).filter(([name]) => !names.includes(name)));
}

function sign(
  payload: JWTPayload,
  header: JWTHeaderParameters = { alg: "RS256", kid: trustedKid },
  key: CryptoKey | Uint8Array = trusted.privateKey,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

/** The trusted private key, imported for another algorithm. */
async function trustedKeyFor(alg: string): Promise<CryptoKey> {
  const key = await importJWK(await exportJWK(trusted.privateKey), alg);
  if (!(key instanceof CryptoKey)) throw new Error("expected a CryptoKey");
  return key;
}

function encodeJson(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

function parts(token: string): [header: string, payload: string, signature: string] {
  const [header = "", payload = "", signature = ""] = token.split(".");
  return [header, payload, signature];
}

/** An unsecured JWS: header and payload, empty signature. */
function unsigned(header: Record<string, unknown>, payload: JWTPayload): string {
  return `${encodeJson(header)}.${encodeJson(payload)}.`;
}

async function publicKeyPem(): Promise<string> {
  const key = await importJWK(realPublicJwk, "RS256");
  if (!(key instanceof CryptoKey)) throw new Error("expected a CryptoKey");
  return exportSPKI(key);
}

/** What the verifier makes of a token, against the key set the Worker publishes: "accepted" or its reason. */
async function verdict(token: string): Promise<string> {
  try {
    await verifyAccessToken(token, createLocalJWKSet(publishedKeys), readConfig(isolate));
    return "accepted";
  } catch (error) {
    if (error instanceof InvalidAccessToken) return error.message;
    throw error;
  }
}

const guard = (token: string, userId = user.id) => call(tasksOf(userId), { token, env: isolate });

async function expectInvalidToken(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.headers.get("www-authenticate")).toContain('Bearer error="invalid_token"');
  expect(await response.json()).toMatchObject({ code: "invalid_token", status: 401 });
}

describe("the harness (positive controls)", () => {
  it("publishes the planted key next to Better Auth's own, and Better Auth still signs with its own", async () => {
    expect(publishedKeys.keys.map((key) => key.kid).sort()).toEqual([realKid, trustedKid].sort());
    expect(realKid).not.toBe(trustedKid);
    const fresh = await accessToken(user.cookie, { env: isolate });
    expect(decodeProtectedHeader(fresh).kid).toBe(realKid);
  });

  it("lets Better Auth's real token through the guard", async () => {
    expect((await guard(realToken)).status).toBe(200);
    expect(await verdict(realToken)).toBe("accepted");
  });

  it("lets a token signed with the planted key through the guard", async () => {
    const token = await sign(claims());
    const response = await guard(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
    expect(await verdict(token)).toBe("accepted");
  });

  it("still accepts a token that expired 10 seconds ago, within the clock tolerance", async () => {
    const token = await sign(claims({ iat: now() - 610, exp: now() - 10 }));
    expect((await guard(token)).status).toBe(200);
    expect(await verdict(token)).toBe("accepted");
  });
});

describe("forged and malformed access tokens", () => {
  const invalid = "ERR_JWS_INVALID";
  const algNotAllowed = "ERR_JOSE_ALG_NOT_ALLOWED";
  const badSignature = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  const unknownKid = "ERR_JWKS_NO_MATCHING_KEY";
  const ambiguousKey = "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
  const badClaim = "ERR_JWT_CLAIM_VALIDATION_FAILED";

  const forgeries: [description: string, reason: string, forge: () => Promise<string>][] = [
    // Unsecured tokens.
    ['alg "none" with an empty signature', algNotAllowed, async () => unsigned({ alg: "none" }, claims())],
    ['alg "None" with an empty signature', algNotAllowed, async () => unsigned({ alg: "None" }, claims())],
    ['alg "NONE" with an empty signature', algNotAllowed, async () => unsigned({ alg: "NONE" }, claims())],
    ['alg "nOnE" with an empty signature', algNotAllowed, async () => unsigned({ alg: "nOnE" }, claims())],
    ['alg "none" carrying the real kid', algNotAllowed, async () => unsigned({ alg: "none", kid: realKid }, claims())],
    ["a header without alg", invalid, async () => unsigned({ kid: trustedKid }, claims())],

    // The real token's signature, damaged or swapped.
    [
      "the real token with its signature removed",
      badSignature,
      async () => {
        const [header, payload] = parts(realToken);
        return `${header}.${payload}.`;
      },
    ],
    [
      "the real token cut down to header and payload",
      invalid,
      async () => {
        const [header, payload] = parts(realToken);
        return `${header}.${payload}`;
      },
    ],
    [
      "the real token with a truncated signature",
      badSignature,
      async () => {
        const [header, payload, signature] = parts(realToken);
        return `${header}.${payload}.${signature.slice(0, -8)}`;
      },
    ],
    [
      "the real token with another user's token's signature",
      badSignature,
      async () => {
        const [header, payload] = parts(realToken);
        return `${header}.${payload}.${parts(malloryToken)[2]}`;
      },
    ],
    [
      "another user's real token with the subject changed to the victim",
      badSignature,
      async () => {
        const [header, , signature] = parts(malloryToken);
        return `${header}.${encodeJson({ ...decodeJwt(malloryToken), sub: user.id })}.${signature}`;
      },
    ],

    // Algorithm confusion.
    [
      "HS256 keyed with the server's public key as PEM",
      algNotAllowed,
      async () => sign(claims(), { alg: "HS256", kid: realKid }, new TextEncoder().encode(await publicKeyPem())),
    ],
    [
      "HS256 keyed with the server's public key as JWK JSON",
      algNotAllowed,
      async () =>
        sign(claims(), { alg: "HS256", kid: realKid }, new TextEncoder().encode(JSON.stringify(realPublicJwk))),
    ],
    [
      "RS384 signed with the trusted key",
      algNotAllowed,
      async () => sign(claims(), { alg: "RS384", kid: trustedKid }, await trustedKeyFor("RS384")),
    ],
    [
      "PS256 signed with the trusted key",
      algNotAllowed,
      async () => sign(claims(), { alg: "PS256", kid: trustedKid }, await trustedKeyFor("PS256")),
    ],

    // Keys the token brings along or points to.
    [
      "an embedded jwk header with the attacker's key and no kid",
      ambiguousKey,
      async () => sign(claims(), { alg: "RS256", jwk: await exportJWK(attacker.publicKey) }, attacker.privateKey),
    ],
    [
      "an embedded jwk header with the attacker's key and the real kid",
      badSignature,
      async () =>
        sign(claims(), { alg: "RS256", kid: realKid, jwk: await exportJWK(attacker.publicKey) }, attacker.privateKey),
    ],
    [
      "a jku header pointing to the attacker's key set",
      unknownKid,
      async () =>
        sign(
          claims(),
          { alg: "RS256", kid: "attacker-key", jku: "https://attacker.example/.well-known/jwks.json" },
          attacker.privateKey,
        ),
    ],
    [
      "an x5u header pointing to the attacker's certificate, with the real kid",
      badSignature,
      async () =>
        sign(claims(), { alg: "RS256", kid: realKid, x5u: "https://attacker.example/cert.pem" }, attacker.privateKey),
    ],
    [
      "the attacker's own key pair signing under the real kid",
      badSignature,
      async () => sign(claims(), { alg: "RS256", kid: realKid }, attacker.privateKey),
    ],
    [
      "the attacker's own key pair signing under the trusted kid",
      badSignature,
      async () => sign(claims(), { alg: "RS256", kid: trustedKid }, attacker.privateKey),
    ],

    // Hostile or unknown kids (signed with the trusted key, so only the kid is wrong).
    ["a path-traversal kid", unknownKid, async () => sign(claims(), { alg: "RS256", kid: "../../../../etc/passwd" })],
    ["an SQL-injection kid", unknownKid, async () => sign(claims(), { alg: "RS256", kid: "' OR '1'='1" })],
    ["a 2,500-character kid", unknownKid, async () => sign(claims(), { alg: "RS256", kid: "k".repeat(2500) })],
    ["an empty kid", unknownKid, async () => sign(claims(), { alg: "RS256", kid: "" })],
    ["an unknown kid", unknownKid, async () => sign(claims(), { alg: "RS256", kid: "some-retired-key" })],
    ["no kid while several keys are published", ambiguousKey, async () => sign(claims(), { alg: "RS256" })],

    // Claims (all signed with the trusted key).
    [
      "a token that expired 10 minutes ago",
      "ERR_JWT_EXPIRED",
      async () => sign(claims({ iat: now() - 1200, exp: now() - 600 })),
    ],
    ["a token not valid for another 10 minutes (nbf)", badClaim, async () => sign(claims({ nbf: now() + 600 }))],
    ["another issuer", badClaim, async () => sign(claims({ iss: "https://attacker.example" }))],
    ["no issuer", badClaim, async () => sign(claimsWithout("iss"))],
    ["another audience (the issuer itself)", badClaim, async () => sign(claims({ aud: issuer }))],
    ["no audience", badClaim, async () => sign(claimsWithout("aud"))],
    ["no subject", badClaim, async () => sign(claimsWithout("sub"))],
    ["an empty subject", "no subject", async () => sign(claims({ sub: "" }))],
    ["no issued-at", badClaim, async () => sign(claimsWithout("iat"))],
    ["no expiry", badClaim, async () => sign(claimsWithout("exp"))],
    [
      "issued 2 minutes in the future (beyond the clock tolerance)",
      badClaim,
      async () => sign(claims({ iat: now() + 120, exp: now() + 720 })),
    ],
    [
      "issued longer ago than the access-token lifetime, with an expiry far ahead",
      "ERR_JWT_EXPIRED",
      async () => sign(claims({ iat: now() - 2000, exp: now() + 86_400 })),
    ],
    [
      "a 16-minute-old token with an expiry a year ahead",
      "ERR_JWT_EXPIRED",
      async () => sign(claims({ iat: now() - 960, exp: now() + 365 * 86_400 })),
    ],

    // Header extensions and encodings.
    [
      "an unknown critical header extension",
      "ERR_JOSE_NOT_SUPPORTED",
      async () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: "RS256", kid: trustedKid, crit: ["x-brisk-unknown"], "x-brisk-unknown": true })
          .sign(trusted.privateKey, { crit: { "x-brisk-unknown": true } }),
    ],
    [
      "an unencoded payload (b64: false)",
      "ERR_JWT_INVALID",
      async () => {
        // Base64url text as the raw payload, so the compact form still looks like a JWT.
        // jose returns an unencoded payload detached (empty), so it is put back by hand.
        const payload = encodeJson(claims());
        const jws = await new FlattenedSign(new TextEncoder().encode(payload))
          .setProtectedHeader({ alg: "RS256", kid: trustedKid, b64: false, crit: ["b64"] })
          .sign(trusted.privateKey);
        return `${jws.protected}.${payload}.${jws.signature}`;
      },
    ],
    [
      "an otherwise valid token longer than 4096 characters",
      "token too long",
      async () => sign(claims({ padding: "x".repeat(4096) })),
    ],
    ["something that is not a JWT at all", invalid, async () => "not-a-jwt"],
    [
      "a header that is base64url but not JSON",
      invalid,
      async () => {
        const [, payload, signature] = parts(realToken);
        return `${base64url.encode("not json")}.${payload}.${signature}`;
      },
    ],
    [
      "a header that is not valid base64url",
      invalid,
      async () => {
        const [, payload, signature] = parts(realToken);
        return `eyJhb.${payload}.${signature}`;
      },
    ],
  ];

  it("holds at least 28 forgeries", () => {
    expect(forgeries.length).toBeGreaterThanOrEqual(28);
  });

  it.each(forgeries)("refuses %s", async (_, reason, forge) => {
    const token = await forge();
    await expectInvalidToken(await guard(token));
    expect(await verdict(token)).toBe(reason);
  });
});

describe("the Authorization scheme", () => {
  it.each(["bearer", "BEARER", "bEaReR"])(
    "accepts the scheme written %s (RFC 7235: case-insensitive)",
    async (scheme) => {
      const response = await call(tasksOf(user.id), {
        env: isolate,
        headers: { Authorization: `${scheme} ${realToken}` },
      });
      expect(response.status).toBe(200);
    },
  );

  it("still refuses another scheme", async () => {
    const response = await call(tasksOf(user.id), { env: isolate, headers: { Authorization: `Basic ${realToken}` } });
    await expectInvalidToken(response);
  });
});

describe("the subject binds the path", () => {
  it("lets a valid token for another user into that user's tasks only", async () => {
    const token = await sign(claims({ sub: mallory.id }));
    expect((await guard(token, mallory.id)).status).toBe(200);
    const response = await guard(token, user.id);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "forbidden", status: 403 });
  });
});
