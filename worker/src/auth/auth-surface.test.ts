import { describe, expect, it } from "vitest";
import { bindingsWith, call, origin, signUp } from "../../test/fixtures.ts";
import { sql } from "../../test/stand-in-control.ts";

/**
 * What /api/auth/* exposes at all: only the endpoints the product uses (everything
 * else is 404 before any work), bodies and profile fields of bounded size, callback
 * URLs that stay on this site, and the origins trusted for cookie-bearing requests.
 */

async function expectProblem(response: Response, status: number): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status });
  return body;
}

describe("the endpoints exposed under /api/auth", () => {
  it.each([
    ["POST", "/api/auth/verify-password"],
    ["GET", "/api/auth/reset-password/some-token?callbackURL=/.//evil.example"],
    ["GET", "/api/auth/delete-user/callback?token=x&callbackURL=/.//evil.example"],
    ["POST", "/api/auth/sign-in/social"],
    ["GET", "/api/auth/ok"],
    ["GET", "/api/auth/error"],
    ["GET", "/api/auth/sign-in/email"],
    ["POST", "/api/auth/sign-in/email/"],
    ["GET", "/api/auth/nothing-here"],
  ])("answers %s %s with 404 problem+json", async (method, path) => {
    const response = await call(path, { method, ...(method === "POST" ? { body: {} } : {}) });
    expect(response.headers.get("location")).toBeNull();
    await expectProblem(response, 404);
  });

  it("refuses a verify-email callback that leaves the site, with no redirect", async () => {
    const response = await call("/api/auth/verify-email?token=x&callbackURL=/.//evil.example");
    expect(response.headers.get("location")).toBeNull();
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "INVALID_CALLBACK_URL" });
  });

  it("answers a very long unknown path with 404 and writes no rate-limit row for it", async () => {
    const marker = `probe${crypto.randomUUID().slice(0, 8)}`;
    const response = await call(`/api/auth/${marker}${"x".repeat(2700)}`, { method: "POST", body: {} });
    await expectProblem(response, 404);
    for (let i = 0; i < 5; i++) await expectProblem(await call(`/api/auth/${marker}-${i}`), 404);
    expect(await sql("select key from rate_limit where key like $1", [`%${marker}%`])).toEqual([]);
  });
});

describe("Better Auth's own refusals", () => {
  it("are problem+json that keep Better Auth's code and message", async () => {
    const user = await signUp();
    const response = await call("/api/auth/sign-in/email", {
      body: { email: user.email, password: "not the password" },
    });
    const body = await expectProblem(response, 401);
    expect(body).toMatchObject({
      type: "urn:brisk:problem:INVALID_EMAIL_OR_PASSWORD",
      title: "Authentication required",
      code: "INVALID_EMAIL_OR_PASSWORD",
      detail: "Invalid email or password",
      message: "Invalid email or password",
    });
  });

  it("keep the headers Better Auth set, and a body it validated reads as a field error", async () => {
    const response = await call("/api/auth/sign-up/email", {
      body: { name: "Someone", email: "not an address", password: "correct horse battery staple" },
    });
    const body = await expectProblem(response, 400);
    expect(body).toMatchObject({ code: expect.any(String), title: "A parameter is not valid" });
    expect(body.detail).toEqual(body.message);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});

describe("sizes", () => {
  const signUpBody = (overrides: Record<string, unknown> = {}) => ({
    name: "Someone",
    email: `${crypto.randomUUID().slice(0, 8)}@example.com`,
    password: "correct horse battery staple",
    ...overrides,
  });

  it("refuses a body over 16 KiB with 413 problem+json", async () => {
    const response = await call("/api/auth/sign-up/email", { body: signUpBody({ name: "x".repeat(17 * 1024) }) });
    const problem = await expectProblem(response, 413);
    expect(problem.code).toBe("payload_too_large");
  });

  it("refuses a name over 100 characters and keeps nothing", async () => {
    const body = signUpBody({ name: "n".repeat(101) });
    const response = await call("/api/auth/sign-up/email", { body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "NAME_TOO_LONG", message: expect.stringContaining("100") });
    expect(await sql('select id from "user" where email = $1', [body.email])).toEqual([]);
    expect((await call("/api/auth/sign-up/email", { body: signUpBody({ name: "n".repeat(100) }) })).status).toBe(200);
  });

  it.each([
    ["a NUL character", "Ada\u0000Lovelace"],
    ["a lone surrogate", "Ada \ud800"],
  ])("refuses a name with %s", async (_, name) => {
    const response = await call("/api/auth/sign-up/email", { body: signUpBody({ name }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "INVALID_NAME" });
  });

  it.each([
    ["not a URL", "not a url"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["longer than 2048 characters", `https://images.example/${"a".repeat(2048)}`],
  ])("refuses an image that is %s", async (_, image) => {
    const response = await call("/api/auth/sign-up/email", { body: signUpBody({ image }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "INVALID_IMAGE" });
  });

  it("accepts an https image URL", async () => {
    const response = await call("/api/auth/sign-up/email", {
      body: signUpBody({ image: "https://images.example/ada.png" }),
    });
    expect(response.status).toBe(200);
  });
});

describe("callback URLs", () => {
  const signUpWith = (callbackURL: string) =>
    call("/api/auth/sign-up/email", {
      body: {
        name: "Someone",
        email: `${crypto.randomUUID().slice(0, 8)}@example.com`,
        password: "correct horse battery staple",
        callbackURL,
      },
    });

  // Paths that normalise to another host, and a same-origin absolute URL: ours to refuse.
  it.each(["/.//evil.example", "/x/..//evil.example", `${origin}/tasks`])("refuses %s", async (callbackURL) => {
    const response = await signUpWith(callbackURL);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "INVALID_CALLBACK_URL" });
  });

  // Other origins: Better Auth's own origin check refuses them first (403), which is as good.
  it.each(["/./\\evil.example", "//evil.example", "https://evil.example/", "javascript:alert(1)"])(
    "refuses %s",
    async (callbackURL) => {
      const response = await signUpWith(callbackURL);
      expect([400, 403]).toContain(response.status);
    },
  );

  it("accepts a path on this site", async () => {
    expect((await signUpWith("/tasks?view=today")).status).toBe(200);
  });
});

describe("trusted origins", () => {
  const attempt = (requestOrigin: string, env?: Env, url = "/api/auth/sign-up/email") =>
    call(url, {
      ...(env ? { env } : {}),
      headers: { Origin: requestOrigin },
      body: {
        name: "Someone",
        email: `${crypto.randomUUID().slice(0, 8)}@example.com`,
        password: "correct horse battery staple",
      },
    });

  it("trusts every loopback name of a loopback BETTER_AUTH_URL's port", async () => {
    const dev = bindingsWith({ BETTER_AUTH_URL: "http://localhost:8787" });
    const url = "http://localhost:8787/api/auth/sign-up/email";
    for (const name of ["http://localhost:8787", "http://127.0.0.1:8787", "http://[::1]:8787"]) {
      expect((await attempt(name, dev, url)).status, name).toBe(200);
    }
    expect((await attempt("http://127.0.0.1:9999", dev, url)).status).toBe(403);
    expect((await attempt("http://evil.example:8787", dev, url)).status).toBe(403);
  });

  it("keeps the explicit list when BETTER_AUTH_URL is not a loopback URL", async () => {
    const production = bindingsWith({ BETTER_AUTH_URL: "https://brisk.example" });
    const url = "https://brisk.example/api/auth/sign-up/email";
    expect((await attempt("https://brisk.example", production, url)).status).toBe(200);
    expect((await attempt("http://127.0.0.1", production, url)).status).toBe(403);
    expect((await attempt("http://localhost", production, url)).status).toBe(403);
  });
});

describe("a signed-in user's profile", () => {
  it("keeps the name limits on update-user", async () => {
    const user = await signUp();
    const response = await call("/api/auth/update-user", { cookie: user.cookie, body: { name: "x".repeat(1000) } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "NAME_TOO_LONG" });
  });
});
