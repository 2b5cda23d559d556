import { afterEach, describe, expect, it, vi } from "vitest";
import { call, newIp, signUp } from "../../test/fixtures.ts";

/**
 * Passkeys (WebAuthn) through the real HTTP surface. The ceremonies themselves need
 * an authenticator and run in Chromium (e2e/tests/account-security.e2e.ts); here:
 * what the options say, who may ask for them, throttles, and refusals of bad input.
 */

interface RegistrationOptions {
  challenge: string;
  rp: { id: string; name: string };
  user: { name: string };
  excludeCredentials: unknown[];
}

describe("registering a passkey", () => {
  it("gives a signed-in person options for this site, no-store", async () => {
    const user = await signUp();
    const response = await call("/api/auth/passkey/generate-register-options?name=Laptop", { cookie: user.cookie });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const options = (await response.json()) as RegistrationOptions;
    // The relying party is BETTER_AUTH_URL's host (http://localhost in tests).
    expect(options.rp).toEqual({ id: "localhost", name: "Brisk" });
    expect(options.challenge.length).toBeGreaterThan(20);
    expect(options.excludeCredentials).toEqual([]);
    // The ceremony's challenge is bound to this browser by a signed cookie.
    expect(response.headers.getSetCookie().some((cookie) => cookie.includes("better-auth-passkey="))).toBe(true);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("needs a session from the last day: an older one signs in again first", async () => {
    const user = await signUp();
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + 2 * 86_400_000);
    const response = await call("/api/auth/passkey/generate-register-options", { cookie: user.cookie });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe("SESSION_NOT_FRESH");
  });

  it("refuses a person who is not signed in", async () => {
    const response = await call("/api/auth/passkey/generate-register-options");
    expect(response.status).toBe(401);
    const verify = await call("/api/auth/passkey/verify-registration", { body: { response: {} } });
    expect(verify.status).toBe(401);
  });

  it("answers a forged or malformed registration with 400, never 500", async () => {
    const user = await signUp();
    const options = await call("/api/auth/passkey/generate-register-options", { cookie: user.cookie });
    const cookie = [user.cookie, ...options.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
    for (const response of [
      {},
      { id: "abc", rawId: "abc", type: "public-key", response: { clientDataJSON: "x", attestationObject: "y" } },
      "text",
      null,
    ]) {
      const answer = await call("/api/auth/passkey/verify-registration", { cookie, body: { response, name: "Key" } });
      expect(answer.status, JSON.stringify(response)).toBe(400);
    }
  });
});

describe("signing in with a passkey", () => {
  it("gives anyone authentication options for this site, with no credentials listed", async () => {
    const response = await call("/api/auth/passkey/generate-authenticate-options");
    expect(response.status).toBe(200);
    const options = (await response.json()) as { rpId: string; challenge: string; allowCredentials?: unknown };
    expect(options.rpId).toBe("localhost");
    expect(options.allowCredentials).toBeUndefined();
  });

  it("throttles challenges per address: 10 a minute", async () => {
    const ip = newIp();
    const statuses = [];
    for (let i = 0; i < 11; i += 1) {
      statuses.push((await call("/api/auth/passkey/generate-authenticate-options", { ip })).status);
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
  });

  it("refuses an unknown or malformed credential with 4xx, never 500, and throttles like sign-in", async () => {
    const ip = newIp();
    const options = await call("/api/auth/passkey/generate-authenticate-options", { ip });
    const cookie = options.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const statuses = [];
    for (const response of [
      { id: "unknown-credential", rawId: "unknown-credential", type: "public-key", response: {} },
      { id: 5 },
      {},
      { id: "x" },
    ]) {
      const answer = await call("/api/auth/passkey/verify-authentication", { ip, cookie, body: { response } });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 3).every((status) => status >= 400 && status < 500)).toBe(true);
    expect(statuses[3]).toBe(429);
  });
});

describe("listing and removing passkeys", () => {
  it("lists none for a new person and removes only one's own", async () => {
    const user = await signUp();
    const list = await call("/api/auth/passkey/list-user-passkeys", { cookie: user.cookie });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([]);
    const removed = await call("/api/auth/passkey/delete-passkey", { cookie: user.cookie, body: { id: "not-mine" } });
    expect(removed.status).toBeGreaterThanOrEqual(400);
    expect(removed.status).toBeLessThan(500);
    expect((await call("/api/auth/passkey/list-user-passkeys")).status).toBe(401);
  });

  it("answers 404 for the endpoints Brisk does not use", async () => {
    const user = await signUp();
    const rename = await call("/api/auth/passkey/update-passkey", {
      cookie: user.cookie,
      body: { id: "x", name: "y" },
    });
    expect(rename.status).toBe(404);
    const wrongMethod = await call("/api/auth/passkey/delete-passkey", { cookie: user.cookie, method: "GET" });
    expect(wrongMethod.status).toBe(404);
  });
});
