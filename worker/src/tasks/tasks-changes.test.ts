import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { recordedWrites } from "../../test/change-cursor.ts";
import { call } from "../../test/fixtures.ts";
import { roundTrips, sql } from "../../test/stand-in-control.ts";
import { type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";
import worker from "../index.ts";

interface Feed {
  changes: TaskJson[];
  deleted: string[];
  cursor: string;
  more: boolean;
}

async function changes(user: TaskUser, query = ""): Promise<Feed> {
  const response = await user.send(`/changes${query ? `?${query}` : ""}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Feed;
}

const since = (cursor: string, more = "") => `since=${encodeURIComponent(cursor)}${more}`;

/** The cursor the feed answers right now: where a client that has seen everything stands. */
async function now(user: TaskUser): Promise<string> {
  return (await changes(user)).cursor;
}

describe("GET /api/{userId}/tasks/changes", () => {
  it("answers everything without `since`, in the order of change, with the list's task shape", async () => {
    const user = await taskUser();
    const first = await user.add({ title: "First" });
    const second = await user.add({ title: "Second" });
    const renamed = (await (await user.patch(first.id, { title: "First, renamed" })).json()) as TaskJson;
    const feed = await changes(user);
    expect(feed.changes).toEqual([second, renamed]);
    expect(feed.deleted).toEqual([]);
    expect(feed.more).toBe(false);
    expect(typeof feed.cursor).toBe("string");
  });

  it("answers exactly the changes after a cursor, oldest first, deletes as tombstones", async () => {
    const user = await taskUser();
    const kept = await user.add({ title: "Kept" });
    const gone = await user.add({ title: "Gone" });
    const cursor = await now(user);
    expect(await changes(user, since(cursor))).toEqual({ changes: [], deleted: [], cursor, more: false });

    const created = await user.add({ title: "New" });
    expect((await user.remove(gone.id)).status).toBe(204);
    const done = (await (await user.complete(kept.id)).json()) as TaskJson;
    const feed = await changes(user, since(cursor));
    expect(feed.changes).toEqual([created, done]);
    expect(feed.deleted).toEqual([gone.id]);
    expect(feed.more).toBe(false);
    expect(await changes(user, since(feed.cursor))).toEqual({
      changes: [],
      deleted: [],
      cursor: feed.cursor,
      more: false,
    });
  });

  it("counts bulk marks, clears and restores as changes", async () => {
    const user = await taskUser();
    const a = await user.add({ title: "A" });
    const b = await user.add({ title: "B" });
    const start = await now(user);
    expect((await user.markAll(true)).status).toBe(200);
    const marked = await changes(user, since(start));
    expect(marked.changes.map((task) => [task.id, task.completed]).sort()).toEqual(
      [
        [a.id, true],
        [b.id, true],
      ].sort(),
    );
    const { undo } = (await (await user.clearCompleted()).json()) as { undo: string };
    const cleared = await changes(user, since(marked.cursor));
    expect(cleared.changes).toEqual([]);
    expect(cleared.deleted.sort()).toEqual([a.id, b.id].sort());
    expect((await user.restore(undo)).status).toBe(200);
    const restored = await changes(user, since(cleared.cursor));
    expect(restored.changes.map((task) => task.id).sort()).toEqual([a.id, b.id].sort());
    expect(restored.deleted).toEqual([]);
    // Read from before the clear, a restored task is changed, never deleted.
    const fromMarked = await changes(user, since(marked.cursor));
    expect(fromMarked.deleted).toEqual([]);
    expect(fromMarked.changes.map((task) => task.id).sort()).toEqual([a.id, b.id].sort());
  });

  it("never says deleted for a task created again under its id", async () => {
    const user = await taskUser();
    const start = await now(user);
    const task = await user.add({ title: "Again" });
    expect((await user.remove(task.id)).status).toBe(204);
    const again = await user.add({ id: task.id, title: "Again" });
    const feed = await changes(user, since(start));
    expect(feed.deleted).toEqual([]);
    expect(feed.changes).toEqual([again]);
  });

  it("does not advance for writes that change nothing", async () => {
    const user = await taskUser();
    const task = await user.add({ title: "Still" });
    const cursor = await now(user);
    expect((await user.patch(task.id, {})).status).toBe(200);
    expect((await user.create({ id: task.id, title: "Still" })).status).toBe(200);
    expect((await user.markAll(false)).status).toBe(200);
    expect((await user.clearCompleted()).status).toBe(200);
    expect((await user.patch(task.id, { title: "x" }, { "If-Match": '"9"' })).status).toBe(412);
    expect((await user.remove(crypto.randomUUID())).status).toBe(404);
    expect(await changes(user, since(cursor))).toEqual({ changes: [], deleted: [], cursor, more: false });
  });

  it("pages with `more`, every change once, one database round trip per page", async () => {
    const user = await taskUser();
    const start = await now(user);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await user.add({ title: `Task ${i}` })).id);
    const bulk = await user.add({ title: "Bulk" });
    expect((await user.markAll(true)).status).toBe(200); // six tasks in one change
    expect((await user.remove(made[0] as string)).status).toBe(204);

    const seen: string[] = [];
    let cursor = start;
    let pages = 0;
    for (;;) {
      const before = await roundTrips();
      const page = await changes(user, since(cursor, "&limit=4"));
      expect(await roundTrips()).toBe(before + 1);
      expect(page.changes.length + page.deleted.length).toBeLessThanOrEqual(4);
      seen.push(...page.changes.map((task) => task.id), ...page.deleted.map((id) => `deleted ${id}`));
      cursor = page.cursor;
      pages++;
      if (!page.more) break;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen.sort()).toEqual([...made.slice(1), bulk.id, `deleted ${made[0]}`].sort());
  });

  it("keeps every write one database round trip", async () => {
    const user = await taskUser();
    const count = async (write: () => Promise<Response>) => {
      const before = await roundTrips();
      const response = await write();
      expect(response.status).toBeLessThan(300);
      return (await roundTrips()) - before;
    };
    const task = await user.add();
    expect(await count(() => user.create({ title: "One" }))).toBe(1);
    expect(await count(() => user.patch(task.id, { title: "Two" }))).toBe(1);
    expect(await count(() => user.put(task.id, { title: "Three" }))).toBe(1);
    expect(await count(() => user.complete(task.id))).toBe(1);
    expect(await count(() => user.markAll(false))).toBe(1);
    const { undo } = (await (await user.clearCompleted()).clone().json()) as { undo: string };
    expect(await count(() => user.restore(undo))).toBe(1);
    expect(await count(() => user.clearCompleted())).toBe(1);
    expect(await count(() => user.remove(task.id))).toBe(1);
  });

  it("never lets a reader pass a change that commits later (writes racing reads)", async () => {
    const user = await taskUser();
    const seeds = await Promise.all([1, 2, 3, 4].map((n) => user.add({ title: `Seed ${n}` })));
    const replica = new Map<string, TaskJson>();
    let cursor: string | undefined;
    const syncOnce = async () => {
      for (;;) {
        const feed = await changes(user, cursor === undefined ? "limit=5" : since(cursor, "&limit=5"));
        for (const task of feed.changes) replica.set(task.id, task);
        for (const id of feed.deleted) replica.delete(id);
        cursor = feed.cursor;
        if (!feed.more) return;
      }
    };
    let writing = true;
    const reader = (async () => {
      while (writing) await syncOnce();
    })();
    const [first, second, third, fourth] = seeds as [TaskJson, TaskJson, TaskJson, TaskJson];
    const answers = await Promise.all([
      ...[1, 2, 3, 4, 5, 6].map((n) => user.create({ title: `Racing ${n}` })),
      user.patch(first.id, { title: "Renamed while racing" }),
      user.complete(second.id),
      user.remove(third.id),
      user.complete(fourth.id),
      user.markAll(true),
      user.patch(first.id, { priority: "high" }),
    ]);
    writing = false;
    await reader;
    expect(answers.map((response) => response.status).filter((status) => status >= 300)).toEqual([]);
    await syncOnce();
    const listed = (await (await user.list("limit=100")).json()) as TaskJson[];
    expect(Object.fromEntries(replica)).toEqual(Object.fromEntries(listed.map((task) => [task.id, task])));
  });

  it("answers 400 for a cursor it did not issue and for a bad limit", async () => {
    const user = await taskUser();
    for (const query of ["since=nonsense", "since=", `since=${btoa("{}")}`, "limit=0", "limit=501", "other=1"]) {
      const response = await user.send(`/changes?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    }
  });

  it("answers 410 to sync from scratch once tombstones it needs were pruned by the Cron Trigger", async () => {
    const user = await taskUser();
    const other = await taskUser();
    const task = await user.add();
    const old = await now(user);
    expect((await user.remove(task.id)).status).toBe(204);
    const afterDelete = await now(user);
    const kept = await other.add();
    const otherCursor = await now(other);
    expect((await other.remove(kept.id)).status).toBe(204);
    await sql("update task_tombstones set deleted_at = now() - interval '31 days' where user_id = $1", [user.id]);

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/30 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    expect(await sql("select task_id from task_tombstones where user_id = $1", [user.id])).toEqual([]);
    const response = await user.send(`/changes?${since(old)}`);
    expect(response.status).toBe(410);
    expect(await response.json()).toMatchObject({ code: "sync_from_scratch" });
    // A client that already saw the delete, and another person's recent tombstones, are unaffected.
    expect((await changes(user, since(afterDelete))).deleted).toEqual([]);
    expect((await changes(other, since(otherCursor))).deleted).toEqual([kept.id]);
  });

  it("prunes old list tombstones too, and a cursor from before them is then told to sync from scratch", async () => {
    const user = await taskUser();
    const lists = `/api/${user.id}/lists`;
    const made = await call(lists, { token: user.token, method: "POST", body: { name: "Groceries" } });
    expect(made.status).toBe(201);
    const list = (await made.json()) as { id: string };
    const old = await now(user);
    expect((await call(`${lists}/${list.id}?tasks=move`, { token: user.token, method: "DELETE" })).status).toBe(200);
    const afterDelete = await now(user);
    await sql("update list_tombstones set deleted_at = now() - interval '31 days' where user_id = $1", [user.id]);

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/30 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    expect(await sql("select list_id from list_tombstones where user_id = $1", [user.id])).toEqual([]);
    expect((await user.send(`/changes?${since(old)}`)).status).toBe(410);
    expect((await user.send(`/changes?${since(afterDelete)}`)).status).toBe(200);
  });

  it("lets a full sync page past old changes after tombstones were pruned (it never had those tasks)", async () => {
    const user = await taskUser();
    const made = [
      await user.add({ title: "One" }),
      await user.add({ title: "Two" }),
      await user.add({ title: "Three" }),
    ];
    const gone = await user.add({ title: "Gone" });
    expect((await user.remove(gone.id)).status).toBe(204);
    await sql("update task_tombstones set deleted_at = now() - interval '31 days' where user_id = $1", [user.id]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/30 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    const seen: string[] = [];
    let page = await changes(user, "limit=1");
    seen.push(...page.changes.map((task) => task.id));
    while (page.more) {
      page = await changes(user, since(page.cursor, "&limit=1"));
      seen.push(...page.changes.map((task) => task.id));
    }
    expect(seen).toEqual(made.map((task) => task.id));
  });

  it("refuses another person's feed", async () => {
    const user = await taskUser();
    const other = await taskUser();
    expect((await call(`/api/${other.id}/tasks/changes`, { token: user.token })).status).toBe(403);
  });
});

describe("the hand-off to the live channel (`changeCursor`)", () => {
  const { write: send, lastHandedOff } = recordedWrites();
  async function write(user: TaskUser, path: string, method: string, body?: unknown) {
    const { response, cursor } = await send(user.token, `${user.base}${path}`, method, body);
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    return { response, cursor };
  }

  it("is the feed's cursor after every write that changed something, and absent otherwise", async () => {
    const user = await taskUser();
    const task = await user.add({ title: "Handed off" });
    const changedWrites: [string, string, unknown?][] = [
      ["", "POST", { title: "Another" }],
      [`/${task.id}`, "PATCH", { title: "Patched" }],
      [`/${task.id}`, "PUT", { title: "Put" }],
      [`/${task.id}/complete`, "PATCH"],
      ["", "PATCH", { completed: true }],
    ];
    for (const [path, method, body] of changedWrites) {
      const { cursor } = await write(user, path, method, body);
      expect(cursor, `${method} ${path}`).toBe(await now(user));
    }
    const { response } = await write(user, "?status=completed", "DELETE");
    const { undo } = (await response.json()) as { undo: string };
    expect(lastHandedOff()).toBe(await now(user));
    expect((await write(user, "/restore", "POST", { undo })).cursor).toBe(await now(user));
    expect((await write(user, `/${task.id}`, "DELETE")).cursor).toBe(await now(user));

    const unchanged: [string, string, unknown?][] = [
      ["", "PATCH", { completed: true }],
      ["?status=completed&q=nothing-matches", "DELETE"],
      ["/restore", "POST", { undo }],
      ["", "GET"],
      ["/changes", "GET"],
    ];
    for (const [path, method, body] of unchanged) {
      expect((await write(user, path, method, body)).cursor, `${method} ${path}`).toBeUndefined();
    }
  });
});
