import { afterEach, describe, expect, it, vi } from "vitest";
import { accessToken, call, cookiesOf, newIp, signIn, signUp } from "../../test/fixtures.ts";
import { lastMailTo, linkIn, mailsTo, tokenIn } from "../../test/mailbox.ts";
import { accountLinkLifetimes } from "./accounts.ts";

const session = async (cookie: string) =>
  (await (await call("/api/auth/get-session", { cookie })).json()) as {
    session: { id: string };
    user: { email: string; name: string; emailVerified: boolean };
  } | null;
const verify = (token: string, cookie?: string) =>
  call(`/api/auth/verify-email?token=${encodeURIComponent(token)}`, cookie ? { cookie } : {});

afterEach(() => {
  vi.useRealTimers();
});

describe("email verification", () => {
  it("mails a /verify-email link at sign-up; the app works before it is opened", async () => {
    const user = await signUp();
    const mail = await lastMailTo(user.email);
    expect(mail.subject).toBe("Confirm your email address for Brisk");
    expect(mail.text).toContain("24 hours");
    expect(linkIn(mail, "/verify-email").origin).toBe("http://localhost");
    expect((await session(user.cookie))?.user.emailVerified).toBe(false);
    await expect(accessToken(user.cookie)).resolves.toEqual(expect.any(String));
  });

  it("verifies the address and signs nothing in", async () => {
    const user = await signUp();
    const response = await verify(tokenIn(await lastMailTo(user.email), "/verify-email"));
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await session(user.cookie))?.user.emailVerified).toBe(true);
  });

  it("says when the link has expired", async () => {
    const user = await signUp();
    const token = tokenIn(await lastMailTo(user.email), "/verify-email");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + accountLinkLifetimes.verifyEmailSeconds * 1000 + 60_000);
    const late = await verify(token);
    expect(late.status).toBe(401);
    expect(await late.json()).toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  it("sends again on request, throttled", async () => {
    const user = await signUp();
    const ip = newIp();
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await call("/api/auth/send-verification-email", {
        cookie: user.cookie,
        ip,
        body: { email: user.email },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await mailsTo(user.email)).toHaveLength(4);
  });
});

describe("changing the email address", () => {
  it("refuses a name that is not text with 400, never 500", async () => {
    const user = await signUp();
    for (const name of [null, 42, ["Ada"], { first: "Ada" }]) {
      const response = await call("/api/auth/update-user", { cookie: user.cookie, body: { name }, ip: newIp() });
      expect(response.status, JSON.stringify(name)).toBe(400);
    }
  });

  it("mails one new address at most 5 times an hour, however many clients ask", async () => {
    const user = await signUp();
    const stranger = `stranger-${crypto.randomUUID().slice(0, 8)}@example.com`;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await call("/api/auth/change-email", {
        cookie: user.cookie,
        body: { newEmail: stranger },
        ip: newIp(),
      });
      expect(response.status, `attempt ${attempt}`).toBe(200);
    }
    const refused = await call("/api/auth/change-email", {
      cookie: user.cookie,
      body: { newEmail: stranger.toUpperCase() },
      ip: newIp(),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await mailsTo(stranger)).toHaveLength(5);
  });

  it("confirms from the new address, tells the old one, and applies only when confirmed", async () => {
    const user = await signUp();
    const newEmail = `new-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const response = await call("/api/auth/change-email", { cookie: user.cookie, body: { newEmail } });
    expect(response.status).toBe(200);

    const notice = await lastMailTo(user.email);
    expect(notice.subject).toBe("Your Brisk email address is being changed");
    expect(notice.text).toContain(newEmail);
    const confirmation = await lastMailTo(newEmail);
    expect(confirmation.subject).toBe("Confirm your new email address for Brisk");
    expect((await session(user.cookie))?.user.email).toBe(user.email);

    const token = tokenIn(confirmation, "/verify-email");
    expect((await verify(token, user.cookie)).status).toBe(200);
    expect((await signIn(newEmail, user.password)).status).toBe(200);
    expect((await signIn(user.email, user.password)).status).toBe(401);
    // Used once: the address it changes from is gone.
    expect((await verify(token)).status).toBe(401);
  });

  it("refuses an address that is not one", async () => {
    const user = await signUp();
    const response = await call("/api/auth/change-email", {
      cookie: user.cookie,
      body: { newEmail: "not-an-address" },
    });
    expect(response.status).toBe(400);
  });
});

describe("changing the name", () => {
  it("applies a valid name and refuses one over 100 characters", async () => {
    const user = await signUp();
    expect((await call("/api/auth/update-user", { cookie: user.cookie, body: { name: "Ada Lovelace" } })).status).toBe(
      200,
    );
    expect((await session(user.cookie))?.user.name).toBe("Ada Lovelace");
    const long = await call("/api/auth/update-user", { cookie: user.cookie, body: { name: "x".repeat(101) } });
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ code: "NAME_TOO_LONG" });
  });

  it("does not let update-user change the email address", async () => {
    const user = await signUp();
    const response = await call("/api/auth/update-user", {
      cookie: user.cookie,
      body: { email: "sneaky@example.com" },
    });
    expect(response.status).toBe(400);
    expect((await session(user.cookie))?.user.email).toBe(user.email);
  });
});

describe("devices", () => {
  it("lists the sessions, no-store, and ends one or every other", async () => {
    const user = await signUp();
    const phone = cookiesOf(await signIn(user.email, user.password, { headers: { "User-Agent": "Phone/1.0" } }));
    const tablet = cookiesOf(await signIn(user.email, user.password));

    const list = await call("/api/auth/list-sessions", { cookie: user.cookie });
    expect(list.status).toBe(200);
    expect(list.headers.get("cache-control")).toBe("no-store");
    const sessions = (await list.json()) as { id: string; token: string; userAgent: string }[];
    expect(sessions).toHaveLength(3);
    const phoneSession = sessions.find((s) => s.userAgent === "Phone/1.0");
    if (!phoneSession) throw new Error("no phone session");

    const revoke = await call("/api/auth/revoke-session", { cookie: user.cookie, body: { token: phoneSession.token } });
    expect(revoke.status).toBe(200);
    expect((await call("/api/auth/token", { cookie: phone })).status).toBe(401);
    expect((await call("/api/auth/token", { cookie: tablet })).status).toBe(200);

    expect((await call("/api/auth/revoke-other-sessions", { cookie: user.cookie, body: {} })).status).toBe(200);
    expect((await call("/api/auth/token", { cookie: tablet })).status).toBe(401);
    expect((await call("/api/auth/token", { cookie: user.cookie })).status).toBe(200);
  });

  it("keeps where Cloudflare placed the session", async () => {
    const user = await signUp();
    const { exports } = await import("cloudflare:workers");
    const request = new Request("http://localhost/api/auth/sign-in/email", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "http://localhost", "cf-connecting-ip": newIp() },
      body: JSON.stringify({ email: user.email, password: user.password }),
      cf: { city: "Lisbon", country: "PT" },
    });
    expect((await exports.default.fetch(request)).status).toBe(200);
    const sessions = (await (await call("/api/auth/list-sessions", { cookie: user.cookie })).json()) as {
      city: string | null;
      country: string | null;
    }[];
    expect(sessions).toContainEqual(expect.objectContaining({ city: "Lisbon", country: "PT" }));
  });
});
