import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { accessToken, bindingsWith, call, cookiesOf, newIp, signIn, signUp } from "../../test/fixtures.ts";
import { lastMailTo, linkIn, mailsTo, tokenIn } from "../../test/mailbox.ts";
import { sql } from "../../test/stand-in-control.ts";
import worker from "../index.ts";
import { accountLinkLifetimes } from "./accounts.ts";

const requestReset = (email: string, ip = newIp()) => call("/api/auth/request-password-reset", { body: { email }, ip });
const resetPassword = (token: string, newPassword: string) =>
  call("/api/auth/reset-password", { body: { token, newPassword } });

afterEach(() => {
  vi.useRealTimers();
});

describe("password reset", () => {
  it("mails a link to /reset-password that sets a new password, ends every other session and signs in", async () => {
    const user = await signUp();
    const elsewhere = cookiesOf(await signIn(user.email, user.password));

    expect((await requestReset(user.email)).status).toBe(200);
    const mail = await lastMailTo(user.email);
    expect(mail.subject).toBe("Reset your Brisk password");
    expect(linkIn(mail, "/reset-password").origin).toBe("http://localhost");
    expect(mail.text).toContain("30 minutes");
    expect(mail.text).toContain("If you did not ask for this");

    const reset = await resetPassword(tokenIn(mail, "/reset-password"), "a brand new passphrase");
    expect(reset.status).toBe(200);
    const signedIn = cookiesOf(reset);
    expect(signedIn).toContain("better-auth.session_token=");
    await expect(accessToken(signedIn)).resolves.toEqual(expect.any(String));

    // Every session from before is gone, in this browser and elsewhere.
    for (const cookie of [user.cookie, elsewhere]) {
      expect((await call("/api/auth/token", { cookie })).status).toBe(401);
    }
    expect((await signIn(user.email, user.password)).status).toBe(401);
    expect((await signIn(user.email, "a brand new passphrase")).status).toBe(200);
  });

  it("answers an unknown address exactly like a known one, and mails nothing", async () => {
    const user = await signUp();
    const known = await requestReset(user.email);
    const unknown = await requestReset("nobody-here@example.com");
    expect(unknown.status).toBe(known.status);
    expect(await unknown.json()).toEqual(await known.json());
    expect(await mailsTo("nobody-here@example.com")).toEqual([]);
  });

  it("takes about as long for an unknown address as for a known one, even when sending is slow", async () => {
    // A mail service that takes 200 ms to accept a mail: only the known address pays it, unless the
    // answer is held to a common minimum.
    const slowMail = bindingsWith({
      DEV_MAILBOX: "",
      EMAIL: {
        send: () => new Promise((resolve) => setTimeout(() => resolve({ messageId: "m" }), 200)),
      } as unknown as SendEmail,
    });
    const user = await signUp({}, { env: slowMail });
    const time = async (email: string) => {
      const started = performance.now();
      expect((await call("/api/auth/request-password-reset", { env: slowMail, body: { email } })).status).toBe(200);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let round = 0; round < 3; round++) {
      known.push(await time(user.email));
      unknown.push(await time(`absent-${round}@example.com`));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[1] ?? 0;
    const ratio = median(known) / median(unknown);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.33);
  });

  it("accepts a link once", async () => {
    const user = await signUp();
    await requestReset(user.email);
    const token = tokenIn(await lastMailTo(user.email), "/reset-password");
    expect((await resetPassword(token, "a brand new passphrase")).status).toBe(200);
    const again = await resetPassword(token, "another new passphrase");
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("refuses a link after 30 minutes", async () => {
    const user = await signUp();
    await requestReset(user.email);
    const token = tokenIn(await lastMailTo(user.email), "/reset-password");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + accountLinkLifetimes.resetPasswordSeconds * 1000 + 1000);
    const late = await resetPassword(token, "a brand new passphrase");
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ code: "INVALID_TOKEN" });
    vi.useRealTimers();
    expect((await signIn(user.email, user.password)).status).toBe(200);
  });

  it("holds the new password to the same rules: length, the common-password list, NFKC", async () => {
    const user = await signUp();
    await requestReset(user.email);
    const token = tokenIn(await lastMailTo(user.email), "/reset-password");
    const short = await resetPassword(token, "short");
    expect(short.status).toBe(400);
    const common = await resetPassword(token, "ｐａｓｓｗｏｒｄ１２３");
    expect(common.status).toBe(400);
    expect(await common.json()).toMatchObject({ message: "This password is too common — pick another" });
    // The refusals used nothing up: the link still works.
    expect((await resetPassword(token, "ｆｕｌｌ ｗｉｄｔｈ ｐａｓｓｐｈｒａｓｅ")).status).toBe(200);
    expect((await signIn(user.email, "full width passphrase")).status).toBe(200);
  });

  it("is throttled per client address and per account", async () => {
    const user = await signUp();
    const ip = newIp();
    const answers = [];
    for (let attempt = 0; attempt < 4; attempt++)
      answers.push((await requestReset(`x${attempt}@example.com`, ip)).status);
    expect(answers).toEqual([200, 200, 200, 429]);

    const perAccount = [];
    for (let attempt = 0; attempt < 6; attempt++) perAccount.push((await requestReset(user.email)).status);
    expect(perAccount).toEqual([200, 200, 200, 200, 200, 429]);
    const resetMails = (await mailsTo(user.email)).filter((mail) => mail.subject === "Reset your Brisk password");
    expect(resetMails).toHaveLength(5);
  });
});

describe("pruning", () => {
  it("removes expired links when the Cron Trigger runs, and keeps live ones", async () => {
    const now = Date.now();
    const marker = crypto.randomUUID().slice(0, 8);
    await sql(
      "insert into verification (id, identifier, value, expires_at) values ($1, $2, 'u', $3), ($4, $5, 'u', $6)",
      [
        crypto.randomUUID(),
        `reset-password:old-${marker}`,
        new Date(now - 60_000).toISOString(),
        crypto.randomUUID(),
        `reset-password:live-${marker}`,
        new Date(now + 60_000).toISOString(),
      ],
    );
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "*/30 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const left = await sql<{ identifier: string }>("select identifier from verification where identifier like $1", [
      `%${marker}`,
    ]);
    expect(left.map((row) => row.identifier)).toEqual([`reset-password:live-${marker}`]);
  });
});
