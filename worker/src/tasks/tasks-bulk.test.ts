import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call } from "../../test/fixtures.ts";
import { roundTrips, sql } from "../../test/stand-in-control.ts";
import { type TaskJson, taskUser } from "../../test/tasks-client.ts";
import worker from "../index.ts";

/**
 * "Mark all complete" and "Clear completed" act on the tasks the person sees: the
 * list's filters, one statement. Both can be undone exactly: mark all answers the ids
 * it changed; clear keeps what it deleted under an undo token that restores it.
 */

const titlesOf = async (response: Response) => ((await response.json()) as TaskJson[]).map((task) => task.title).sort();

async function searchingUser() {
  const owner = await taskUser();
  const milk = await owner.add({ title: "Buy milk", tags: ["home"] });
  const oat = await owner.add({ title: "Buy oat milk", priority: "high", completed: true });
  const report = await owner.add({ title: "Write report", tags: ["work"], completed: true });
  const call = await owner.add({ title: "Call Alice", tags: ["work"] });
  return { owner, milk, oat, report, call };
}

describe("marking the tasks shown complete", () => {
  it("changes only the tasks matching the list's filters and answers their ids", async () => {
    const { owner, milk } = await searchingUser();
    const response = await owner.markAll(true, "q=milk");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ updated: 1, ids: [milk.id] });
    expect(await titlesOf(await owner.list("status=pending"))).toEqual(["Call Alice"]);
  });

  it("takes every listing filter: tag, priority, status, due and tz", async () => {
    const { owner, call } = await searchingUser();
    const response = await owner.markAll(true, "tag=work&status=pending&priority=none&due=none&tz=Europe/Paris");
    expect(await response.json()).toEqual({ updated: 1, ids: [call.id] });
  });

  it("undoes exactly: a bulk PATCH with the answered ids sets those tasks back and no others", async () => {
    const { owner, milk, call } = await searchingUser();
    const marked = (await (await owner.markAll(true, "status=pending")).json()) as { ids: string[] };
    expect(marked.ids.sort()).toEqual([milk.id, call.id].sort());
    const undone = await owner.markAll(false, "", marked.ids);
    expect(await undone.json()).toEqual({ updated: 2, ids: expect.arrayContaining(marked.ids) });
    expect(await titlesOf(await owner.list("status=pending"))).toEqual(["Buy milk", "Call Alice"]);
    expect(await titlesOf(await owner.list("status=completed"))).toEqual(["Buy oat milk", "Write report"]);
  });

  it("refuses the list-only parameters and bad filter values", async () => {
    const { owner } = await searchingUser();
    for (const filters of ["sort=title", "limit=5", "due=someday", "colour=blue"]) {
      const response = await owner.markAll(true, filters);
      expect(response.status, filters).toBe(400);
      expect(await response.json()).toMatchObject({ code: "invalid_parameter" });
    }
    expect((await owner.markAll(true, "", ["not-a-uuid"])).status).toBe(422);
    expect(await titlesOf(await owner.list("status=completed"))).toEqual(["Buy oat milk", "Write report"]);
  });
});

describe("clearing the completed tasks shown", () => {
  it("deletes only the completed tasks matching the filters and answers an undo token", async () => {
    const { owner, oat } = await searchingUser();
    const response = await owner.clearCompleted("q=milk");
    expect(response.status).toBe(200);
    const cleared = (await response.json()) as { deleted: number; ids: string[]; undo: string };
    expect(cleared).toEqual({ deleted: 1, ids: [oat.id], undo: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await titlesOf(await owner.list())).toEqual(["Buy milk", "Call Alice", "Write report"]);
  });

  it("restores the deleted tasks with their ids and content, each one version later", async () => {
    const { owner, oat, report } = await searchingUser();
    const { undo } = (await (await owner.clearCompleted()).json()) as { undo: string };
    const response = await owner.restore(undo);
    expect(response.status).toBe(200);
    const restored = (await response.json()) as { restored: number; tasks: TaskJson[] };
    expect(restored.restored).toBe(2);
    const byId = new Map(restored.tasks.map((task) => [task.id, task]));
    for (const before of [oat, report]) {
      const after = byId.get(before.id);
      expect(after).toEqual({ ...before, version: before.version + 1, updatedAt: expect.any(String) });
      expect(Date.parse(after?.updatedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(before.updatedAt));
      expect(await (await owner.get(before.id)).json()).toEqual(after);
    }
  });

  it("restores once: a repeated restore changes nothing and an id taken again is kept as it is", async () => {
    const { owner, oat, report } = await searchingUser();
    const { undo } = (await (await owner.clearCompleted()).json()) as { undo: string };
    await owner.create({ id: oat.id, title: "A new task under the old id" });
    const first = (await (await owner.restore(undo)).json()) as { restored: number; tasks: TaskJson[] };
    expect(first.restored).toBe(1);
    expect(first.tasks.map((task) => task.title).sort()).toEqual(["A new task under the old id", report.title]);
    expect(await (await owner.restore(undo)).json()).toEqual({ restored: 0, tasks: [] });
    expect(await titlesOf(await owner.list())).toEqual([
      "A new task under the old id",
      "Buy milk",
      "Call Alice",
      "Write report",
    ]);
  });

  it("never restores another user's deletion", async () => {
    const { owner } = await searchingUser();
    const stranger = await taskUser();
    const { undo } = (await (await owner.clearCompleted()).json()) as { undo: string };
    expect(await (await stranger.restore(undo)).json()).toEqual({ restored: 0, tasks: [] });
    expect(await (await stranger.list()).json()).toEqual([]);
    expect((await (await owner.restore(undo)).json()) as { restored: number }).toMatchObject({ restored: 2 });
  });

  it("keeps a deletion restorable for an hour, then forgets it", async () => {
    const { owner } = await searchingUser();
    const { undo } = (await (await owner.clearCompleted("tag=work")).json()) as { undo: string };
    await sql("update deleted_tasks set deleted_at = now() - interval '61 minutes' where undo = $1", [undo]);
    await owner.clearCompleted("q=nothing-matches");
    expect(await sql("select 1 from deleted_tasks where undo = $1", [undo])).toEqual([]);
    expect(await (await owner.restore(undo)).json()).toEqual({ restored: 0, tasks: [] });
  });

  it("forgets, when the Cron Trigger runs, every person's deletions too old to restore", async () => {
    const first = await searchingUser();
    const second = await searchingUser();
    const { undo: old } = (await (await first.owner.clearCompleted()).json()) as { undo: string };
    const { undo: recent } = (await (await second.owner.clearCompleted()).json()) as { undo: string };
    await sql("update deleted_tasks set deleted_at = now() - interval '61 minutes' where undo = $1", [old]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/30 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await sql("select distinct undo from deleted_tasks where undo in ($1, $2)", [old, recent])).toEqual([
      { undo: recent },
    ]);
  });

  it("refuses a restore without a valid undo token", async () => {
    const { owner } = await searchingUser();
    for (const body of [{}, { undo: "x" }, { undo: null }]) {
      const response = await owner.send("/restore", { method: "POST", body });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ code: "validation_failed" });
    }
  });

  it("still refuses to clear anything but completed tasks", async () => {
    const { owner } = await searchingUser();
    expect((await owner.send("?status=pending&q=milk", { method: "DELETE" })).status).toBe(400);
    expect((await owner.send("?q=milk", { method: "DELETE" })).status).toBe(400);
  });
});

describe("bulk round trips", () => {
  it("costs one per bulk change, clear and restore, with filters", async () => {
    const { owner } = await searchingUser();
    await owner.list();
    const operations: [string, () => Promise<Response>][] = [
      ["mark shown", () => owner.markAll(true, "q=milk&tag=home&due=today&tz=Asia/Kolkata")],
      ["clear shown", () => owner.clearCompleted("q=milk&due=week")],
      ["restore", () => owner.restore(crypto.randomUUID())],
    ];
    for (const [name, operation] of operations) {
      const before = await roundTrips();
      const response = await operation();
      expect(response.status, name).toBe(200);
      expect((await roundTrips()) - before, name).toBe(1);
    }
  });
});

describe("the API description of the bulk routes", () => {
  type Operation = { parameters?: { name: string; in: string }[]; requestBody?: unknown };
  it("documents the list's filters on both bulk routes, the ids body and the restore route", async () => {
    const document = (await (await call("/api/openapi.json")).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const collection = document.paths["/api/{userId}/tasks"] ?? {};
    const queryOf = (operation: Operation | undefined) =>
      (operation?.parameters ?? []).filter((parameter) => parameter.in === "query").map((parameter) => parameter.name);
    const filterNames = ["status", "priority", "tag", "q", "due", "tz", "list"];
    expect(queryOf(collection.patch).sort()).toEqual([...filterNames].sort());
    expect(queryOf(collection.delete).sort()).toEqual([...filterNames].sort());
    expect(queryOf(collection.get)).toEqual(expect.arrayContaining([...filterNames, "sort", "limit", "cursor"]));
    expect(JSON.stringify(collection.patch?.requestBody)).toContain("MarkTasks");
    expect(Object.keys(document.paths["/api/{userId}/tasks/restore"] ?? {})).toEqual(["post"]);
  });
});
