import { beforeEach, describe, expect, it } from "vitest";
import { call } from "../../test/fixtures.ts";
import { clearFaults, injectFault, roundTrips, sql } from "../../test/stand-in-control.ts";
import { type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";

/**
 * A single delete given an undo token the client chose (`DELETE …/tasks/{id}?undo=<uuid>`,
 * decision 034) keeps the task as Clear completed does, and `POST …/tasks/restore` puts it back
 * exactly — also when the delete's answer was lost and the delete was sent again.
 */

type Restored = { restored: number; tasks: TaskJson[] };

beforeEach(async () => {
  await clearFaults();
});

const removeKept = (user: TaskUser, id: string, undo: string, headers?: Record<string, string>) =>
  user.send(`/${id}?undo=${undo}`, { method: "DELETE", ...(headers ? { headers } : {}) });
const restore = async (user: TaskUser, undo: string) => (await (await user.restore(undo)).json()) as Restored;
const kept = (undo: string) =>
  sql<{ id: string }>("select task ->> 'id' as id from deleted_tasks where undo = $1", [undo]);

/** A task with everything a create cannot give back: a list, a position, a repeat, reminders and a completion. */
async function richTask(user: TaskUser): Promise<TaskJson> {
  const listResponse = await call(`/api/${user.id}/lists`, { token: user.token, body: { name: "Garden" } });
  const list = (await listResponse.json()) as { id: string };
  const task = await user.add({
    title: "Water the plants",
    description: "The ones by the window",
    priority: "high",
    tags: ["home"],
    list: list.id,
    due: { date: "2030-01-07", time: "09:00", timeZone: "Europe/Berlin" },
    recurrence: { rule: "FREQ=WEEKLY;BYDAY=MO", from: "due" },
    reminders: [{ before: "PT15M" }],
  });
  await user.patch(task.id, { position: "a5" });
  // One occurrence done: the task records a completion and moves on a week.
  const completed = await user.complete(task.id, { completed: true });
  expect(completed.status).toBe(200);
  return (await completed.json()) as TaskJson;
}

describe("a single delete with an undo token", () => {
  it("deletes at once and restores the task exactly: its list, position, repeat, reminders, history and createdAt", async () => {
    const owner = await taskUser();
    const before = await richTask(owner);
    expect(before.completions).toHaveLength(1);
    const undo = crypto.randomUUID();
    expect((await removeKept(owner, before.id, undo)).status).toBe(204);
    expect((await owner.get(before.id)).status).toBe(404);
    const restored = await restore(owner, undo);
    expect(restored.restored).toBe(1);
    expect(restored.tasks).toEqual([{ ...before, version: before.version + 1, updatedAt: expect.any(String) }]);
    expect(await (await owner.get(before.id)).json()).toEqual(restored.tasks[0]);
  });

  it("keeps nothing without a token, as before", async () => {
    const owner = await taskUser();
    const task = await owner.add();
    expect((await owner.remove(task.id)).status).toBe(204);
    expect(await sql("select 1 from deleted_tasks where user_id = $1", [owner.id])).toEqual([]);
  });

  it("tells the other devices through the change feed: the deletion, then the task again", async () => {
    const owner = await taskUser();
    const task = await owner.add();
    const start = ((await (await owner.send("/changes")).json()) as { cursor: string }).cursor;
    const undo = crypto.randomUUID();
    await removeKept(owner, task.id, undo);
    const afterDelete = (await (await owner.send(`/changes?since=${encodeURIComponent(start)}`)).json()) as {
      deleted: string[];
      cursor: string;
    };
    expect(afterDelete.deleted).toEqual([task.id]);
    await owner.restore(undo);
    const afterRestore = (await (
      await owner.send(`/changes?since=${encodeURIComponent(afterDelete.cursor)}`)
    ).json()) as { changes: TaskJson[]; deleted: string[] };
    expect(afterRestore.changes.map((one) => [one.id, one.version])).toEqual([[task.id, task.version + 1]]);
    expect(afterRestore.deleted).toEqual([]);
  });

  it("a repeated delete finds the task gone (404) and leaves the kept copy restorable; a repeated restore restores nothing", async () => {
    const owner = await taskUser();
    const task = await owner.add({ title: "Kept through a replay" });
    const undo = crypto.randomUUID();
    expect((await removeKept(owner, task.id, undo)).status).toBe(204);
    expect((await removeKept(owner, task.id, undo)).status).toBe(404);
    expect(await kept(undo)).toEqual([{ id: task.id }]);
    expect((await restore(owner, undo)).restored).toBe(1);
    expect(await restore(owner, undo)).toEqual({ restored: 0, tasks: [] });
    expect(((await (await owner.list()).json()) as TaskJson[]).map((one) => one.title)).toEqual([
      "Kept through a replay",
    ]);
  });

  it("a delete whose answer was lost answers 503; sent again it finds the task gone, and the restore still works", async () => {
    const owner = await taskUser();
    const task = await owner.add({ title: "Lost answer" });
    const undo = crypto.randomUUID();
    await injectFault({ match: 'delete from "tasks"', action: "lose-response" });
    expect((await removeKept(owner, task.id, undo)).status).toBe(503);
    expect((await removeKept(owner, task.id, undo)).status).toBe(404);
    const restored = await restore(owner, undo);
    expect(restored.tasks.map((one) => [one.id, one.version])).toEqual([[task.id, task.version + 1]]);
  });

  it("honours If-Match: a stale delete deletes and keeps nothing", async () => {
    const owner = await taskUser();
    const task = await owner.add();
    await owner.patch(task.id, { title: "Changed elsewhere" });
    const undo = crypto.randomUUID();
    expect((await removeKept(owner, task.id, undo, { "If-Match": '"1"' })).status).toBe(412);
    expect(await kept(undo)).toEqual([]);
    expect((await removeKept(owner, task.id, undo, { "If-Match": '"2"' })).status).toBe(204);
    expect((await restore(owner, undo)).restored).toBe(1);
  });

  it("never deletes or restores for another user", async () => {
    const owner = await taskUser();
    const stranger = await taskUser();
    const task = await owner.add();
    const undo = crypto.randomUUID();
    expect((await removeKept(stranger, task.id, undo)).status).toBe(404);
    expect(await kept(undo)).toEqual([]);
    await removeKept(owner, task.id, undo);
    expect(await restore(stranger, undo)).toEqual({ restored: 0, tasks: [] });
    expect((await owner.get(task.id)).status).toBe(404);
    expect((await restore(owner, undo)).restored).toBe(1);
  });

  it("restores into the Inbox when the task's list was deleted meanwhile, as a bulk restore does", async () => {
    const owner = await taskUser();
    const task = await richTask(owner);
    const undo = crypto.randomUUID();
    await removeKept(owner, task.id, undo);
    const listGone = await call(`/api/${owner.id}/lists/${task.list}?tasks=move`, {
      token: owner.token,
      method: "DELETE",
    });
    expect(listGone.status).toBe(200);
    const lists = (await (await call(`/api/${owner.id}/lists`, { token: owner.token })).json()) as {
      id: string;
      inbox: boolean;
    }[];
    const [restored] = (await restore(owner, undo)).tasks;
    expect(restored?.list).toBe(lists.find((list) => list.inbox)?.id);
    expect(restored).toMatchObject({ title: task.title, completions: task.completions, createdAt: task.createdAt });
  });

  it("restores every task deleted under one token when a client uses it twice", async () => {
    const owner = await taskUser();
    const first = await owner.add({ title: "First" });
    const second = await owner.add({ title: "Second" });
    const undo = crypto.randomUUID();
    await removeKept(owner, first.id, undo);
    await removeKept(owner, second.id, undo);
    expect((await restore(owner, undo)).restored).toBe(2);
  });

  it("refuses a token that is not a UUID, and any other parameter, deleting nothing", async () => {
    const owner = await taskUser();
    const task = await owner.add();
    for (const query of ["undo=x", "undo=", "undo=1234", "colour=blue"]) {
      const response = await owner.send(`/${task.id}?${query}`, { method: "DELETE" });
      expect(response.status, query).toBe(400);
      expect(response.headers.get("content-type"), query).toContain("application/problem+json");
      expect(await response.json(), query).toMatchObject({ code: "invalid_parameter" });
    }
    expect((await owner.get(task.id)).status).toBe(200);
  });

  it("costs one round trip, kept or not", async () => {
    const owner = await taskUser();
    const [kept, plain] = [await owner.add(), await owner.add()];
    for (const [name, remove] of [
      ["kept", () => removeKept(owner, kept.id, crypto.randomUUID())],
      ["plain", () => owner.remove(plain.id)],
    ] as const) {
      const before = await roundTrips();
      expect((await remove()).status, name).toBe(204);
      expect((await roundTrips()) - before, name).toBe(1);
    }
  });

  it("documents the undo parameter", async () => {
    const document = (await (await call("/api/openapi.json")).json()) as {
      paths: Record<string, { delete?: { parameters?: { name: string; in: string }[] } }>;
    };
    const parameters = document.paths["/api/{userId}/tasks/{id}"]?.delete?.parameters ?? [];
    expect(parameters.filter((parameter) => parameter.in === "query").map((parameter) => parameter.name)).toEqual([
      "undo",
    ]);
  });
});
