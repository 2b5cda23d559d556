import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bindingsWith, call } from "../../test/fixtures.ts";

/** Calls the Worker entry with some bindings replaced, e.g. a database that is down. */
const fetchWithEnv = (path: string, overrides: Partial<Env>) => call(path, { env: bindingsWith(overrides) });

describe("GET /api/health", () => {
  it("answers liveness without touching the database", async () => {
    const response = await fetchWithEnv("/api/health", { NEON_FETCH_ENDPOINT: "http://127.0.0.1:1/sql" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("answers readiness (?ready) after a real round trip to the database", async () => {
    const response = await exports.default.fetch("http://localhost/api/health?ready");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "ok" });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("carries a request id and security headers", async () => {
    const response = await exports.default.fetch("http://localhost/api/health");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("sends HSTS over https only", async () => {
    const secure = await exports.default.fetch("https://localhost/api/health");
    expect(secure.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const plain = await exports.default.fetch("http://localhost/api/health");
    expect(plain.headers.get("strict-transport-security")).toBeNull();
  });

  it("answers 503 problem+json when the database refuses connections", async () => {
    const response = await fetchWithEnv("/api/health?ready", { NEON_FETCH_ENDPOINT: "http://127.0.0.1:1/sql" });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toMatchObject({
      status: 503,
      code: "database_unavailable",
      database: "unavailable",
    });
  });

  it("answers 503 within the configured bound when the database hangs", async () => {
    const started = Date.now();
    const response = await fetchWithEnv("/api/health?ready", {
      NEON_FETCH_ENDPOINT: env.TEST_HANGING_ENDPOINT,
      DB_TIMEOUT_MS: "300",
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "database_unavailable", database: "unavailable" });
    // Generous against a noisy machine; without the timeout this request would never end.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("a database that is down", () => {
  it("reads the same at readiness and in Better Auth as in the task API (tasks-faults.test.ts)", async () => {
    const down = bindingsWith({ NEON_FETCH_ENDPOINT: "http://127.0.0.1:1/sql" });
    const answers = [
      await call("/api/health?ready", { env: down }),
      await call("/api/auth/sign-in/email", {
        env: down,
        body: { email: "someone@example.com", password: "correct horse battery staple" },
      }),
    ];
    const bodies = [];
    for (const response of answers) {
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("retry-after")).toBe("5");
      bodies.push(await response.json());
    }
    for (const body of bodies) {
      expect(body).toMatchObject({
        status: 503,
        code: "database_unavailable",
        title: "The database is unavailable",
        detail: "The database did not answer in time; try again shortly. Nothing was half-written.",
      });
    }
  });
});

describe("errors", () => {
  it("renders an unknown API path as a 404 problem", async () => {
    const response = await exports.default.fetch("http://localhost/api/nothing-here");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toEqual({
      type: "urn:brisk:problem:not_found",
      title: "Not found",
      status: 404,
      detail: "Nothing at /api/nothing-here",
      code: "not_found",
    });
  });

  it("refuses `ready` given twice with a clear 400, as documented", async () => {
    const response = await call("/api/health?ready&ready=1");
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(((await response.json()) as { code: string }).code).toBe("invalid_parameter");
  });

  it("names a missing setting instead of failing deep inside the driver", async () => {
    const response = await fetchWithEnv("/api/health?ready", { DATABASE_URL: "mysql://nope" });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { code: string; detail: string };
    expect(body.code).toBe("server_misconfigured");
    expect(body.detail).toContain("DATABASE_URL must be a connection string");
  });
});

describe("the site", () => {
  it("is bound as the Worker's static assets, built from web/", async () => {
    const response = await env.ASSETS.fetch("http://localhost/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("<title>Brisk — tasks, done fast</title>");
  });
});
