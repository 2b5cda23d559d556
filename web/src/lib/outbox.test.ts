import { onlineManager } from "@tanstack/react-query";
import { del, get, set } from "idb-keyval";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeServer, fakeInbox, makeTask, userId } from "../test/fake-server.ts";
import type { List, NewTask } from "./api-client.ts";
import { applyChanges, applyListChanges, Outbox, type Refusal } from "./outbox.ts";
import { outboxStorageKey } from "./outbox-storage.ts";

/** Opens the person's outboxes for one test (each a tab, or a page's queue); stops them and goes back online after it. */
function outboxesOfTheTest() {
  const opened: Outbox[] = [];
  const refusals: Refusal[] = [];
  afterEach(async () => {
    // Each tab lets go of its lock before the test ends (the lock manager works on after a bare stop()).
    await Promise.all(opened.splice(0).map((outbox) => outbox.stop()));
    refusals.length = 0;
    onlineManager.setOnline(true);
  });
  const open = () => {
    const outbox = new Outbox(userId, (refusal) => refusals.push(refusal));
    opened.push(outbox);
    return outbox;
  };
  return { open, refusals };
}

/**
 * Two tabs of one person in one browser: each is an Outbox over the same IndexedDB. No change
 * may be sent twice (an update sent again with its old If-Match would meet a false conflict)
 * or lost, however the tabs are opened, closed and reloaded (issue 14).
 */
describe("the queue in two tabs", () => {
  const { open: tab, refusals } = outboxesOfTheTest();

  it("sends a queue left by a closed tab exactly once when two tabs open at the same time", async () => {
    const task = makeTask({ title: "Plan the trip" });
    const api = new FakeServer([task]).install();
    onlineManager.setOnline(false);
    const closed = tab();
    await closed.loaded;
    closed.add({
      kind: "patch",
      taskId: task.id,
      patch: { title: "Plan it" },
      before: { title: task.title },
      version: 1,
    });
    closed.add({
      kind: "patch",
      taskId: task.id,
      patch: { title: "Plan the trip to Rome" },
      before: { title: "Plan it" },
      version: 1,
    });
    await closed.persistedNow();
    closed.stop();

    const [first, second] = [tab(), tab()];
    await Promise.all([first.loaded, second.loaded]);
    onlineManager.setOnline(true);
    await Promise.all([first.settled(), second.settled()]);

    expect(api.calls("PATCH", /\/tasks\/[^/]+$/).map((call) => call.body)).toEqual([
      { title: "Plan it" },
      { title: "Plan the trip to Rome" },
    ]);
    expect(api.find(task.id)?.title).toBe("Plan the trip to Rome");
    expect([first.conflict(), second.conflict()]).toEqual([undefined, undefined]);
    expect(refusals).toEqual([]);
  });

  it("keeps each open tab's changes apart, and a reloaded tab's changes are sent once by whoever holds them", async () => {
    const [a, b] = [makeTask({ title: "A" }), makeTask({ title: "B" })];
    const api = new FakeServer([a, b]).install();
    onlineManager.setOnline(false);
    const left = tab();
    const right = tab();
    await Promise.all([left.loaded, right.loaded]);
    left.add({ kind: "complete", taskId: a.id, completed: true, version: 1 });
    right.add({ kind: "patch", taskId: b.id, patch: { title: "B2" }, before: { title: "B" }, version: 1 });
    await Promise.all([left.persistedNow(), right.persistedNow()]);
    // The left tab reloads while offline: its queue is picked up by the new page, or by the right tab.
    left.stop();
    const reloaded = tab();
    await reloaded.loaded;
    onlineManager.setOnline(true);
    // The left tab's change is taken over by the new page or by the right tab, once the left tab's lock is free.
    await vi.waitFor(
      () => {
        expect(api.find(a.id)?.completed).toBe(true);
        expect(api.find(b.id)?.title).toBe("B2");
      },
      { timeout: 10_000 },
    );
    await Promise.all([reloaded.settled(), right.settled()]);

    expect(api.calls("PATCH", /\/complete$/)).toHaveLength(1);
    expect(api.calls("PATCH", /\/tasks\/[^/]+$/)).toHaveLength(1);
    expect(api.find(a.id)?.completed).toBe(true);
    expect(api.find(b.id)?.title).toBe("B2");
    expect(refusals).toEqual([]);
  });
});

/**
 * IndexedDB's write of the queue may not land before the page goes (a change made, then an
 * immediate reload or closed tab; seen in Chromium): each tab's queue is also written at once to
 * localStorage, and the next page takes it over from there.
 */
describe("a queue whose page went before IndexedDB stored it", () => {
  const { open: tab, refusals } = outboxesOfTheTest();

  it("is sent by the next page, each change once, in order", async () => {
    const task = makeTask({ title: "Plan the trip" });
    const api = new FakeServer([task]).install();
    onlineManager.setOnline(false);
    const first = tab();
    await first.loaded;
    const created: NewTask = {
      id: crypto.randomUUID(),
      title: "Book the flights",
      description: "",
      priority: "none",
      due: null,
      tags: [],
    };
    first.add({ kind: "create", taskId: created.id as string, task: created });
    first.add({
      kind: "patch",
      taskId: task.id,
      patch: { title: "Plan it" },
      before: { title: task.title },
      version: 1,
    });
    await first.persistedNow();
    first.stop();
    // The page went before its writes landed: IndexedDB holds no queue.
    await del(outboxStorageKey(userId));

    onlineManager.setOnline(true);
    const next = tab();
    await next.loaded;
    expect(next.list().map((change) => change.kind)).toEqual(["create", "patch"]);
    expect(await next.settled()).toBe(true);
    expect(api.find(created.id as string)?.title).toBe("Book the flights");
    expect(api.find(task.id)?.title).toBe("Plan it");
    // A later page finds nothing left to send.
    const third = tab();
    await third.loaded;
    expect(third.list()).toEqual([]);
    expect(await third.settled()).toBe(true);
    expect(api.calls("POST", /\/tasks$/)).toHaveLength(1);
    expect(api.calls("PATCH", /\/tasks\/[^/]+$/)).toHaveLength(1);
    expect(refusals).toEqual([]);
  });

  it("is not sent twice when IndexedDB held an older copy: what was sent since is not sent again", async () => {
    const task = makeTask({ title: "Plan the trip" });
    const api = new FakeServer([task]).install();
    onlineManager.setOnline(false);
    const first = tab();
    await first.loaded;
    const toggle = first.add({ kind: "complete", taskId: task.id, completed: true, version: 1 });
    await first.persistedNow();
    // IndexedDB stored the queue with the toggle in it, then the toggle was saved; that write never landed.
    const stale = await get(outboxStorageKey(userId));
    expect(Object.values(stale ?? {}).flat()).toHaveLength(1);
    onlineManager.setOnline(true);
    expect(await toggle.outcome).toBe("saved");
    await first.persistedNow();
    first.stop();
    await set(outboxStorageKey(userId), stale);

    const next = tab();
    await next.loaded;
    expect(next.list()).toEqual([]);
    expect(await next.settled()).toBe(true);
    expect(api.calls("PATCH", /\/complete$/)).toHaveLength(1);
    expect(refusals).toEqual([]);
  });
});

/**
 * List writes go through the same queue as task changes (docs/web.md "Lists"): in order, a
 * create under its client id, the rest with `If-Match`; a list deletion is held while its Undo
 * is offered.
 */
describe("list changes in the queue", () => {
  const { open: queue, refusals } = outboxesOfTheTest();
  const groceries = (fields: Partial<List> = {}): List => ({
    ...fakeInbox,
    id: crypto.randomUUID(),
    name: "Groceries",
    position: "a1",
    inbox: false,
    ...fields,
  });

  it("sends a list made offline before a task made into it, each once", async () => {
    const api = new FakeServer().install();
    onlineManager.setOnline(false);
    const outbox = queue();
    await outbox.loaded;
    const listId = crypto.randomUUID();
    outbox.add({
      kind: "list-create",
      listId,
      list: { id: listId, name: "Trip", colour: "blue", position: "a1" },
    });
    const taskId = crypto.randomUUID();
    const task = { id: taskId, title: "Tickets", description: "", priority: "none", due: null, tags: [], list: listId };
    outbox.add({ kind: "create", taskId, task: task as NewTask });
    expect(applyListChanges({ [fakeInbox.id]: { ...fakeInbox } }, outbox.list())?.[listId]?.name).toBe("Trip");
    onlineManager.setOnline(true);
    expect(await outbox.settled()).toBe(true);

    expect(api.requests.filter((r) => r.method === "POST").map((r) => r.path)).toEqual([
      `/api/${userId}/lists`,
      `/api/${userId}/tasks`,
    ]);
    expect(api.findList(listId)?.name).toBe("Trip");
    expect(api.find(taskId)?.list).toBe(listId);
    expect(refusals).toEqual([]);
  });

  /** "Groceries" renamed "Food" here on version 1 while another device changed `elsewhere`; the queue settled. */
  async function renameOnStaleVersion(elsewhere: Parameters<FakeServer["changeListElsewhere"]>[1]) {
    const list = groceries();
    const api = new FakeServer([], [list]).install();
    api.changeListElsewhere(list.id, elsewhere);
    const outbox = queue();
    await outbox.loaded;
    outbox.add({
      kind: "list-patch",
      listId: list.id,
      patch: { name: "Food" },
      before: { name: "Groceries" },
      version: 1,
    });
    expect(await outbox.settled()).toBe(true);
    return { list, api };
  }

  it("a rename made on a stale version merges: the other device's colour stays, the new name is sent on its version", async () => {
    const { list, api } = await renameOnStaleVersion({ colour: "red" });

    const patches = api.calls("PATCH", /\/lists\/[^/]+$/);
    expect(patches.map((call) => [call.headers.get("If-Match"), call.body])).toEqual([
      ['"1"', { name: "Food" }],
      ['"2"', { name: "Food" }],
    ]);
    expect(api.findList(list.id)).toMatchObject({ name: "Food", colour: "red", version: 3 });
    expect(refusals).toEqual([]);
  });

  it("a name both devices changed keeps the server's, and the person is told", async () => {
    const { list, api } = await renameOnStaleVersion({ name: "Shopping" });

    expect(api.calls("PATCH", /\/lists\/[^/]+$/)).toHaveLength(1);
    expect(api.findList(list.id)?.name).toBe("Shopping");
    expect(refusals.map((r) => r.overruled)).toEqual([{ list: api.findList(list.id), fields: ["name"] }]);
  });

  it("a change to a list deleted elsewhere is dropped and handed back", async () => {
    const api = new FakeServer().install();
    const outbox = queue();
    await outbox.loaded;
    const listId = crypto.randomUUID();
    outbox.add({ kind: "list-patch", listId, patch: { name: "Food" }, before: { name: "Groceries" }, version: 1 });
    expect(await outbox.settled()).toBe(true);
    expect(api.calls("PATCH", /\/lists\//)).toHaveLength(1);
    expect(refusals.map((r) => [r.change.kind, (r.error as { code?: string }).code])).toEqual([
      ["list-patch", "list_not_found"],
    ]);
  });

  it("a list deletion withdrawn by Undo while held sends nothing; released, it is sent once", async () => {
    const list = groceries();
    const api = new FakeServer([makeTask({ title: "Milk", list: list.id })], [list]).install();
    const outbox = queue();
    await outbox.loaded;
    const first = outbox.add({ kind: "list-delete", listId: list.id, tasks: "delete", version: 1, held: true });
    // Held: what comes after waits too, so nothing overtakes it.
    await outbox.drain();
    expect(applyChanges(Object.fromEntries(api.tasks.map((t) => [t.id, t])), outbox.list())).toEqual([]);
    expect(outbox.withdraw(first.opId)).toBe(true);
    expect(await first.outcome).toBe("refused");
    expect(await outbox.settled()).toBe(true);
    expect(api.calls("DELETE", /\/lists\//)).toEqual([]);
    expect(api.findList(list.id)).toBeDefined();

    const second = outbox.add({ kind: "list-delete", listId: list.id, tasks: "delete", version: 1, held: true });
    await outbox.drain();
    expect(api.calls("DELETE", /\/lists\//)).toEqual([]);
    outbox.release(second.opId);
    expect(await second.outcome).toBe("saved");
    expect(api.calls("DELETE", /\/lists\//).map((call) => call.search.get("tasks"))).toEqual(["delete"]);
    expect(api.findList(list.id)).toBeUndefined();
    expect(api.tasks).toEqual([]);
  });

  it("a deletion still held when its page went is not sent by the next one: its Undo may have withdrawn it", async () => {
    const list = groceries();
    const api = new FakeServer([], [list]).install();
    const closed = queue();
    await closed.loaded;
    closed.add({ kind: "list-delete", listId: list.id, tasks: "move", version: 1, held: true });
    await closed.persistedNow();
    closed.stop();
    const next = queue();
    await next.loaded;
    expect(await next.settled()).toBe(true);
    expect(api.calls("DELETE", /\/lists\//)).toHaveLength(0);
    expect(api.findList(list.id)).toMatchObject({ name: list.name });
  });
});

/**
 * Undo of a task deletion already sent queues a `restore` under the deletion's undo token
 * (decision 034). A page may go before IndexedDB stores it (Undo, then an immediate reload).
 */
describe("a restore in the queue", () => {
  const { open: queue } = outboxesOfTheTest();

  it("is sent by the next page when its page went before IndexedDB stored it, and only once", async () => {
    const task = makeTask({ title: "File taxes", createdAt: "2026-11-01T08:00:00.000Z" });
    const api = new FakeServer([task]).install();
    const first = queue();
    await first.loaded;
    const undo = crypto.randomUUID();
    const deletion = first.add({ kind: "delete", taskId: task.id, version: 1, undo });
    expect(await deletion.outcome).toBe("saved");
    onlineManager.setOnline(false);
    first.add({ kind: "restore", taskId: task.id, undo, task, version: 1 });
    await first.persistedNow();
    first.stop();
    // The page went before its write landed: IndexedDB holds no queue.
    await del(outboxStorageKey(userId));

    onlineManager.setOnline(true);
    const next = queue();
    await next.loaded;
    expect(await next.settled()).toBe(true);
    expect(api.find(task.id)).toEqual({ ...task, version: 2 });
    expect(api.calls("POST", /\/tasks\/restore$/)).toHaveLength(1);
    const third = queue();
    await third.loaded;
    expect(await third.settled()).toBe(true);
    expect(api.calls("POST", /\/tasks\/restore$/)).toHaveLength(1);
  });

  it("journaled by a page from before every change was journaled, is sent once and its journal removed", async () => {
    const task = makeTask({ title: "File taxes", createdAt: "2026-11-01T08:00:00.000Z" });
    const api = new FakeServer([task]).install();
    const older = queue();
    await older.loaded;
    const undo = crypto.randomUUID();
    expect(await older.add({ kind: "delete", taskId: task.id, version: 1, undo }).outcome).toBe("saved");
    older.stop();
    const restore = {
      kind: "restore",
      opId: crypto.randomUUID(),
      at: task.createdAt,
      taskId: task.id,
      undo,
      task,
      version: 1,
    };
    const legacyKey = `${outboxStorageKey(userId)}:restores`;
    localStorage.setItem(legacyKey, JSON.stringify([restore]));

    const next = queue();
    await next.loaded;
    expect(await next.settled()).toBe(true);
    expect(api.find(task.id)?.title).toBe("File taxes");
    expect(api.calls("POST", /\/tasks\/restore$/)).toHaveLength(1);
    expect(localStorage.getItem(legacyKey)).toBeNull();
  });
});
