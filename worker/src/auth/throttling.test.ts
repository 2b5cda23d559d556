import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, newIp, signIn, signUp } from "../../test/fixtures.ts";
import { sql } from "../../test/stand-in-control.ts";
import { readConfig } from "../config.ts";
import { getDatabase } from "../db/client.ts";
import worker from "../index.ts";
import { consumeAttempt } from "./rate-limit-storage.ts";

/**
 * Throttling of /api/auth/*: per client address on a fixed set of route names, per
 * account for failed sign-ins, decided by one atomic statement each (parallel
 * bursts included), and pruned by the Cron Trigger.
 */

const statuses = (responses: Response[]) => responses.map((response) => response.status).sort();

describe("the counter", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("decides from the count, not the clock: of 12 parallel attempts in one millisecond, 3 pass", async () => {
    const db = getDatabase(readConfig(env));
    vi.spyOn(Date, "now").mockReturnValue(1_900_000_000_000);
    const key = `same-millisecond:${crypto.randomUUID()}`;
    const decisions = await Promise.all(
      Array.from({ length: 12 }, () => consumeAttempt(db, key, { window: 60, max: 3 })),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(3);
    expect(decisions.filter((decision) => !decision.allowed)).toEqual(
      Array(9).fill({ allowed: false, retryAfterSeconds: 60 }),
    );
  });
});

describe("per client address", () => {
  it("lets exactly 3 of 12 parallel sign-ins from one address through", { timeout: 60_000 }, async () => {
    const ip = newIp();
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        signIn(`burst${i}-${crypto.randomUUID().slice(0, 6)}@example.com`, "wrong password!", { ip }),
      ),
    );
    expect(statuses(responses)).toEqual([...Array(3).fill(401), ...Array(9).fill(429)]);
    for (const response of responses.filter((r) => r.status === 429)) {
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it("keys counters on route names, never on the raw path", async () => {
    const ip = newIp();
    await signIn("someone@example.com", "wrong password!", { ip });
    await call("/api/auth/get-session", { ip });
    const keys = (await sql<{ key: string }>("select key from rate_limit where key like $1", [`%${ip}`])).map(
      (row) => row.key,
    );
    expect(keys).toEqual([`sign-in:${ip}`]);
  });
});

describe("per account", () => {
  it("stops guesses at one account from rotating addresses after 10 failures, with Retry-After", {
    timeout: 60_000,
  }, async () => {
    const user = await signUp();
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => signIn(user.email.toUpperCase(), "wrong password!", { ip: newIp() })),
    );
    expect(statuses(responses)).toEqual([...Array(10).fill(401), ...Array(2).fill(429)]);
    const throttled = await signIn(user.email, user.password, { ip: newIp() });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(throttled.headers.get("content-type")).toBe("application/problem+json");
  });

  it("counts failures only: a successful sign-in starts the count again", { timeout: 60_000 }, async () => {
    const user = await signUp();
    for (let i = 0; i < 9; i++) expect((await signIn(user.email, "wrong password!")).status).toBe(401);
    expect((await signIn(user.email, user.password)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await signIn(user.email, "wrong password!")).status).toBe(401);
  });

  it("keys the account counter on a hash of the address, never the address itself", async () => {
    const email = `hashed-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await signIn(email, "wrong password!");
    expect(await sql("select key from rate_limit where key like $1", [`%${email.split("@")[0]}%`])).toEqual([]);
  });
});

describe("pruning", () => {
  it("removes expired counters when the Cron Trigger runs, and keeps live ones", async () => {
    const now = Date.now();
    await sql("insert into rate_limit (id, key, count, last_request) values ($1, $2, 3, $3), ($4, $5, 1, $6)", [
      crypto.randomUUID(),
      "sign-in:203.0.113.1",
      now - 2 * 86_400_000,
      crypto.randomUUID(),
      "sign-in:203.0.113.2",
      now,
    ]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "*/30 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const keys = (await sql<{ key: string }>("select key from rate_limit where key like 'sign-in:203.0.113.%'")).map(
      (row) => row.key,
    );
    expect(keys).toEqual(["sign-in:203.0.113.2"]);
  });
});
