import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bindingsWith, call, signUp } from "../../test/fixtures.ts";
import { lastMailTo, mailbox } from "../../test/mailbox.ts";

/** The production configuration: no development mailbox, mail through the EMAIL binding. */
function production(send: SendEmail["send"]): Env {
  return bindingsWith({ DEV_MAILBOX: "", EMAIL: { send } as SendEmail });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the development mailbox", () => {
  it("does not exist with the production configuration", async () => {
    const deployed = production(async () => ({ messageId: "x" }));
    for (const path of ["/__dev/mailbox", "/__dev/mailbox.json"]) {
      const response = await call(path, { env: deployed });
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toBe("application/problem+json");
    }
  });

  it("lists mail newest first as {to, subject, text, html, sentAt}", async () => {
    const user = await signUp();
    await call("/api/auth/request-password-reset", { body: { email: user.email } });
    const [newest, older] = await mailbox();
    expect(newest).toMatchObject({ to: user.email, subject: "Reset your Brisk password" });
    expect(older).toMatchObject({ to: user.email, subject: "Confirm your email address for Brisk" });
    expect(Object.keys(newest ?? {}).sort()).toEqual(["html", "sentAt", "subject", "text", "to"]);
  });

  it("shows a readable page with the links clickable, under a CSP without inline scripts", async () => {
    const user = await signUp();
    const mail = await lastMailTo(user.email);
    const page = await call("/__dev/mailbox");
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await page.text();
    expect(html).toContain("<h1>Development mailbox</h1>");
    const link = /https?:\/\/\S+\/verify-email\?token=\S+/.exec(mail.text)?.[0] ?? "";
    expect(html).toContain(`<a href="${link}">`);
  });

  it("refuses to run outside development", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call("/api/health", {
      env: bindingsWith({ DEV_MAILBOX: "on", BETTER_AUTH_URL: "https://brisk.example" }),
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ detail: expect.stringContaining("DEV_MAILBOX is for local") });
  });
});

describe("sending through Cloudflare Email Service", () => {
  it("hands the mail to the EMAIL binding with the configured sender", async () => {
    const sent: unknown[] = [];
    const deployed = production(async (message) => {
      sent.push(message);
      return { messageId: "m-1" };
    });
    const user = await signUp({}, { env: deployed });
    sent.length = 0;
    const response = await call("/api/auth/request-password-reset", { env: deployed, body: { email: user.email } });
    expect(response.status).toBe(200);
    expect(sent).toEqual([
      {
        from: { name: "Brisk", email: "no-reply@brisk.example.com" },
        to: user.email,
        subject: "Reset your Brisk password",
        text: expect.stringContaining("http://localhost/reset-password?token="),
        html: expect.stringContaining('href="http://localhost/reset-password?token='),
      },
    ]);
    expect(env.DEV_MAILBOX).toBe("on");
  });

  it("answers a failed send with 503 problem+json and Retry-After, and logs it without the address", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    let fail = false;
    const deployed = production(async () => {
      if (fail) throw new Error("E_DELIVERY: sending domain not verified");
      return { messageId: "m" };
    });
    const user = await signUp({}, { env: deployed });
    fail = true;
    const response = await call("/api/auth/request-password-reset", { env: deployed, body: { email: user.email } });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("60");
    expect(await response.json()).toMatchObject({ code: "mail_unavailable" });
    const logged = errors.mock.calls.map(([line]) => String(line)).find((line) => line.includes('"mail not sent"'));
    // Every log line written while answering a request names it, as the answer's X-Request-Id does.
    expect(JSON.parse(logged ?? "{}")).toMatchObject({ requestId: response.headers.get("x-request-id") });
    expect(errors.mock.calls.some(([line]) => String(line).includes(user.email))).toBe(false);
  });

  it("still creates the account when the verification mail fails at sign-up (its banner sends again)", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const deployed = production(async () => {
      throw new Error("E_DELIVERY");
    });
    const user = await signUp({}, { env: deployed });
    const session = await call("/api/auth/get-session", { env: deployed, cookie: user.cookie });
    expect(await session.json()).toMatchObject({ user: { email: user.email, emailVerified: false } });
  });
});
