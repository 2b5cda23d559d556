import { describe, expect, it } from "vitest";
import { recordedWrites } from "../../test/change-cursor.ts";
import { call } from "../../test/fixtures.ts";
import { roundTrips, sql } from "../../test/stand-in-control.ts";
import { type ListJson, type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";

type Task = TaskJson & { list: string };

interface Feed {
  changes: Task[];
  deleted: string[];
  lists?: ListJson[];
  deletedLists?: string[];
  cursor: string;
  more: boolean;
}

/** A task user with a small client for the list routes too. */
async function listUser() {
  const user = await taskUser();
  const lists = `/api/${user.id}/lists`;
  const send = (path: string, options: Parameters<typeof call>[1] = {}) =>
    call(`${lists}${path}`, { token: user.token, ...options });
  return {
    ...user,
    lists,
    sendList: send,
    async all(): Promise<ListJson[]> {
      const response = await send("");
      expect(response.status).toBe(200);
      return (await response.json()) as ListJson[];
    },
    async inbox(): Promise<ListJson> {
      const inbox = (await this.all()).find((list) => list.inbox);
      if (!inbox) throw new Error("no Inbox");
      return inbox;
    },
    async addList(body: Record<string, unknown> = {}): Promise<ListJson> {
      const response = await send("", { method: "POST", body: { name: "A list", ...body } });
      expect(response.status, await response.clone().text()).toBe(201);
      return (await response.json()) as ListJson;
    },
    async feed(since?: string): Promise<Feed> {
      const response = await user.send(`/changes${since ? `?since=${encodeURIComponent(since)}` : ""}`);
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as Feed;
    },
  };
}
type ListUser = Awaited<ReturnType<typeof listUser>>;

async function addTask(user: TaskUser, body: Record<string, unknown>): Promise<Task> {
  return (await user.add(body)) as Task;
}

describe("lists", () => {
  it("every new account has one Inbox, and a task without a list goes into it", async () => {
    const user = await listUser();
    const lists = await user.all();
    expect(lists).toHaveLength(1);
    expect(lists[0]).toMatchObject({ name: "Inbox", inbox: true, colour: "grey", position: "a0", version: 1 });
    const task = await addTask(user, { title: "Somewhere" });
    expect(task.list).toBe(lists[0]?.id);
  });

  it("creates, reads, renames, recolours and reorders a list, with ETags and If-Match", async () => {
    const user = await listUser();
    const created = await user.addList({ name: "  Groceries  ", colour: "green" });
    expect(created).toMatchObject({ name: "Groceries", colour: "green", inbox: false, version: 1 });
    expect(created.position > "a0").toBe(true);

    const got = await user.sendList(`/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("etag")).toBe('"1"');
    expect(await got.json()).toEqual(created);

    const renamed = await user.sendList(`/${created.id}`, {
      method: "PATCH",
      body: { name: "Food", colour: "red" },
      headers: { "If-Match": '"1"' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get("etag")).toBe('"2"');
    expect(await renamed.json()).toMatchObject({ name: "Food", colour: "red", version: 2 });

    const stale = await user.sendList(`/${created.id}`, {
      method: "PATCH",
      body: { name: "Lost" },
      headers: { "If-Match": '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("content-type")).toBe("application/problem+json");
    expect(stale.headers.get("etag")).toBe('"2"');

    // Moving a list before the Inbox changes that list only.
    const moved = await user.sendList(`/${created.id}`, { method: "PATCH", body: { position: "Zz" } });
    expect(moved.status).toBe(200);
    const order = await user.all();
    expect(order.map((list) => list.name)).toEqual(["Food", "Inbox"]);
    expect(order[1]?.version).toBe(1);
  });

  it("a list created without a position goes after the last one", async () => {
    const user = await listUser();
    const first = await user.addList({ name: "One" });
    const second = await user.addList({ name: "Two" });
    const third = await user.addList({ name: "Three", position: "a5" });
    const fourth = await user.addList({ name: "Four" });
    expect((await user.all()).map((list) => list.id)).toEqual([
      (await user.inbox()).id,
      first.id,
      second.id,
      third.id,
      fourth.id,
    ]);
  });

  it("a create with the client's id is idempotent; another body under it is 409", async () => {
    const user = await listUser();
    const id = crypto.randomUUID();
    const first = await user.addList({ id, name: "Work" });
    const again = await user.sendList("", { method: "POST", body: { id, name: "Work" } });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    const other = await user.sendList("", { method: "POST", body: { id, name: "Play" } });
    expect(other.status).toBe(409);
    expect(await user.all()).toHaveLength(2);
  });

  it("refuses bad input with 400 or 422, never 500", async () => {
    const user = await listUser();
    const inbox = await user.inbox();
    const bodies: unknown[] = [
      {},
      { name: "" },
      { name: "   " },
      { name: "x".repeat(101) },
      { name: 5 },
      { name: "Ok", colour: "teal" },
      { name: "Ok", position: "" },
      { name: "Ok", position: "a0 " },
      { name: "Ok", position: "a00" },
      { name: "Ok", position: "!" },
      { name: "Ok", id: "not-a-uuid" },
      { name: "a\u0000b" },
    ];
    for (const body of bodies) {
      const response = await user.sendList("", { method: "POST", body });
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await user.sendList("/not-a-uuid")).status).toBe(400);
    expect((await user.sendList(`/${inbox.id}`, { method: "PATCH", body: { colour: "teal" } })).status).toBe(422);
    expect((await user.sendList(`/${inbox.id}`, { method: "PATCH", body: { name: null } })).status).toBe(422);
    const withoutMode = await user.sendList(`/${inbox.id}`, { method: "DELETE" });
    expect(withoutMode.status).toBe(400);
    expect(((await withoutMode.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("tasks");
    expect((await user.sendList(`/${inbox.id}?tasks=archive`, { method: "DELETE" })).status).toBe(400);
    expect((await user.sendList(`/${inbox.id}?tasks=move&x=1`, { method: "DELETE" })).status).toBe(400);
    expect(await user.all()).toEqual([inbox]);
  });

  it("the Inbox cannot be deleted, in either mode; it can be renamed", async () => {
    const user = await listUser();
    const inbox = await user.inbox();
    const task = await addTask(user, { title: "Stays" });
    for (const mode of ["move", "delete"]) {
      const response = await user.sendList(`/${inbox.id}?tasks=${mode}`, { method: "DELETE" });
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ code: "inbox_undeletable" });
    }
    expect(await user.all()).toEqual([inbox]);
    expect((await user.get(task.id)).status).toBe(200);
    const renamed = await user.sendList(`/${inbox.id}`, { method: "PATCH", body: { name: "Eingang" } });
    expect(await renamed.json()).toMatchObject({ name: "Eingang", inbox: true });
  });

  it("tasks go into a list, are filtered by it, and cannot go into an unknown list", async () => {
    const user = await listUser();
    const inbox = await user.inbox();
    const work = await user.addList({ name: "Work" });
    const report = await addTask(user, { title: "Report", list: work.id });
    const milk = await addTask(user, { title: "Milk" });
    expect(report.list).toBe(work.id);
    expect(milk.list).toBe(inbox.id);

    const inWork = await user.list(`list=${work.id}`);
    expect(((await inWork.json()) as Task[]).map((task) => task.id)).toEqual([report.id]);
    expect(inWork.headers.get("x-total-count")).toBe("1");
    expect((await user.list("list=nope")).status).toBe(400);

    const moved = await user.patch(milk.id, { list: work.id });
    expect(((await moved.json()) as Task).list).toBe(work.id);
    const back = await user.patch(milk.id, { list: null });
    expect(((await back.json()) as Task).list).toBe(inbox.id);
    const replaced = await user.put(report.id, { title: "Report" });
    expect(((await replaced.json()) as Task).list).toBe(inbox.id);

    for (const attempt of [
      () => user.create({ title: "Nowhere", list: crypto.randomUUID() }),
      () => user.patch(milk.id, { list: crypto.randomUUID() }),
      () => user.put(milk.id, { title: "Milk", list: crypto.randomUUID() }),
    ]) {
      const response = await attempt();
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ code: "validation_failed", errors: [{ path: "list" }] });
    }
  });

  it("the bulk routes take ?list=", async () => {
    const user = await listUser();
    const work = await user.addList({ name: "Work" });
    const a = await addTask(user, { title: "a", list: work.id });
    const b = await addTask(user, { title: "b" });
    const marked = await user.send(`?list=${work.id}`, { method: "PATCH", body: { completed: true } });
    expect(await marked.json()).toMatchObject({ updated: 1, ids: [a.id] });
    await user.complete(b.id);
    const cleared = await user.clearCompleted(`list=${work.id}`);
    expect(await cleared.json()).toMatchObject({ deleted: 1, ids: [a.id] });
    expect((await user.get(b.id)).status).toBe(200);
  });

  it("deleting a list with ?tasks=move puts its tasks in the Inbox, and the feed says so", async () => {
    const user = await listUser();
    const inbox = await user.inbox();
    const work = await user.addList({ name: "Work" });
    const kept = await addTask(user, { title: "Kept", list: work.id });
    const other = await addTask(user, { title: "Elsewhere" });
    const cursor = (await user.feed()).cursor;

    const before = await roundTrips();
    const response = await user.sendList(`/${work.id}?tasks=move`, { method: "DELETE" });
    expect(await roundTrips()).toBe(before + 1);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ moved: 1, deleted: 0 });
    expect((await user.sendList(`/${work.id}`)).status).toBe(404);

    const task = (await (await user.get(kept.id)).json()) as Task;
    expect(task).toMatchObject({ list: inbox.id, version: kept.version + 1 });
    const feed = await user.feed(cursor);
    expect(feed.changes).toEqual([task]);
    expect(feed.deleted).toEqual([]);
    expect(feed.deletedLists).toEqual([work.id]);
    expect(feed.lists).toBeUndefined();
    expect(((await (await user.get(other.id)).json()) as Task).version).toBe(other.version);
  });

  it("a change queued offline for a list deleted since (on another device) lands in the Inbox, not refused", async () => {
    const user = await listUser();
    const inbox = await user.inbox();
    const groceries = await user.addList({ name: "Groceries" });
    const milk = await addTask(user, { title: "Milk" });
    expect((await user.sendList(`/${groceries.id}?tasks=move`, { method: "DELETE" })).status).toBe(200);

    // What a phone sends on reconnecting: a create and a move made while the list still existed there.
    const created = await user.create({ id: crypto.randomUUID(), title: "Eggs", list: groceries.id });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(((await created.json()) as Task).list).toBe(inbox.id);
    const moved = await user.patch(milk.id, { list: groceries.id });
    expect(moved.status).toBe(200);
    expect(((await moved.json()) as Task).list).toBe(inbox.id);

    // Another person's list id is still refused like an unknown one (no oracle).
    const other = await listUser();
    const theirs = await other.addList({ name: "Theirs" });
    expect((await user.create({ title: "Nope", list: theirs.id })).status).toBe(422);
  });

  it("deleting a list with ?tasks=delete deletes its tasks, which the feed shows as tombstones", async () => {
    const user = await listUser();
    const work = await user.addList({ name: "Work" });
    const gone = await addTask(user, { title: "Gone", list: work.id });
    const kept = await addTask(user, { title: "Kept" });
    const cursor = (await user.feed()).cursor;

    const stale = await user.sendList(`/${work.id}?tasks=delete`, { method: "DELETE", headers: { "If-Match": '"7"' } });
    expect(stale.status).toBe(412);
    expect((await user.get(gone.id)).status).toBe(200);

    const response = await user.sendList(`/${work.id}?tasks=delete`, {
      method: "DELETE",
      headers: { "If-Match": '"1"' },
    });
    expect(await response.json()).toEqual({ moved: 0, deleted: 1 });
    expect((await user.get(gone.id)).status).toBe(404);
    expect((await user.get(kept.id)).status).toBe(200);
    const feed = await user.feed(cursor);
    expect(feed).toMatchObject({ changes: [], deleted: [gone.id], deletedLists: [work.id], more: false });
    // Deleting it again: it is gone.
    expect((await user.sendList(`/${work.id}?tasks=delete`, { method: "DELETE" })).status).toBe(404);
  });

  it("a cleared task restored after its list was deleted comes back in the Inbox; in its list while it exists", async () => {
    const user = await listUser();
    const inbox = await user.inbox();
    const work = await user.addList({ name: "Work" });
    const kept = await user.addList({ name: "Kept" });
    const gone = await addTask(user, { title: "Done at work", list: work.id, completed: true });
    const stays = await addTask(user, { title: "Done, kept", list: kept.id, completed: true });
    const cleared = (await (await user.clearCompleted()).json()) as { undo: string };
    expect((await user.sendList(`/${work.id}?tasks=move`, { method: "DELETE" })).status).toBe(200);
    const restored = await user.restore(cleared.undo);
    expect(restored.status).toBe(200);
    const { tasks } = (await restored.json()) as { tasks: Task[] };
    expect(Object.fromEntries(tasks.map((task) => [task.id, task.list]))).toEqual({
      [gone.id]: inbox.id,
      [stays.id]: kept.id,
    });
  });

  it("a task inserted without a list (by hand, a seed script) is in its owner's Inbox", async () => {
    const user = await listUser();
    const inbox = await user.inbox();
    const id = crypto.randomUUID();
    await sql("insert into tasks (id, user_id, title) values ($1, $2, 'By hand')", [id, user.id]);
    expect(((await (await user.get(id)).json()) as Task).list).toBe(inbox.id);
  });

  it("the feed carries every list on a full sync and changed lists after a cursor", async () => {
    const user = await listUser();
    const full = await user.feed();
    expect(full.lists?.map((list) => list.name)).toEqual(["Inbox"]);
    const work = await user.addList({ name: "Work" });
    const after = await user.feed(full.cursor);
    expect(after.lists).toEqual([work]);
    const quiet = await user.feed(after.cursor);
    expect(quiet).toEqual({ changes: [], deleted: [], cursor: after.cursor, more: false });
  });

  it("each list route is one database round trip", async () => {
    const user: ListUser = await listUser();
    const list = await user.addList({ name: "Counted" });
    const cases: [string, Parameters<typeof call>[1]][] = [
      ["", {}],
      ["", { method: "POST", body: { name: "Another" } }],
      [`/${list.id}`, {}],
      [`/${list.id}`, { method: "PATCH", body: { name: "Renamed" } }],
      [`/${list.id}?tasks=delete`, { method: "DELETE" }],
    ];
    for (const [path, options] of cases) {
      const before = await roundTrips();
      const response = await user.sendList(path, options);
      expect(response.status, `${options?.method ?? "GET"} ${path}`).toBeLessThan(300);
      expect(await roundTrips(), `${options?.method ?? "GET"} ${path}`).toBe(before + 1);
    }
  });

  it("the migration gave every existing account an Inbox (the trigger for new ones)", async () => {
    await listUser();
    const [row] = await sql<{ missing: string }>(
      `select count(*)::text as missing from "user" u where not exists (select 1 from lists l where l.user_id = u.id and l.inbox)`,
    );
    expect(row?.missing).toBe("0");
  });
});

describe("list writes on the live channel (`changeCursor`)", () => {
  const { write: send } = recordedWrites();
  async function write(
    user: ListUser,
    path: string,
    method: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ) {
    const { response, cursor } = await send(user.token, `${user.lists}${path}`, method, body, extra);
    return { status: response.status, cursor };
  }

  it("every list write that changed something hands the feed's new cursor to the live channel; others none", async () => {
    const user = await listUser();
    const id = crypto.randomUUID();
    const created = await write(user, "", "POST", { id, name: "Live" });
    expect(created.status).toBe(201);
    expect(created.cursor).toBe((await user.feed()).cursor);
    expect((await write(user, `/${id}`, "PATCH", { colour: "blue" })).cursor).toBe((await user.feed()).cursor);
    const unchanged: [string, string, unknown?, Record<string, string>?][] = [
      ["", "POST", { id, name: "Live" }],
      [`/${id}`, "PATCH", {}],
      [`/${id}`, "PATCH", { name: "Stale" }, { "If-Match": '"1"' }],
      [`/${id}?tasks=delete`, "DELETE", undefined, { "If-Match": '"1"' }],
      ["", "GET"],
    ];
    for (const [path, method, body, extra] of unchanged) {
      const result = await write(user, path, method, body, extra);
      expect(result.status, `${method} ${path}`).toBeLessThan(413);
      expect(result.cursor, `${method} ${path}`).toBeUndefined();
    }
    expect((await write(user, `/${id}?tasks=move`, "DELETE")).cursor).toBe((await user.feed()).cursor);
  });
});
