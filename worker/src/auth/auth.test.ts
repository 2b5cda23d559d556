import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { accessToken, bindingsWith, call, cookiesOf, newIp, signIn, signUp } from "../../test/fixtures.ts";
import { lastMailTo } from "../../test/mailbox.ts";
import { clearFaults, injectFault, roundTrips, sql } from "../../test/stand-in-control.ts";
import { passwordHashing } from "./password-policy.ts";

const tasksOf = (userId: string) => `/api/${userId}/tasks`;

describe("signing up and getting an access token", () => {
  it("issues an RS256 token with minimal claims that the published key set verifies", async () => {
    const user = await signUp({ email: "ada@example.com", name: "Ada" });
    const token = await accessToken(user.cookie);

    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe("RS256");
    expect(header.kid).toEqual(expect.any(String));
    const payload = decodeJwt(token);
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat", "iss", "sid", "sub"]);
    expect(payload).toMatchObject({ sub: user.id, iss: "http://localhost", aud: "http://localhost/api" });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
    expect(JSON.stringify(payload)).not.toContain("ada@example.com");

    const jwksResponse = await call("/api/auth/jwks");
    expect(jwksResponse.status).toBe(200);
    const jwks = (await jwksResponse.json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    expect(key).toMatchObject({ kty: "RSA", alg: "RS256", kid: header.kid, e: "AQAB" });
    expect(Buffer.from(String(key?.n), "base64url").length * 8).toBe(2048);
    for (const secret of ["d", "p", "q", "dp", "dq", "qi"]) expect(key).not.toHaveProperty(secret);

    const verified = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: ["RS256"],
      issuer: "http://localhost",
      audience: "http://localhost/api",
    });
    expect(verified.payload.sub).toBe(user.id);
  });

  it("lets the token through the task API's guard for its own user only", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const token = await accessToken(alice.cookie);

    expect((await call(tasksOf(alice.id), { token })).status).toBe(200);
    const foreign = await call(tasksOf(bob.id), { token });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ code: "forbidden", status: 403 });
  });

  it("does not authenticate the task API with the session cookie", async () => {
    const user = await signUp();
    const response = await call(tasksOf(user.id), { cookie: user.cookie });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('Bearer error="invalid_token"');
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("sets an HttpOnly, SameSite=Lax session cookie, Secure with the __Secure- prefix on https", async () => {
    const plain = await signUp();
    const cookie = (await signIn(plain.email, plain.password)).headers
      .getSetCookie()
      .find((c) => c.startsWith("better-auth.session_token="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const https = bindingsWith({ BETTER_AUTH_URL: "https://brisk.example" });
    const body = { name: "Secure", email: "secure@example.com", password: "correct horse battery staple" };
    const headers = { Origin: "https://brisk.example" };
    expect((await call("https://brisk.example/api/auth/sign-up/email", { env: https, headers, body })).status).toBe(
      200,
    );
    const secure = await call("https://brisk.example/api/auth/sign-in/email", {
      env: https,
      headers,
      body: { email: body.email, password: body.password },
    });
    expect(secure.status).toBe(200);
    const secureCookie = secure.headers.getSetCookie().find((c) => c.startsWith("__Secure-better-auth.session_token="));
    expect(secureCookie).toMatch(/; Secure/i);
    expect(secureCookie).toMatch(/HttpOnly/i);
  });

  it("does not mint a JWT on get-session", async () => {
    const user = await signUp();
    const response = await call("/api/auth/get-session", { cookie: user.cookie });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-auth-jwt")).toBeNull();
    expect(await response.json()).toMatchObject({ user: { id: user.id } });
  });
});

describe("ending sessions", () => {
  it("refuses a token to a signed-out session", async () => {
    const user = await signUp();
    await accessToken(user.cookie);
    const signOut = await call("/api/auth/sign-out", { method: "POST", cookie: user.cookie, body: {} });
    expect(signOut.status).toBe(200);
    expect((await call("/api/auth/token", { cookie: user.cookie })).status).toBe(401);
    expect(await sql("select id from session where user_id = $1", [user.id])).toEqual([]);
  });

  it("signs out of all devices", async () => {
    const user = await signUp();
    const laptop = cookiesOf(await signIn(user.email, user.password));
    const phone = user.cookie;
    const revoke = await call("/api/auth/revoke-sessions", { method: "POST", cookie: laptop, body: {} });
    expect(revoke.status).toBe(200);
    for (const cookie of [laptop, phone]) expect((await call("/api/auth/token", { cookie })).status).toBe(401);
  });

  it("changes the password: the new one signs in, the old one no longer does", async () => {
    const user = await signUp();
    const change = await call("/api/auth/change-password", {
      cookie: user.cookie,
      body: { currentPassword: user.password, newPassword: "a brand new passphrase" },
    });
    expect(change.status).toBe(200);
    expect((await signIn(user.email, user.password)).status).toBe(401);
    expect((await signIn(user.email, "a brand new passphrase")).status).toBe(200);
  });

  it("ends the other sessions on a password change by default, and keeps this one", async () => {
    const user = await signUp();
    const laptop = cookiesOf(await signIn(user.email, user.password));
    const change = await call("/api/auth/change-password", {
      cookie: user.cookie,
      body: { currentPassword: user.password, newPassword: "a brand new passphrase" },
    });
    expect(change.status).toBe(200);
    expect((await call("/api/auth/token", { cookie: laptop })).status).toBe(401);
    expect((await call("/api/auth/token", { cookie: cookiesOf(change) })).status).toBe(200);
  });

  it("keeps the other sessions on a password change when asked to", async () => {
    const user = await signUp();
    const laptop = cookiesOf(await signIn(user.email, user.password));
    const change = await call("/api/auth/change-password", {
      cookie: user.cookie,
      body: { currentPassword: user.password, newPassword: "a brand new passphrase", revokeOtherSessions: false },
    });
    expect(change.status).toBe(200);
    expect((await call("/api/auth/token", { cookie: laptop })).status).toBe(200);
  });

  it.each([
    ["no password", {}],
    ["an empty password", { password: "" }],
    ["a password that is not text", { password: 12345678 }],
  ])("refuses to delete the account with %s, even from a fresh session", async (_, body) => {
    const user = await signUp();
    const response = await call("/api/auth/delete-user", { cookie: user.cookie, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "PASSWORD_REQUIRED" });
    expect(await sql('select id from "user" where id = $1', [user.id])).toHaveLength(1);
  });

  it("refuses to delete the account with a wrong password", async () => {
    const user = await signUp();
    const response = await call("/api/auth/delete-user", {
      cookie: user.cookie,
      body: { password: "not my password" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "INVALID_PASSWORD" });
    expect(await sql('select id from "user" where id = $1', [user.id])).toHaveLength(1);
  });

  it("deletes the account: its sessions end and it cannot sign in", async () => {
    const user = await signUp();
    const deleted = await call("/api/auth/delete-user", { cookie: user.cookie, body: { password: user.password } });
    expect(deleted.status).toBe(200);
    expect((await call("/api/auth/token", { cookie: user.cookie })).status).toBe(401);
    expect((await signIn(user.email, user.password)).status).toBe(401);
    expect(await sql('select id from "user" where id = $1', [user.id])).toEqual([]);
  });
});

describe("passwords", () => {
  const attempt = (password: string, email = `${crypto.randomUUID().slice(0, 8)}@example.com`) =>
    call("/api/auth/sign-up/email", { body: { name: "Someone", email, password } });

  it.each([
    ["shorter than 8 characters", "seven77", "PASSWORD_TOO_SHORT"],
    ["longer than 128 characters", "x".repeat(129), "PASSWORD_TOO_LONG"],
    ["common", "qwertyuiop", "PASSWORD_TOO_COMMON"],
    ["common in other letter case", "SunShine1", "PASSWORD_TOO_COMMON"],
  ])("refuses a password that is %s", async (_, password, code) => {
    const response = await attempt(password);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code });
  });

  it("explains a common password in plain words", async () => {
    const response = await attempt("baseball");
    expect(await response.json()).toEqual({
      type: "urn:brisk:problem:PASSWORD_TOO_COMMON",
      title: "A parameter is not valid",
      status: 400,
      code: "PASSWORD_TOO_COMMON",
      detail: "This password is too common — pick another",
      message: "This password is too common — pick another",
    });
  });

  it("refuses a password built from the user's own email name", async () => {
    const response = await attempt("margaret.h-1984", "margaret.h@example.com");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "PASSWORD_CONTAINS_EMAIL" });
  });

  it("accepts a long passphrase without composition rules", async () => {
    expect((await attempt("plain lowercase words are fine")).status).toBe(200);
    expect((await attempt("x".repeat(128))).status).toBe(200);
  });

  it.each([
    ["full-width letters and digits", "\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44\uff11\uff12\uff13"],
    ["a small roman numeral", "\u2170loveyou1"],
  ])("refuses a common password written in compatibility characters (%s)", async (_, password) => {
    const response = await attempt(password);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "PASSWORD_TOO_COMMON" });
  });

  it("treats a password and its NFKC form as the same password everywhere", async () => {
    const wide =
      "\uff43\uff4f\uff52\uff52\uff45\uff43\uff54\u3000\uff48\uff4f\uff52\uff53\uff45\u3000\uff4e\uff4f\uff57";
    const plain = "correct horse now";
    const user = await signUp({ password: wide });
    expect((await signIn(user.email, plain)).status).toBe(200);
    expect((await signIn(user.email, wide)).status).toBe(200);

    const change = await call("/api/auth/change-password", {
      cookie: user.cookie,
      body: { currentPassword: plain, newPassword: "\uff41 \uff42rand new passphrase", revokeOtherSessions: false },
    });
    expect(change.status).toBe(200);
    expect((await signIn(user.email, "a brand new passphrase")).status).toBe(200);

    const deleted = await call("/api/auth/delete-user", {
      cookie: user.cookie,
      body: { password: "\uff41 brand new passphrase" },
    });
    expect(deleted.status).toBe(200);
  });

  it("answers a password with a NUL character with a clear 4xx, never 500", async () => {
    const signUpAnswer = await attempt("correct horse\u0000battery");
    expect(signUpAnswer.status).toBe(400);
    expect(await signUpAnswer.json()).toMatchObject({ code: "INVALID_PASSWORD_CHARACTERS" });
    const user = await signUp();
    expect((await signIn(user.email, "correct horse\u0000battery")).status).toBe(401);
  });

  it("applies the same rules to a new password on change", async () => {
    const user = await signUp();
    const response = await call("/api/auth/change-password", {
      cookie: user.cookie,
      body: { currentPassword: user.password, newPassword: "iloveyou1" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "PASSWORD_TOO_COMMON" });
  });
});

describe("throttling and enumeration", () => {
  it("answers the fourth rapid sign-in from one address with 429 and Retry-After", async () => {
    const user = await signUp();
    const ip = newIp();
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect((await signIn(user.email, "wrong password!", { ip })).status).toBe(401);
    }
    const throttled = await signIn(user.email, user.password, { ip });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(throttled.headers.get("retry-after"))).toBeLessThanOrEqual(60);

    expect((await signIn(user.email, user.password, { ip: newIp() })).status).toBe(200);
  });

  it("answers an unknown email and a wrong password identically", async () => {
    const user = await signUp();
    const unknown = await signIn("nobody-here@example.com", "some password here");
    const wrong = await signIn(user.email, "some password here");
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(unknown.status);
    expect(await wrong.text()).toBe(await unknown.text());
  });
});

describe("signing up with an address that is taken", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const attempt = (email: string, env?: Env) =>
    call("/api/auth/sign-up/email", {
      ...(env ? { env } : {}),
      body: { name: "Someone", email, password: "another good passphrase" },
    });

  /** The answer with what must differ between two sign-ups (ids, times) blanked. */
  async function shape(response: Response) {
    const body = (await response.json()) as { token: unknown; user: Record<string, unknown> };
    return {
      status: response.status,
      cookies: response.headers.getSetCookie(),
      token: body.token,
      user: { ...body.user, id: typeof body.user.id, email: undefined, createdAt: undefined, updatedAt: undefined },
    };
  }

  it("answers exactly as for a new address, with no session either way", async () => {
    const owner = await signUp();
    const fresh = await attempt(`fresh-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const taken = await attempt(owner.email);
    const freshShape = await shape(fresh);
    expect(freshShape).toMatchObject({ status: 200, cookies: [], token: null });
    expect(await shape(taken)).toEqual(freshShape);
  });

  it("tells the owner that someone tried, and changes nothing in their account", async () => {
    const owner = await signUp();
    await attempt(owner.email);
    const mail = await lastMailTo(owner.email);
    expect(mail.subject).toBe("Someone tried to sign up to Brisk with your email address");
    expect(mail.text).toContain("http://localhost/forgot-password");
    expect((await signIn(owner.email, owner.password)).status).toBe(200);
    expect((await signIn(owner.email, "another good passphrase")).status).toBe(401);
  });

  it("does the same expensive work as for a new address: one password hash", async () => {
    // Called directly (not through exports.default), so the spy sees the Worker's own module.
    const isolate = bindingsWith({});
    const taken = await signUp({}, { env: isolate });
    const hash = vi.spyOn(passwordHashing, "hash");
    expect((await attempt(`fresh-${crypto.randomUUID().slice(0, 8)}@example.com`, isolate)).status).toBe(200);
    expect(hash).toHaveBeenCalledTimes(1);
    hash.mockClear();
    expect((await attempt(taken.email, isolate)).status).toBe(200);
    expect(hash).toHaveBeenCalledTimes(1);
  });
});

describe("the cost of an access token", () => {
  afterEach(() => clearFaults());

  it("is one read of the session with its user, and one of the signing keys sent alongside it", async () => {
    const user = await signUp();
    await accessToken(user.cookie);
    const before = await roundTrips();
    await accessToken(user.cookie);
    expect((await roundTrips()) - before, "the session joined with its user, and the keys").toBe(2);

    // The key read does not wait for the session read: with that one failing, the key read went out anyway.
    await injectFault({ match: 'from "session"', action: "fail" });
    const beforeFailed = await roundTrips();
    expect((await call("/api/auth/token", { cookie: user.cookie })).status).not.toBe(200);
    expect((await roundTrips()) - beforeFailed).toBe(2);
  });
});

describe("verification cost", () => {
  it("loads the key set once, then authenticates a hundred requests with no database round trip", async () => {
    const user = await signUp();
    const token = await accessToken(user.cookie);
    const isolate = bindingsWith({});

    // A cold isolate: one round trip for the key set, one for the list itself.
    const beforeFirst = await roundTrips();
    expect((await call(tasksOf(user.id), { token, env: isolate })).status).toBe(200);
    expect((await roundTrips()) - beforeFirst).toBe(2);

    // Warm: each list is its one round trip, authentication adds none.
    const beforeHundred = await roundTrips();
    for (let i = 0; i < 100; i++) expect((await call(tasksOf(user.id), { token, env: isolate })).status).toBe(200);
    expect((await roundTrips()) - beforeHundred).toBe(100);
  });
});
