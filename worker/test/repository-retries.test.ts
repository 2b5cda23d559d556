import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { call, newIp, signIn, signUp } from "./fixtures.ts";
import { clearFaults, injectFault, sql } from "./stand-in-control.ts";
import { taskUser } from "./tasks-client.ts";

/**
 * Every repository call reaches the database through `withRetries`, with the repeatability of its
 * statement (docs/decisions/041-who-recovers-a-lost-answer.md). src/tasks/tasks-faults.test.ts
 * covers the task API's requests; these are the paths that joined the rule later: the Cron
 * Trigger's prunes and the auth repository's writes.
 */

beforeEach(async () => {
  await clearFaults();
});

const housekeeping = async () => {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/30 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
};

describe("repeatable paths are repeated after a transient failure", () => {
  it("the Cron Trigger's prunes each survive an HTTP 503, and prune", async () => {
    const user = await taskUser();
    const task = await user.add();
    expect((await user.remove(task.id)).status).toBe(204);
    await sql("update task_tombstones set deleted_at = now() - interval '31 days' where user_id = $1", [user.id]);
    const prunes = [
      'delete from "deleted_tasks" where "deleted_tasks"."deleted_at" <', // pruneExpiredDeletions
      "with pruned_tasks as", // pruneTombstones
      "delete from rate_limit where last_request <", // pruneAttempts
      'delete from "verification" where', // pruneExpiredLinks
      'delete from "reminder_deliveries" where', // pruneReminderDeliveries
    ];
    for (const match of prunes) await injectFault({ match, action: "fail", status: 503 });

    await housekeeping();

    expect(await clearFaults()).toEqual([]); // every prune met its fault and was repeated
    expect(await sql("select task_id from task_tombstones where user_id = $1", [user.id])).toEqual([]);
  });

  it("a sign-up whose removal of a credential-less user fails once still signs up", async () => {
    const email = `retried-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await injectFault({ match: 'delete from "user" u', action: "fail", status: 503 });
    const response = await call("/api/auth/sign-up/email", {
      body: { name: "Retried", email, password: "correct horse battery staple" },
    });
    expect(response.status).toBe(200);
    expect(await clearFaults()).toEqual([]);
  });

  it("a sign-in whose clearing of its failed attempts fails once still signs in", async () => {
    const person = await signUp();
    await injectFault({ match: "delete from rate_limit where key =", action: "fail", status: 503 });
    expect((await signIn(person.email, person.password)).status).toBe(200);
    expect(await clearFaults()).toEqual([]);
  });
});

describe("an attempt counted against a throttle is counted once", () => {
  it("is repeated when the database rolled it back (40001)", async () => {
    const person = await signUp();
    const ip = newIp();
    await injectFault({ match: "insert into rate_limit", action: "sqlstate", code: "40001" });
    expect((await signIn(person.email, person.password, { ip })).status).toBe(200);
    expect(await sql("select count from rate_limit where key = $1", [`sign-in:${ip}`])).toEqual([{ count: 1 }]);
  });

  it("is not repeated when its answer was lost: 503, and the attempt counted once", async () => {
    const person = await signUp();
    const ip = newIp();
    await injectFault({ match: "insert into rate_limit", action: "lose-response" });
    expect((await signIn(person.email, person.password, { ip })).status).toBe(503);
    expect(await sql("select count from rate_limit where key = $1", [`sign-in:${ip}`])).toEqual([{ count: 1 }]);
  });
});
