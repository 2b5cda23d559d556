import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accessToken, bindingsWith, call, newIp, origin, signUp } from "../test/fixtures.ts";
import { taskUser } from "../test/tasks-client.ts";
import worker from "./index.ts";

describe("answers that hold credentials or a user's data are never stored by a cache", () => {
  it("marks the access token, the session and the sign-in answers no-store", async () => {
    const user = await signUp();
    expect((await call("/api/auth/token", { cookie: user.cookie })).headers.get("cache-control")).toBe("no-store");
    expect((await call("/api/auth/get-session", { cookie: user.cookie })).headers.get("cache-control")).toBe(
      "no-store",
    );
    expect((await call("/api/auth/list-sessions", { cookie: user.cookie })).headers.get("cache-control")).toBe(
      "no-store",
    );
    const signIn = await call("/api/auth/sign-in/email", { body: { email: user.email, password: user.password } });
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get("cache-control")).toBe("no-store");
  });

  it("lets the public key set be cached", async () => {
    const response = await call("/api/auth/jwks");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).not.toBe("no-store");
  });

  it("marks every task answer no-store, refusals included", async () => {
    const owner = await taskUser();
    const task = await owner.add();
    const answers = {
      list: await owner.list(),
      create: await owner.create({ title: "Another" }),
      read: await owner.get(task.id),
      patch: await owner.patch(task.id, { title: "Renamed" }),
      missing: await owner.get(crypto.randomUUID()),
      invalid: await owner.create({ title: "" }),
      unauthenticated: await call(owner.base),
    };
    for (const [name, response] of Object.entries(answers)) {
      expect(response.headers.get("cache-control"), name).toBe("no-store");
    }
    expect(answers.invalid.status).toBe(422);
    expect(answers.unauthenticated.status).toBe(401);
  });
});

describe("the site's pages (web/public/_headers)", () => {
  it("carry HSTS, as the Worker's own https answers do", async () => {
    const page = await env.ASSETS.fetch("https://localhost/sign-in");
    expect(page.status).toBe(200);
    expect(page.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const api = await exports.default.fetch("https://localhost/api/health");
    expect(api.headers.get("strict-transport-security")).toBe(page.headers.get("strict-transport-security"));
  });
});

describe("the installable app's files (web/public/_headers)", () => {
  it("serves the service worker as JavaScript that no cache may keep without asking", async () => {
    const script = await env.ASSETS.fetch("https://localhost/sw.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^(text|application)\/javascript\b/);
    // A stale sw.js would keep every open copy of the app on an old build.
    expect(script.headers.get("cache-control")).toBe("no-cache");
    expect(script.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("serves the manifest as a web app manifest, revalidated on every use", async () => {
    const manifest = await env.ASSETS.fetch("https://localhost/manifest.webmanifest");
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("content-type")).toMatch(/^application\/manifest\+json\b/);
    expect(manifest.headers.get("cache-control")).toBe("no-cache");
    expect(await manifest.json()).toMatchObject({ start_url: "/tasks", display: "standalone" });
  });

  it("serves the icons the manifest names", async () => {
    const manifest = (await (await env.ASSETS.fetch("https://localhost/manifest.webmanifest")).json()) as {
      icons: { src: string; type: string }[];
    };
    for (const icon of manifest.icons) {
      const file = await env.ASSETS.fetch(new URL(icon.src, "https://localhost"));
      expect(file.status, icon.src).toBe(200);
      expect(file.headers.get("content-type"), icon.src).toMatch(new RegExp(`^${icon.type.replace("+", "\\+")}\\b`));
      await file.arrayBuffer();
    }
  });

  it("keeps the pages the service worker caches under the URLs people visit", async () => {
    for (const path of ["/tasks", "/sign-in", "/404", "/"]) {
      const page = await env.ASSETS.fetch(new URL(path, "https://localhost"));
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type"), path).toMatch(/^text\/html\b/);
      await page.text();
    }
  });
});

const trusted = "https://app.example";
const withTrustedOrigin = bindingsWith({ TRUSTED_ORIGINS: `${trusted}, https://other.example` });

/** Straight to the Worker with an origin trusted for cross-origin use (no contract check: preflights are not in it). */
async function crossOrigin(path: string, init: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  headers.set("cf-connecting-ip", newIp());
  const response = await worker.fetch(new Request(new URL(path, origin), { ...init, headers }), withTrustedOrigin, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("cross-origin use of the task API (CORS), for TRUSTED_ORIGINS only", () => {
  const preflight = (from: string) =>
    crossOrigin("/api/some-user/tasks/00000000-0000-4000-8000-000000000001", {
      method: "OPTIONS",
      headers: {
        Origin: from,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization, content-type, if-match",
      },
    });

  it("answers a trusted origin's preflight with the methods and headers the API uses, without credentials", async () => {
    const response = await preflight(trusted);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(trusted);
    expect(response.headers.get("access-control-allow-methods")?.split(",")).toEqual(
      expect.arrayContaining(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    );
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase().split(",")).toEqual(
      expect.arrayContaining(["authorization", "content-type", "if-match"]),
    );
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("lets a trusted origin read the answer and the headers a client needs", async () => {
    const user = await signUp();
    const token = await accessToken(user.cookie);
    const response = await crossOrigin(`/api/${user.id}/tasks`, {
      method: "POST",
      headers: { Origin: trusted, Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ title: "From another origin" }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("access-control-allow-origin")).toBe(trusted);
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("access-control-expose-headers")?.toLowerCase().split(",")).toEqual(
      expect.arrayContaining(["etag", "location", "link", "x-total-count", "retry-after"]),
    );
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("gives an untrusted origin no CORS headers at all", async () => {
    const answers = [
      await preflight("https://evil.example"),
      await crossOrigin("/api/some-user/tasks", { headers: { Origin: "https://evil.example" } }),
      await crossOrigin("/api/some-user/tasks", { headers: { Origin: "null" } }),
    ];
    for (const response of answers) {
      expect(response.status).toBeLessThan(500);
      const cors = [...response.headers.keys()].filter((name) => name.startsWith("access-control-"));
      expect(cors).toEqual([]);
    }
  });

  it("opens nothing when TRUSTED_ORIGINS is empty (the default)", async () => {
    const response = await exports.default.fetch(
      new Request("http://localhost/api/some-user/tasks", {
        method: "OPTIONS",
        headers: { Origin: trusted, "Access-Control-Request-Method": "GET" },
      }),
    );
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("leaves the auth routes to Better Auth's own origin checks", async () => {
    const response = await crossOrigin("/api/auth/get-session", { headers: { Origin: trusted } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("the API reference page (/api/docs)", () => {
  const page = async () => {
    const response = await exports.default.fetch("http://localhost/api/docs");
    return { response, html: await response.text() };
  };

  it("loads its scripts from this origin only", async () => {
    const { response, html } = await page();
    expect(response.status).toBe(200);
    const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(source, "a same-origin path").toMatch(/^\/(?!\/)/);
    expect(html).not.toMatch(/https?:\/\/(?!localhost)[^"'\s]*\.(js|css)/);
  });

  it("finds its script served by the site", async () => {
    const { html } = await page();
    const source = /<script[^>]*\ssrc="([^"]+)"/.exec(html)?.[1] ?? "";
    // Static files are served by Workers Static Assets before the Worker runs (wrangler.jsonc assets).
    const script = await env.ASSETS.fetch(new URL(source, "http://localhost"));
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(await script.text()).toContain("createApiReference");
  });

  it("has a policy that names no other host and runs no script without its nonce", async () => {
    const { response } = await page();
    const csp = response.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(
      csp.split(";").map((directive) => {
        const [name = "", ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(csp).not.toMatch(/https?:|\*/);
    expect(directives["script-src"]?.every((value) => /^'nonce-[^']+'$/.test(value))).toBe(true);
    expect(directives["img-src"]).toEqual(["'self'", "data:"]);
    expect(directives["connect-src"]).toEqual(["'self'"]);
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
  });
});
