import { base32 } from "@better-auth/utils/base32";
import { createOTP } from "@better-auth/utils/otp";
import { describe, expect, it } from "vitest";
import { accessToken, call, cookiesOf, newIp, signIn, signUp, type TestUser } from "../../test/fixtures.ts";
import { lastMailTo, tokenIn } from "../../test/mailbox.ts";
import { sql } from "../../test/stand-in-control.ts";

/**
 * Two-factor authentication (TOTP) through the real HTTP surface: turning it on
 * takes the password and a code from the authenticator app, sign-in then asks for
 * a code (or a single-use backup code), a trusted device skips it for 30 days,
 * wrong codes are refused and throttled, and turning it off takes the password.
 */

interface Enabled {
  secret: Uint8Array;
  backupCodes: string[];
  cookie: string;
}

/** The code an authenticator app shows now for the secret in an `otpauth://` URI. */
function codeFor(secret: Uint8Array): Promise<string> {
  return createOTP(secret).totp();
}

function secretOf(totpURI: string): Uint8Array {
  const secret = new URL(totpURI).searchParams.get("secret");
  if (!secret) throw new Error(`no secret in ${totpURI}`);
  return base32.decode(secret);
}

/** Merges the cookies a response sets into a Cookie header (later values win, expired ones leave). */
function withCookies(cookie: string, response: Response): string {
  const jar = new Map(
    cookie
      .split("; ")
      .filter(Boolean)
      .map((pair) => [pair.split("=")[0] ?? "", pair] as const),
  );
  for (const set of response.headers.getSetCookie()) {
    const pair = set.split(";")[0] ?? "";
    const name = pair.split("=")[0] ?? "";
    if (/max-age=0/i.test(set) || pair.endsWith("=")) jar.delete(name);
    else jar.set(name, pair);
  }
  return [...jar.values()].join("; ");
}

async function enableTwoFactor(user: TestUser): Promise<Enabled> {
  const started = await call("/api/auth/two-factor/enable", { cookie: user.cookie, body: { password: user.password } });
  expect(started.status).toBe(200);
  const { totpURI, backupCodes } = (await started.json()) as { totpURI: string; backupCodes: string[] };
  const secret = secretOf(totpURI);
  const cookie = withCookies(user.cookie, started);
  const confirmed = await call("/api/auth/two-factor/verify-totp", { cookie, body: { code: await codeFor(secret) } });
  expect(confirmed.status).toBe(200);
  return { secret, backupCodes, cookie: withCookies(cookie, confirmed) };
}

/** Signs in with the password; with two-factor on, the answer asks for a code and carries the challenge cookie. */
async function startSignIn(user: TestUser, cookie = "") {
  const response = await call("/api/auth/sign-in/email", {
    cookie,
    body: { email: user.email, password: user.password },
  });
  expect(response.status).toBe(200);
  return { body: (await response.json()) as Record<string, unknown>, cookie: withCookies(cookie, response) };
}

async function sessionUser(cookie: string): Promise<{ id: string; twoFactorEnabled?: boolean } | null> {
  const response = await call("/api/auth/get-session", { cookie });
  const body = (await response.json()) as { user: { id: string; twoFactorEnabled?: boolean } } | null;
  return body?.user ?? null;
}

describe("turning two-factor on", () => {
  it("needs the password, answers the secret and ten backup codes no-store, and is on only after a code", async () => {
    const user = await signUp();
    const wrong = await call("/api/auth/two-factor/enable", {
      cookie: user.cookie,
      body: { password: "not it at all" },
    });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { code: string }).code).toBe("INVALID_PASSWORD");
    const none = await call("/api/auth/two-factor/enable", { cookie: user.cookie, body: {} });
    expect(none.status).toBe(400);

    const started = await call("/api/auth/two-factor/enable", {
      cookie: user.cookie,
      body: { password: user.password },
    });
    expect(started.status).toBe(200);
    expect(started.headers.get("cache-control")).toBe("no-store");
    const { totpURI, backupCodes } = (await started.json()) as { totpURI: string; backupCodes: string[] };
    expect(totpURI).toMatch(/^otpauth:\/\/totp\/Brisk:/);
    expect(new URL(totpURI).searchParams.get("issuer")).toBe("Brisk");
    expect(backupCodes).toHaveLength(10);
    // Not on yet: the secret has not been confirmed with a code.
    expect((await sessionUser(user.cookie))?.twoFactorEnabled).toBe(false);

    const refused = await call("/api/auth/two-factor/verify-totp", { cookie: user.cookie, body: { code: "000000" } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe("INVALID_CODE");

    const confirmed = await call("/api/auth/two-factor/verify-totp", {
      cookie: user.cookie,
      body: { code: await codeFor(secretOf(totpURI)) },
    });
    expect(confirmed.status).toBe(200);
    expect((await sessionUser(withCookies(user.cookie, confirmed)))?.twoFactorEnabled).toBe(true);
    // The secret and the codes are stored encrypted, never as they were shown.
    const [row] = await sql<{ secret: string; backup_codes: string }>(
      "select secret, backup_codes from two_factor where user_id = $1",
      [user.id],
    );
    expect(row?.secret).not.toContain(new URL(totpURI).searchParams.get("secret"));
    expect(row?.backup_codes).not.toContain(backupCodes[0]);
  });

  it("refuses a person who is not signed in", async () => {
    const response = await call("/api/auth/two-factor/enable", { body: { password: "whatever it is" } });
    expect(response.status).toBe(401);
  });
});

describe("resetting the password with two-factor on", () => {
  it("starts no session: the new password still needs a code", async () => {
    const user = await signUp();
    await enableTwoFactor(user);
    expect((await call("/api/auth/request-password-reset", { body: { email: user.email }, ip: newIp() })).status).toBe(
      200,
    );
    const token = tokenIn(await lastMailTo(user.email), "/reset-password");
    const reset = await call("/api/auth/reset-password", { body: { token, newPassword: "a brand new passphrase" } });
    expect(reset.status).toBe(200);
    expect(cookiesOf(reset)).not.toContain("better-auth.session_token=");

    const started = await startSignIn({ ...user, password: "a brand new passphrase" });
    expect(started.body).toMatchObject({ twoFactorRedirect: true });
  });
});

describe("signing in with two-factor on", () => {
  it("asks for a code instead of starting a session, then signs in with it and mints access tokens", async () => {
    const user = await signUp();
    const { secret } = await enableTwoFactor(user);

    const started = await startSignIn(user);
    expect(started.body).toMatchObject({ twoFactorRedirect: true, twoFactorMethods: ["totp"] });
    expect(await sessionUser(started.cookie)).toBeNull();
    expect((await call("/api/auth/token", { cookie: started.cookie })).status).toBe(401);

    const verified = await call("/api/auth/two-factor/verify-totp", {
      cookie: started.cookie,
      body: { code: await codeFor(secret) },
    });
    expect(verified.status).toBe(200);
    expect(verified.headers.get("cache-control")).toBe("no-store");
    const cookie = withCookies(started.cookie, verified);
    expect((await sessionUser(cookie))?.id).toBe(user.id);
    expect(await accessToken(cookie)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("refuses a wrong code, and a code without a sign-in in progress", async () => {
    const user = await signUp();
    await enableTwoFactor(user);
    const started = await startSignIn(user);
    const wrong = await call("/api/auth/two-factor/verify-totp", { cookie: started.cookie, body: { code: "123456" } });
    expect(wrong.status).toBe(401);
    expect(await sessionUser(withCookies(started.cookie, wrong))).toBeNull();
    const noChallenge = await call("/api/auth/two-factor/verify-totp", { body: { code: "123456" } });
    expect(noChallenge.status).toBe(401);
  });

  it("throttles wrong codes from one address like sign-in: 3 a minute, TOTP and backup codes together", async () => {
    const user = await signUp();
    await enableTwoFactor(user);
    const started = await startSignIn(user);
    const ip = newIp();
    const statuses = [];
    for (const path of ["verify-totp", "verify-backup-code", "verify-totp", "verify-backup-code"]) {
      const response = await call(`/api/auth/two-factor/${path}`, {
        ip,
        cookie: started.cookie,
        body: { code: path === "verify-totp" ? "111111" : "wrong-code" },
      });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("counts the set-up's code checks apart from the codes at sign-in", async () => {
    const user = await signUp();
    const ip = newIp();
    const started = await call("/api/auth/two-factor/enable", {
      ip,
      cookie: user.cookie,
      body: { password: user.password },
    });
    const { totpURI } = (await started.json()) as { totpURI: string };
    for (const code of ["000001", "000002"]) {
      const wrong = await call("/api/auth/two-factor/verify-totp", { ip, cookie: user.cookie, body: { code } });
      expect(wrong.status).toBe(401);
    }
    const confirmed = await call("/api/auth/two-factor/verify-totp", {
      ip,
      cookie: user.cookie,
      body: { code: await codeFor(secretOf(totpURI)) },
    });
    expect(confirmed.status).toBe(200);
    // Three more checks from the same address, at sign-in: a counter of their own.
    const challenge = await startSignIn(user);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      const response = await call("/api/auth/two-factor/verify-totp", {
        ip,
        cookie: challenge.cookie,
        body: { code: "333333" },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("locks the second factor of the account after 10 wrong codes, whatever the address", async () => {
    const user = await signUp();
    const { secret } = await enableTwoFactor(user);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      // Each sign-in challenge allows 5 tries; a fresh one per pair of guesses keeps the challenge alive.
      const started = await startSignIn(user);
      const response = await call("/api/auth/two-factor/verify-totp", {
        cookie: started.cookie,
        body: { code: "222222" },
      });
      expect(response.status).toBe(401);
    }
    const started = await startSignIn(user);
    const locked = await call("/api/auth/two-factor/verify-totp", {
      cookie: started.cookie,
      body: { code: await codeFor(secret) },
    });
    expect(locked.status).toBe(429);
  });

  it("accepts each backup code once", async () => {
    const user = await signUp();
    const { backupCodes } = await enableTwoFactor(user);
    const code = backupCodes[0] ?? "";

    const first = await startSignIn(user);
    const used = await call("/api/auth/two-factor/verify-backup-code", { cookie: first.cookie, body: { code } });
    expect(used.status).toBe(200);
    expect((await sessionUser(withCookies(first.cookie, used)))?.id).toBe(user.id);

    const second = await startSignIn(user);
    const again = await call("/api/auth/two-factor/verify-backup-code", { cookie: second.cookie, body: { code } });
    expect(again.status).toBe(401);
    const next = await call("/api/auth/two-factor/verify-backup-code", {
      cookie: second.cookie,
      body: { code: backupCodes[1] },
    });
    expect(next.status).toBe(200);
  });

  it("skips the code for 30 days on a device the person trusted", async () => {
    const user = await signUp();
    const { secret } = await enableTwoFactor(user);
    const started = await startSignIn(user);
    const verified = await call("/api/auth/two-factor/verify-totp", {
      cookie: started.cookie,
      body: { code: await codeFor(secret), trustDevice: true },
    });
    expect(verified.status).toBe(200);
    const trust = verified.headers.getSetCookie().find((cookie) => cookie.includes("trust_device="));
    expect(trust).toMatch(/Max-Age=2592000/);
    expect(trust).toMatch(/HttpOnly/);
    const trusted = withCookies("", verified)
      .split("; ")
      .filter((pair) => pair.includes("trust_device="))
      .join("; ");

    const again = await startSignIn(user, trusted);
    expect(again.body.twoFactorRedirect).toBeUndefined();
    expect((await sessionUser(again.cookie))?.id).toBe(user.id);
    // Another device (no trust cookie) is still asked.
    expect((await startSignIn(user)).body.twoFactorRedirect).toBe(true);
  });
});

describe("turning two-factor off", () => {
  it("needs the password; afterwards sign-in asks for no code", async () => {
    const user = await signUp();
    const { cookie } = await enableTwoFactor(user);
    const none = await call("/api/auth/two-factor/disable", { cookie, body: {} });
    expect(none.status).toBe(400);
    const wrong = await call("/api/auth/two-factor/disable", { cookie, body: { password: "not it at all" } });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { code: string }).code).toBe("INVALID_PASSWORD");
    expect((await sessionUser(cookie))?.twoFactorEnabled).toBe(true);

    const off = await call("/api/auth/two-factor/disable", { cookie, body: { password: user.password } });
    expect(off.status).toBe(200);
    expect((await sessionUser(withCookies(cookie, off)))?.twoFactorEnabled).toBe(false);
    const signedIn = await signIn(user.email, user.password);
    expect(signedIn.status).toBe(200);
    expect(cookiesOf(signedIn)).toContain("session_token=");
  });
});

describe("the two-factor surface", () => {
  it.each([
    ["POST", "/api/auth/two-factor/get-totp-uri"],
    ["POST", "/api/auth/two-factor/send-otp"],
    ["POST", "/api/auth/two-factor/verify-otp"],
    ["POST", "/api/auth/two-factor/generate-backup-codes"],
    ["POST", "/api/auth/two-factor/generate-totp"],
    ["GET", "/api/auth/two-factor/enable"],
  ])("answers 404 for %s %s, which Brisk does not use", async (method, path) => {
    const response = await call(path, { method, ...(method === "POST" ? { body: {} } : {}) });
    expect(response.status).toBe(404);
  });

  it("answers malformed bodies with 400, never 500", async () => {
    const user = await signUp();
    for (const body of [{ code: 123456 }, { code: null }, [], "text", { code: "1".repeat(5000) }]) {
      const response = await call("/api/auth/two-factor/verify-totp", { cookie: user.cookie, body });
      expect(response.status, JSON.stringify(body).slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(response.status, JSON.stringify(body).slice(0, 40)).toBeLessThan(500);
    }
  });
});
