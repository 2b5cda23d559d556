import { env } from "cloudflare:workers";
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearFaults, injectFault, roundTrips, sql } from "../../test/stand-in-control.ts";
import { type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";
import * as schema from "../db/schema.ts";
import { nextDue } from "./recurrence.ts";
import { setCompleted } from "./tasks-completion.repo.ts";

/**
 * Recurring tasks through the API (docs/tasks-api.md "Recurring tasks"): what is stored,
 * which rules are refused, and that completing moves `due` exactly once per occurrence —
 * also when an answer is lost and the request is repeated.
 */

let user: TaskUser;

beforeAll(async () => {
  user = await taskUser({ timeZone: "Europe/Berlin" });
});

beforeEach(async () => {
  await clearFaults();
});

const json = async (response: Response) => (await response.json()) as TaskJson;
const weekly = { rule: "FREQ=WEEKLY;BYDAY=MO", from: "due" } as const;
const monday = { date: "2026-12-07", time: null, timeZone: null };

async function addRecurring(body: Record<string, unknown> = {}): Promise<TaskJson> {
  return (await user.add({ title: "Water the plants", due: monday, recurrence: weekly, ...body })) as TaskJson;
}

describe("storing a recurrence", () => {
  it("creates a task with a recurrence, and GET, the list and the feed carry it", async () => {
    const created = await addRecurring();
    expect(created).toMatchObject({ recurrence: weekly, completions: [], due: monday });
    expect(await json(await user.get(created.id))).toMatchObject({ recurrence: weekly, completions: [] });
    const listed = (await (await user.list()).json()) as TaskJson[];
    expect(listed.find((task) => task.id === created.id)).toMatchObject({ recurrence: weekly, completions: [] });
    const feed = (await (await user.send("/changes")).json()) as { changes: TaskJson[] };
    expect(feed.changes.find((task) => task.id === created.id)?.recurrence).toEqual(weekly);
  });

  it("defaults from to due, and a task without one answers recurrence null", async () => {
    const task = await addRecurring({ recurrence: { rule: "FREQ=DAILY" } });
    expect(task.recurrence).toEqual({ rule: "FREQ=DAILY", from: "due" });
    expect(((await user.add()) as TaskJson).recurrence).toBeNull();
  });

  it("changes and clears the recurrence with PATCH and PUT", async () => {
    const task = await addRecurring();
    const patched = await json(
      await user.patch(task.id, { recurrence: { rule: "FREQ=DAILY;INTERVAL=2", from: "completion" } }),
    );
    expect(patched.recurrence).toEqual({ rule: "FREQ=DAILY;INTERVAL=2", from: "completion" });
    const cleared = await json(await user.patch(task.id, { recurrence: null }));
    expect(cleared.recurrence).toBeNull();
    const replaced = await json(await user.put(task.id, { title: "Again", due: monday, recurrence: weekly }));
    expect(replaced.recurrence).toEqual(weekly);
    expect((await json(await user.put(task.id, { title: "Plain", due: monday }))).recurrence).toBeNull();
  });

  it("replays a create with the same recurrence, and refuses another recurrence under the same id", async () => {
    const id = crypto.randomUUID();
    const body = { id, title: "Once", due: monday, recurrence: weekly };
    expect((await user.create(body)).status).toBe(201);
    expect((await user.create(body)).status).toBe(200);
    expect((await user.create({ ...body, recurrence: { rule: "FREQ=DAILY", from: "due" } })).status).toBe(409);
  });
});

describe("refusing what it cannot repeat", () => {
  it.each([
    ["FREQ=HOURLY"],
    ["FREQ=WEEKLY;BYHOUR=9"],
    ["RRULE:FREQ=DAILY"],
    ["FREQ=DAILY;COUNT=2;UNTIL=20261231"],
    ["FREQ=MONTHLY;BYDAY=TH"],
    ["not a rule"],
    ["FREQ=DAILY\u0000"],
  ])("answers 422 on recurrence.rule for %j", async (rule) => {
    const response = await user.create({ title: "Bad", due: monday, recurrence: { rule, from: "due" } });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { errors: { path: string }[] };
    expect(body.errors.map((error) => error.path)).toContain("recurrence.rule");
  });

  it("answers 422 for an unknown from or a rule that is not text", async () => {
    const from = await user.create({ title: "Bad", due: monday, recurrence: { rule: "FREQ=DAILY", from: "start" } });
    expect(from.status).toBe(422);
    const rule = await user.create({ title: "Bad", due: monday, recurrence: { rule: 7 } });
    expect(rule.status).toBe(422);
    expect(((await rule.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("recurrence.rule");
  });

  it("answers 422 on recurrence for a recurrence without a due date, on create, PUT and PATCH", async () => {
    const created = await user.create({ title: "No due", recurrence: weekly });
    expect(created.status).toBe(422);
    expect(((await created.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("recurrence");
    const plain = await user.add({ title: "Plain" });
    expect((await user.put(plain.id, { title: "Plain", recurrence: weekly })).status).toBe(422);
    const patched = await user.patch(plain.id, { recurrence: weekly });
    expect(patched.status).toBe(422);
    expect(((await patched.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("recurrence");
    const recurring = await addRecurring();
    expect((await user.patch(recurring.id, { due: null })).status).toBe(422);
    expect(await json(await user.get(recurring.id))).toMatchObject({ due: monday, version: 1 });
  });
});

describe("any rule text", () => {
  it("is stored (201) or refused with 422 on recurrence.rule, never a 5xx", async () => {
    const piece = fc.oneof(
      fc.constantFrom("FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY", "FREQ=HOURLY", "INTERVAL=2"),
      fc.constantFrom("COUNT=3", "UNTIL=20261231", "UNTIL=99991231T235959Z", "BYDAY=MO,FR", "BYDAY=-1FR"),
      fc.constantFrom("BYMONTHDAY=31", "BYMONTHDAY=-1", "BYSETPOS=-1", "BYSETPOS=9", "WKST=SU", "INTERVAL=0"),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 4 }), async (pieces) => {
        const rule = pieces.join(";");
        const response = await user.create({ title: "Fuzz", due: monday, recurrence: { rule, from: "due" } });
        expect([201, 422]).toContain(response.status);
        if (response.status === 422) {
          const body = (await response.json()) as { errors: { path: string }[] };
          expect(body.errors.map((error) => error.path)).toContain("recurrence.rule");
        } else {
          const task = await json(response);
          const done = await user.complete(task.id, undefined, { "If-Match": '"1"' });
          expect(done.status).toBe(200);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("completing a recurring task", () => {
  it("records the completion and moves due to the next occurrence; the task stays active", async () => {
    const task = await addRecurring();
    const response = await user.complete(task.id, undefined, { "If-Match": '"1"' });
    expect(response.status).toBe(200);
    const done = await json(response);
    expect(done).toMatchObject({
      completed: false,
      completedAt: null,
      version: 2,
      due: { date: "2026-12-14", time: null, timeZone: null },
    });
    expect(done.completions).toEqual([{ at: expect.any(String), due: monday }]);
    expect(response.headers.get("etag")).toBe('"2"');
    const pending = (await (await user.list("status=pending")).json()) as TaskJson[];
    expect(pending.some((t) => t.id === task.id)).toBe(true);
  });

  it('advances the same way with {"completed": true}, and keeps a timed due\'s wall clock and zone', async () => {
    const due = { date: "2027-03-27", time: "09:00", timeZone: "Europe/Berlin" };
    const task = await addRecurring({ due, recurrence: { rule: "FREQ=DAILY", from: "due" } });
    const done = await json(await user.complete(task.id, { completed: true }));
    expect(done.due).toEqual({ ...due, date: "2027-03-28" });
    // Postgres computed the new instant across the DST change: 23 hours later.
    const [row] = await sql<{ hours: number }>(
      "select extract(epoch from due_at - '2027-03-27 08:00:00+00'::timestamptz)::int / 3600 as hours from tasks where id = $1",
      [task.id],
    );
    expect(row?.hours).toBe(23);
  });

  it("counts from the day of completion when from=completion", async () => {
    const task = await addRecurring({
      due: { date: "2020-01-01", time: null, timeZone: null },
      recurrence: { rule: "FREQ=DAILY;INTERVAL=3", from: "completion" },
    });
    const done = await json(await user.complete(task.id));
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(new Date());
    const expected = new Date(`${today}T00:00:00Z`);
    expected.setUTCDate(expected.getUTCDate() + 3);
    expect(done.due?.date).toBe(expected.toISOString().slice(0, 10));
  });

  it("counts a timed task's day of completion in the due's zone, and keeps its wall clock there", async () => {
    const due = { date: "2020-01-01", time: "23:30", timeZone: "Pacific/Kiritimati" };
    const task = await addRecurring({ due, recurrence: { rule: "FREQ=WEEKLY;BYDAY=MO,TH", from: "completion" } });
    const done = await json(await user.complete(task.id, { completed: true }, { "If-Match": '"1"' }));
    const expected = nextDue({ rule: "FREQ=WEEKLY;BYDAY=MO,TH", from: "completion" }, due, 0, {
      now: Date.parse(done.updatedAt),
      personZone: "Europe/Berlin",
    });
    expect(done.due).toEqual(expected);
    const [row] = await sql<{ same: boolean }>(
      "select due_at = ((due_date + due_time) at time zone 'Pacific/Kiritimati') as same from tasks where id = $1",
      [task.id],
    );
    expect(row?.same).toBe(true);
  });

  it("completes the task at its last occurrence (COUNT), and keeps every completion", async () => {
    const task = await addRecurring({ recurrence: { rule: "FREQ=WEEKLY;COUNT=2", from: "due" } });
    const first = await json(await user.complete(task.id, { completed: true }, { "If-Match": '"1"' }));
    expect(first).toMatchObject({ completed: false, due: { date: "2026-12-14" } });
    const last = await json(await user.complete(task.id, { completed: true }, { "If-Match": '"2"' }));
    expect(last).toMatchObject({ completed: true, due: { date: "2026-12-14" }, version: 3 });
    expect(last.completedAt).not.toBeNull();
    expect(last.completions.map((c) => c.due?.date)).toEqual(["2026-12-14", "2026-12-07"]);
  });

  it("completes the task when no occurrence is left before UNTIL", async () => {
    const task = await addRecurring({ recurrence: { rule: "FREQ=WEEKLY;UNTIL=20261210", from: "due" } });
    expect(await json(await user.complete(task.id))).toMatchObject({ completed: true, due: monday });
  });

  it("answers 412 to a stale If-Match and changes nothing", async () => {
    const task = await addRecurring();
    await user.patch(task.id, { title: "Renamed" });
    const response = await user.complete(task.id, undefined, { "If-Match": '"1"' });
    expect(response.status).toBe(412);
    expect(response.headers.get("etag")).toBe('"2"');
    expect(await json(await user.get(task.id))).toMatchObject({ due: monday, completions: [], version: 2 });
  });

  it("a complete repeated after a lost answer (the same If-Match) advances once: 412 the second time", async () => {
    const task = await addRecurring();
    const first = await user.complete(task.id, undefined, { "If-Match": '"1"' });
    expect(first.status).toBe(200);
    // The client never saw that answer and sends the same request again.
    const replay = await user.complete(task.id, undefined, { "If-Match": '"1"' });
    expect(replay.status).toBe(412);
    const now = await json(await user.get(task.id));
    expect(now).toMatchObject({ due: { date: "2026-12-14" }, version: 2 });
    expect(now.completions).toHaveLength(1);
  });

  it("the database answer of the occurrence's write lost: repeated, recognised as its own, applied once", async () => {
    const task = await addRecurring();
    await injectFault({ match: "jsonb_build_array", action: "lose-response" });
    const response = await user.complete(task.id, { completed: true }, { "If-Match": '"1"' });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ due: { date: "2026-12-14" }, version: 2 });
    const [row] = await sql<{ version: number; n: number }>(
      "select version, jsonb_array_length(completions) as n from tasks where id = $1",
      [task.id],
    );
    expect(row).toEqual({ version: 2, n: 1 });
  });

  it("costs one round trip, plain or recurring, toggle or set, the last occurrence and the undo too", async () => {
    const once = async (send: () => Promise<Response>) => {
      const before = await roundTrips();
      expect((await send()).status).toBe(200);
      return (await roundTrips()) - before;
    };
    const plain = await user.add();
    expect(await once(() => user.complete(plain.id, undefined, { "If-Match": '"1"' }))).toBe(1);
    const recurring = await addRecurring({ recurrence: { rule: "FREQ=WEEKLY;COUNT=2", from: "due" } });
    expect(await once(() => user.complete(recurring.id, undefined, { "If-Match": '"1"' }))).toBe(1);
    expect(await once(() => user.complete(recurring.id, { completed: true }))).toBe(1);
    expect(await json(await user.get(recurring.id))).toMatchObject({ completed: true, version: 3 });
    expect(await once(() => user.complete(recurring.id))).toBe(1);
    expect(await once(() => user.complete(recurring.id, { completed: false }, { "If-Match": '"4"' }))).toBe(1);
    const fromCompletion = await addRecurring({ recurrence: { rule: "FREQ=DAILY", from: "completion" } });
    expect(await once(() => user.complete(fromCompletion.id, { completed: true }))).toBe(1);
  });
});

describe("the cost of computing the next occurrence", () => {
  /**
   * Runs the repository's complete statement (as drizzle sends it) with `brisk_next_due` resolved
   * to a wrapper that records each call (search_path, for this transaction only), and answers how
   * many calls one complete of `id` made.
   */
  async function callsOfOneComplete(captured: { query: string; params: unknown[] }, from: string, id: string) {
    const client = neon(env.DATABASE_URL);
    await sql("create schema if not exists counting");
    await sql("create table if not exists counting.calls (at timestamptz)");
    await sql(`create or replace function counting.brisk_next_due(rule text, start date, done integer) returns date
      language plpgsql volatile as $$ begin insert into counting.calls values (now()); return public.brisk_next_due(rule, start, done); end $$`);
    const params = captured.params.map((value) => (value === from ? id : value));
    const [, , written, [counted]] = (await client.transaction([
      client.query("set local search_path = counting, public"),
      client.query("delete from counting.calls"),
      client.query(captured.query, params),
      client.query("select count(*)::int as calls from counting.calls"),
    ])) as [unknown, unknown, unknown[], { calls: number }[]];
    expect(written).toHaveLength(1);
    return counted?.calls;
  }

  it("calls brisk_next_due once per complete of a recurring task (one statement, the date computed once)", async () => {
    neonConfig.fetchEndpoint = env.NEON_FETCH_ENDPOINT;
    const statements: { query: string; params: unknown[] }[] = [];
    const logger = { logQuery: (query: string, params: unknown[]) => void statements.push({ query, params }) };
    const db = drizzle({ client: neon(env.DATABASE_URL), schema, logger });
    const monthly = { rule: "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1", from: "due" };
    const [first, second] = [await addRecurring({ recurrence: monthly }), await addRecurring({ recurrence: monthly })];
    const result = await setCompleted(db, user.id, first.id, true, [1], "Europe/Berlin");
    if (result.kind !== "ok") throw new Error(`not completed: ${result.kind}`);
    expect(JSON.parse(result.body)).toMatchObject({ due: { date: "2026-12-28" }, completed: false });
    const [complete] = statements;
    expect(complete && statements).toHaveLength(1);
    if (!complete) return;
    expect(await callsOfOneComplete(complete, first.id, second.id)).toBe(1);
    expect(await json(await user.get(second.id))).toMatchObject({ due: { date: "2026-12-28" }, version: 2 });
  });
});

describe("undoing a completion", () => {
  it('{"completed": false} takes back the latest completion exactly: due, history, version on', async () => {
    const task = await addRecurring();
    const done = await json(await user.complete(task.id, undefined, { "If-Match": '"1"' }));
    const undone = await json(await user.complete(task.id, { completed: false }, { "If-Match": `"${done.version}"` }));
    expect(undone).toMatchObject({ due: monday, completions: [], completed: false, version: 3 });
    // The occurrence counts again: COUNT is not used up by an undone completion.
    const [row] = await sql<{ done: number }>("select recurrence_done as done from tasks where id = $1", [task.id]);
    expect(row?.done).toBe(0);
  });

  it("reopens a finished series at its last occurrence, and the toggle does the same", async () => {
    const task = await addRecurring({ recurrence: { rule: "FREQ=WEEKLY;COUNT=1", from: "due" } });
    const finished = await json(await user.complete(task.id));
    expect(finished).toMatchObject({ completed: true, due: monday });
    const reopened = await json(await user.complete(task.id));
    expect(reopened).toMatchObject({ completed: false, due: monday, completions: [] });
  });

  it("a repeated undo (same If-Match) takes back one completion only", async () => {
    const task = await addRecurring();
    await user.complete(task.id, undefined, { "If-Match": '"1"' });
    await user.complete(task.id, undefined, { "If-Match": '"2"' });
    expect((await user.complete(task.id, { completed: false }, { "If-Match": '"3"' })).status).toBe(200);
    expect((await user.complete(task.id, { completed: false }, { "If-Match": '"3"' })).status).toBe(412);
    const now = await json(await user.get(task.id));
    expect(now.due?.date).toBe("2026-12-14");
    expect(now.completions.map((c) => c.due?.date)).toEqual(["2026-12-07"]);
  });
});

describe("clear completed and its undo", () => {
  it("restores a finished series with its recurrence and history", async () => {
    const owner = await taskUser();
    const task = (await owner.add({
      title: "Once more",
      due: monday,
      recurrence: { rule: "FREQ=WEEKLY;COUNT=1", from: "due" },
    })) as TaskJson;
    await owner.complete(task.id);
    const { undo } = (await (await owner.clearCompleted()).json()) as { undo: string };
    const { tasks } = (await (await owner.restore(undo)).json()) as { tasks: TaskJson[] };
    expect(tasks[0]).toMatchObject({ recurrence: { rule: "FREQ=WEEKLY;COUNT=1", from: "due" }, completed: true });
    expect(tasks[0]?.completions.map((c) => c.due)).toEqual([monday]);
  });
});

describe("bulk completion", () => {
  it("leaves recurring tasks as they are: they are completed one occurrence at a time", async () => {
    const owner = await taskUser();
    const plain = await owner.add({ title: "Plain" });
    const recurring = (await owner.add({ title: "Weekly", due: monday, recurrence: weekly })) as TaskJson;
    const response = await owner.markAll(true);
    expect(await response.json()).toMatchObject({ updated: 1, ids: [plain.id] });
    expect((await json(await owner.get(recurring.id))).completed).toBe(false);
  });
});
