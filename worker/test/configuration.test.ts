import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { bindingsWith, call, signUp } from "./fixtures.ts";

/**
 * A deploy with a setting missing or malformed must say which one, on the first API
 * request: 500 `server_misconfigured` whose detail names the setting and what it should
 * look like — never the setting's value (secrets), never a failure deep inside a library.
 */

/** A secret of 32+ varied characters (test tables are built outside a request, where workerd has no randomness). */
const longSecret = (label: string) => `${label}-Vq7Lw2Zr9Kx4Tn8Hb3Jm6Pd1Fs5Gc0Ya`;

/** The test bindings with these settings replaced (`undefined` removes one, as an unset secret is absent). */
function withSettings(settings: Record<string, string | undefined>): Env {
  return bindingsWith(settings as Partial<Env>);
}

async function misconfiguration(settings: Record<string, string | undefined>, path = "/api/health") {
  const response = await call(path, { env: withSettings(settings) });
  const body = (await response.json()) as { status: number; code: string; detail: string };
  return { response, body };
}

/** Each misconfigured request logs an error line; one test reads them, the rest keep the output quiet. */
let errorLines: MockInstance<typeof console.error>;

beforeEach(() => {
  errorLines = vi.spyOn(console, "error").mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a required setting that is missing or malformed", () => {
  it.each([
    ["DATABASE_URL", undefined, "DATABASE_URL is not set: set it with `wrangler secret put DATABASE_URL`"],
    ["DATABASE_URL", "", "DATABASE_URL must be a connection string like postgresql://user:password@host/database"],
    ["DATABASE_URL", "ep-cool-name.neon.tech/neondb", "DATABASE_URL must be a connection string"],
    ["DATABASE_URL", "mysql://brisk:leaky-password@host/db", "DATABASE_URL must be a connection string"],
    ["DATABASE_URL", "postgresql://brisk:leaky-password@ep-cool-name.neon.tech", "DATABASE_URL must be a connection"],
    [
      "BETTER_AUTH_SECRET",
      undefined,
      "BETTER_AUTH_SECRET is not set: set it with `wrangler secret put BETTER_AUTH_SECRET`",
    ],
    ["BETTER_AUTH_SECRET", "leaky-but-short", "BETTER_AUTH_SECRET must be at least 32 characters"],
    ["BETTER_AUTH_URL", undefined, "BETTER_AUTH_URL is not set: set it to the site's public URL"],
    ["BETTER_AUTH_URL", "brisk.example.com", "BETTER_AUTH_URL must be the site's public http(s) URL"],
    ["BETTER_AUTH_URL", "ftp://brisk.example.com", "BETTER_AUTH_URL must be the site's public http(s) URL"],
  ])("%s = %j answers 500 server_misconfigured naming it", async (name, value, message) => {
    const { response, body } = await misconfiguration({ [name]: value });
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(body).toMatchObject({ status: 500, code: "server_misconfigured" });
    expect(body.detail).toContain(message);
    // The value is never echoed back: connection strings and secrets hold passwords.
    expect(body.detail).not.toContain("leaky");
  });

  it("names every wrong setting at once, so one redeploy fixes them all", async () => {
    const { body } = await misconfiguration({
      DATABASE_URL: undefined,
      BETTER_AUTH_SECRET: undefined,
      BETTER_AUTH_URL: undefined,
    });
    expect(body.detail).toContain("DATABASE_URL is not set");
    expect(body.detail).toContain("BETTER_AUTH_SECRET is not set");
    expect(body.detail).toContain("BETTER_AUTH_URL is not set");
  });

  it("fails every API route the same way — health, authentication and the task API", async () => {
    const settings = { BETTER_AUTH_SECRET: undefined };
    for (const path of ["/api/health", "/api/auth/jwks", "/api/auth/get-session", "/api/some-user/tasks"]) {
      const { response, body } = await misconfiguration(settings, path);
      expect(response.status, path).toBe(500);
      expect(body.code, path).toBe("server_misconfigured");
      expect(body.detail, path).toContain("BETTER_AUTH_SECRET is not set");
    }
  });

  it("logs one JSON line naming the settings, with the request id the response carries", async () => {
    const { response } = await misconfiguration({ BETTER_AUTH_URL: undefined });
    const lines = errorLines.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(lines).toContainEqual({
      level: "error",
      message: "invalid configuration",
      requestId: response.headers.get("x-request-id"),
      issues: [expect.stringContaining("BETTER_AUTH_URL is not set")],
    });
  });
});

describe("optional settings, when set, must be well formed", () => {
  it.each([
    [
      "NEON_FETCH_ENDPOINT",
      "127.0.0.1:5480/sql",
      "NEON_FETCH_ENDPOINT must be empty (Neon's own endpoint) or an http(s) URL",
    ],
    ["DB_TIMEOUT_MS", "soon", "DB_TIMEOUT_MS must be a number"],
    ["DB_TIMEOUT_MS", "10", "DB_TIMEOUT_MS must be at least 100"],
    ["ACCESS_TOKEN_TTL_SECONDS", "7.5", "ACCESS_TOKEN_TTL_SECONDS must be a whole number"],
    ["ACCESS_TOKEN_TTL_SECONDS", "604800", "ACCESS_TOKEN_TTL_SECONDS must be at most 86400"],
    ["TRUSTED_ORIGINS", "https://app.example.com, example.org", "TRUSTED_ORIGINS must be a comma-separated list"],
  ])("%s = %j answers 500 server_misconfigured naming it", async (name, value, message) => {
    const { response, body } = await misconfiguration({ [name]: value });
    expect(response.status).toBe(500);
    expect(body.code).toBe("server_misconfigured");
    expect(body.detail).toContain(message);
  });
});

describe("BETTER_AUTH_SECRETS, the versioned secrets for rotation", () => {
  it.each([
    ["no version", longSecret("leaky-new"), "BETTER_AUTH_SECRETS must look like 2:new-secret,1:old-secret"],
    ["a version that is not a number", `two:${longSecret("leaky-new")}`, "BETTER_AUTH_SECRETS must look like"],
    ["an empty entry", `2:${longSecret("leaky-new")},`, "BETTER_AUTH_SECRETS must look like"],
    ["an empty secret", `2:${longSecret("leaky-new")},1:`, "BETTER_AUTH_SECRETS must look like"],
    [
      "a short secret",
      `2:leaky-short,1:${longSecret("leaky-old")}`,
      "BETTER_AUTH_SECRETS: the secret of version 2 is under 32 characters",
    ],
  ])("with %s answers 500 server_misconfigured naming it", async (_, value, message) => {
    const { response, body } = await misconfiguration({ BETTER_AUTH_SECRETS: value });
    expect(response.status).toBe(500);
    expect(body.code).toBe("server_misconfigured");
    expect(body.detail).toContain(message);
    expect(body.detail).not.toContain("leaky");
  });

  it("is accepted in the documented form, newest first, and authentication works with it", async () => {
    const isolate = withSettings({ BETTER_AUTH_SECRETS: `2:${longSecret("new")},1:${longSecret("old")}` });
    expect((await call("/api/health", { env: isolate })).status).toBe(200);
    const user = await signUp({}, { env: isolate });
    const token = await call("/api/auth/token", { cookie: user.cookie, env: isolate });
    expect(token.status).toBe(200);
  });

  it("refuses a version that appears twice, naming BETTER_AUTH_SECRETS", async () => {
    const { response, body } = await misconfiguration({
      BETTER_AUTH_SECRETS: `1:${longSecret("leaky-a")},1:${longSecret("leaky-b")}`,
    });
    expect(response.status).toBe(500);
    expect(body.detail).toContain("BETTER_AUTH_SECRETS: version 1 appears twice");
    expect(body.detail).not.toContain("leaky");
  });

  it("is optional: empty means the single BETTER_AUTH_SECRET", async () => {
    const { response } = await misconfiguration({ BETTER_AUTH_SECRETS: "" });
    expect(response.status).toBe(200);
  });
});
