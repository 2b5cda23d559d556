import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../../test/fixtures.ts";
import { roundTrips, statementsRun } from "../../test/stand-in-control.ts";
import { dueAtInstant, type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";
import { Task } from "./tasks.schemas.ts";

let user: TaskUser;

beforeAll(async () => {
  user = await taskUser();
});

const json = async (response: Response) => (await response.json()) as TaskJson;

describe("the task's fields", () => {
  // The answer's fields are derived from the table (task-json.ts) and the contract is written in zod
  // (decision 043): a new column must not reach answers unless the contract names it.
  it("are exactly the contract's in every answer that carries a task: create, get, patch, list and the feed", async () => {
    const fields = Object.keys(Task.shape).sort();
    const created = await json(await user.create({ title: "Fields", due: { date: "2026-12-01", time: "09:00" } }));
    const got = await json(await user.get(created.id));
    const patched = await json(await user.patch(created.id, { priority: "high" }));
    const listed = ((await (await user.list()).json()) as TaskJson[]).find((task) => task.id === created.id);
    const feed = (await (await user.send("/changes")).json()) as { changes: TaskJson[] };
    const changed = feed.changes.find((task) => task.id === created.id);
    for (const task of [created, got, patched, listed, changed]) expect(Object.keys(task ?? {}).sort()).toEqual(fields);
  });
});

describe("creating a task", () => {
  it("answers 201 with the task, its Location and ETag, and the defaults filled in", async () => {
    const response = await user.create({ title: "  Write the quarterly report  " });
    expect(response.status).toBe(201);
    const task = await json(response);
    expect(task).toMatchObject({
      userId: user.id,
      title: "Write the quarterly report",
      description: "",
      completed: false,
      completedAt: null,
      priority: "none",
      due: null,
      tags: [],
      version: 1,
    });
    expect(task.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(task.createdAt).toBe(task.updatedAt);
    expect(response.headers.get("location")).toBe(`${user.base}/${task.id}`);
    expect(response.headers.get("etag")).toBe('"1"');
  });

  it("never applies server-owned fields sent in the body", async () => {
    const task = await json(
      await user.create({
        title: "Mine",
        userId: "someone-else",
        version: 99,
        createdAt: "2001-01-01T00:00:00.000Z",
        updatedAt: "2001-01-01T00:00:00.000Z",
        completedAt: "2001-01-01T00:00:00.000Z",
      }),
    );
    expect(task.userId).toBe(user.id);
    expect(task.version).toBe(1);
    expect(task.createdAt).not.toBe("2001-01-01T00:00:00.000Z");
    expect(task.completedAt).toBeNull();
  });

  it("normalises tags: trimmed, lower-cased, duplicates dropped", async () => {
    const task = await user.add({ tags: [" Work ", "work", "HOME"] });
    expect(task.tags).toEqual(["work", "home"]);
  });

  it("sets completedAt when created complete, and keeps due as it was given", async () => {
    const due = { date: "2026-12-01", time: "18:00", timeZone: "Europe/Berlin" };
    const task = await user.add({ completed: true, due });
    expect(task.completedAt).toEqual(expect.any(String));
    expect(task.due).toEqual(due);
    expect((await user.add({ due: { date: "2026-12-05" } })).due).toEqual({
      date: "2026-12-05",
      time: null,
      timeZone: null,
    });
  });

  it("accepts the limits exactly", async () => {
    const response = await user.create({
      title: "t".repeat(200),
      description: "d".repeat(1000),
      tags: Array.from({ length: 10 }, (_, i) => `${"x".repeat(31)}${i}`),
    });
    expect(response.status).toBe(201);
  });

  it.each([
    ["title is missing", {}, "title"],
    ["title is blank after trimming", { title: "   " }, "title"],
    ["title is over 200 characters", { title: "t".repeat(201) }, "title"],
    ["title is not text", { title: 42 }, "title"],
    ["description is over 1000 characters", { title: "x", description: "d".repeat(1001) }, "description"],
    ["priority is unknown", { title: "x", priority: "urgent" }, "priority"],
    ["due is not an object", { title: "x", due: "tomorrow" }, "due"],
    ["due.date is not a date", { title: "x", due: { date: "tomorrow" } }, "due.date"],
    ["completed is not a boolean", { title: "x", completed: "yes" }, "completed"],
    ["tags is not a list", { title: "x", tags: "work" }, "tags"],
    ["a tag is empty", { title: "x", tags: [" "] }, "tags.0"],
    ["a tag is over 32 characters", { title: "x", tags: ["t".repeat(33)] }, "tags.0"],
    ["there are 11 distinct tags", { title: "x", tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "tags"],
    ["id is not a UUID", { id: "not-a-uuid", title: "x" }, "id"],
  ])("answers 422 with field errors when %s", async (_, body, path) => {
    const response = await user.create(body);
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as { code: string; errors: { path: string; message: string }[] };
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors.map((error) => error.path)).toContain(path);
  });

  it("answers 422 for a JSON body that is not an object", async () => {
    expect((await user.create(["title"])).status).toBe(422);
  });

  it("answers 400 for malformed JSON, 415 for a body that is not JSON, 413 above 16 KiB", async () => {
    const malformed = await user.send("", {
      method: "POST",
      rawBody: '{"title": ',
      headers: { "Content-Type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: "malformed_json" });

    const text = await user.send("", { method: "POST", rawBody: "title=x", headers: { "Content-Type": "text/plain" } });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ code: "unsupported_media_type" });

    const huge = await user.create({ title: "x", description: "d".repeat(17 * 1024) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: "payload_too_large" });
  });

  it("is idempotent with a client-chosen id: the same body again is 200, another body is 409", async () => {
    const id = crypto.randomUUID();
    const body = { id, title: "Exactly once", tags: ["retry"] };
    const first = await user.create(body);
    expect(first.status).toBe(201);
    const replay = await user.create(body);
    expect(replay.status).toBe(200);
    expect(await json(replay)).toEqual(await json(first));

    const different = await user.create({ ...body, title: "Something else" });
    expect(different.status).toBe(409);
    expect(await different.json()).toMatchObject({ code: "id_conflict" });
    expect((await json(await user.get(id))).title).toBe("Exactly once");
  });
});

describe("reading a task", () => {
  it("answers the task with its ETag", async () => {
    const task = await user.add({ title: "Read me" });
    const response = await user.get(task.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"1"');
    expect(await json(response)).toEqual(task);
  });

  it("answers 404 for an unknown id and 400 for a non-UUID one", async () => {
    const missing = await user.get(crypto.randomUUID());
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: "task_not_found" });
    const malformed = await user.get("42");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: "invalid_parameter" });
  });
});

describe("replacing a task (PUT)", () => {
  it("replaces every editable field, resetting the ones left out", async () => {
    const task = await user.add({ title: "Old", description: "notes", priority: "high", tags: ["a"] });
    const response = await user.put(task.id, { title: "New" });
    expect(response.status).toBe(200);
    const replaced = await json(response);
    expect(replaced).toMatchObject({ title: "New", description: "", priority: "none", tags: [], version: 2 });
    expect(replaced.createdAt).toBe(task.createdAt);
    expect(response.headers.get("etag")).toBe('"2"');
  });

  it("honours If-Match: the current version applies, a stale one is 412 and changes nothing", async () => {
    const task = await user.add({ title: "Guarded" });
    expect((await user.put(task.id, { title: "v2" }, { "If-Match": '"1"' })).status).toBe(200);
    const stale = await user.put(task.id, { title: "lost update" }, { "If-Match": '"1"' });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ code: "version_mismatch" });
    expect(stale.headers.get("etag")).toBe('"2"');
    expect(await json(await user.get(task.id))).toMatchObject({ title: "v2", version: 2 });
    // A weak validator never matches a strong comparison.
    expect((await user.put(task.id, { title: "weak" }, { "If-Match": 'W/"2"' })).status).toBe(412);
    expect((await user.put(task.id, { title: "any" }, { "If-Match": "*" })).status).toBe(200);
  });

  it("answers 404 for a task that does not exist", async () => {
    expect((await user.put(crypto.randomUUID(), { title: "x" })).status).toBe(404);
  });
});

describe("patching a task (JSON merge patch)", () => {
  it("changes only the fields sent", async () => {
    const task = await user.add({ title: "Keep", description: "keep too", priority: "low" });
    const patched = await json(await user.patch(task.id, { priority: "high" }));
    expect(patched).toMatchObject({ title: "Keep", description: "keep too", priority: "high", version: 2 });
  });

  it("resets a field sent as null to its default", async () => {
    const task = await user.add({ description: "d", priority: "low", tags: ["x"], due: { date: "2026-12-01" } });
    const patched = await json(await user.patch(task.id, { description: null, priority: null, tags: null, due: null }));
    expect(patched).toMatchObject({ description: "", priority: "none", tags: [], due: null });
  });

  it("refuses a null or empty title with 422 and changes nothing", async () => {
    const task = await user.add({ title: "Stays" });
    expect((await user.patch(task.id, { title: null })).status).toBe(422);
    expect((await user.patch(task.id, { title: " " })).status).toBe(422);
    expect(await json(await user.get(task.id))).toMatchObject({ title: "Stays", version: 1 });
  });

  it("keeps completedAt in step with completed", async () => {
    const task = await user.add();
    const done = await json(await user.patch(task.id, { completed: true }));
    expect(done.completedAt).toEqual(expect.any(String));
    const again = await json(await user.patch(task.id, { completed: true }));
    expect(again.completedAt).toBe(done.completedAt);
    expect((await json(await user.patch(task.id, { completed: false }))).completedAt).toBeNull();
  });

  it("honours If-Match", async () => {
    const task = await user.add();
    expect((await user.patch(task.id, { title: "x" }, { "If-Match": '"7"' })).status).toBe(412);
    expect((await user.patch(task.id, { title: "x" }, { "If-Match": '"1"' })).status).toBe(200);
  });
});

describe("completing a task", () => {
  it("toggles without a body", async () => {
    const task = await user.add();
    const done = await json(await user.complete(task.id));
    expect(done).toMatchObject({ completed: true, version: 2 });
    expect(done.completedAt).toEqual(expect.any(String));
    expect(await json(await user.complete(task.id))).toMatchObject({ completed: false, completedAt: null, version: 3 });
  });

  it("sets the state given in the body", async () => {
    const task = await user.add();
    expect(await json(await user.complete(task.id, { completed: true }))).toMatchObject({ completed: true });
    expect(await json(await user.complete(task.id, { completed: true }))).toMatchObject({ completed: true });
    expect((await user.complete(task.id, { completed: "yes" })).status).toBe(422);
  });

  it("honours If-Match and answers 404 for an unknown task", async () => {
    const task = await user.add();
    expect((await user.complete(task.id, undefined, { "If-Match": '"3"' })).status).toBe(412);
    expect((await user.complete(crypto.randomUUID())).status).toBe(404);
  });
});

describe("deleting a task", () => {
  it("answers 204 and the task is gone", async () => {
    const task = await user.add();
    const response = await user.remove(task.id);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await user.get(task.id)).status).toBe(404);
    expect((await user.remove(task.id)).status).toBe(404);
  });

  it("keeps the task when If-Match is stale, and names the current version (ETag) as every 412 does", async () => {
    const task = await user.add();
    const stale = await user.remove(task.id, { "If-Match": '"2"' });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ code: "version_mismatch" });
    expect(stale.headers.get("etag")).toBe('"1"');
    expect((await user.get(task.id)).status).toBe(200);
    expect((await user.remove(task.id, { "If-Match": '"1"' })).status).toBe(204);
  });
});

describe("bulk changes", () => {
  it("marks all tasks complete, counting only those that changed, then clears completed ones", async () => {
    const owner = await taskUser();
    await owner.add({ title: "one" });
    await owner.add({ title: "two" });
    await owner.add({ title: "three", completed: true });

    const marked = await owner.markAll(true);
    expect(marked.status).toBe(200);
    expect(await marked.json()).toEqual({ updated: 2, ids: expect.any(Array) });
    expect(await (await owner.markAll(true)).json()).toEqual({ updated: 0, ids: [] });

    await owner.add({ title: "four" });
    const cleared = await owner.clearCompleted();
    expect(await cleared.json()).toMatchObject({ deleted: 3 });
    const left = (await (await owner.list()).json()) as TaskJson[];
    expect(left.map((task) => task.title)).toEqual(["four"]);
  });

  it("refuses to delete the whole collection without ?status=completed", async () => {
    const owner = await taskUser();
    await owner.add();
    const response = await owner.send("", { method: "DELETE" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_parameter" });
    expect((await owner.send("?status=all", { method: "DELETE" })).status).toBe(400);
    expect(await (await owner.list()).json()).toHaveLength(1);
  });

  it("requires a boolean to mark all", async () => {
    expect((await user.send("", { method: "PATCH", body: {} })).status).toBe(422);
  });
});

describe("listing", () => {
  let lister: TaskUser;
  const titles = async (query: string) => ((await (await lister.list(query)).json()) as TaskJson[]).map((t) => t.title);
  const hour = 3_600_000;

  beforeAll(async () => {
    lister = await taskUser();
    const now = Date.now();
    await lister.add({ title: "Buy milk", tags: ["home"], priority: "low" });
    await lister.add({
      title: "file taxes",
      description: "Before the 100% deadline",
      priority: "high",
      due: dueAtInstant(now - 30 * hour),
    });
    await lister.add({
      title: "Call Alice",
      tags: ["work"],
      priority: "medium",
      due: dueAtInstant(now + 2 * hour),
    });
    await lister.add({
      title: "archive old mail",
      completed: true,
      tags: ["work", "home"],
      due: dueAtInstant(now - 50 * hour),
    });
    await lister.add({ title: "Plan trip", priority: "high", due: dueAtInstant(now + 72 * hour) });
  });

  it("lists newest first by default with the total", async () => {
    const response = await lister.list();
    expect(response.status).toBe(200);
    expect(response.headers.get("x-total-count")).toBe("5");
    expect(response.headers.get("link")).toBeNull();
    expect(await titles("")).toEqual(["Plan trip", "archive old mail", "Call Alice", "file taxes", "Buy milk"]);
  });

  it.each([
    ["status=pending", ["Plan trip", "Call Alice", "file taxes", "Buy milk"]],
    ["status=completed", ["archive old mail"]],
    ["priority=high", ["Plan trip", "file taxes"]],
    ["tag=work", ["archive old mail", "Call Alice"]],
    ["tag=HOME", ["archive old mail", "Buy milk"]],
    ["q=ALICE", ["Call Alice"]],
    ["q=100%25", ["file taxes"]],
    ["q=_", []],
    ["due=overdue", ["file taxes"]],
    ["due=none", ["Buy milk"]],
    ["due=week", ["Plan trip", "Call Alice"]],
    ["sort=title", ["archive old mail", "Buy milk", "Call Alice", "file taxes", "Plan trip"]],
    ["sort=title&order=desc", ["Plan trip", "file taxes", "Call Alice", "Buy milk", "archive old mail"]],
    ["sort=due", ["archive old mail", "file taxes", "Call Alice", "Plan trip", "Buy milk"]],
    ["sort=due&order=desc", ["Plan trip", "Call Alice", "file taxes", "archive old mail", "Buy milk"]],
    ["sort=created&order=asc", ["Buy milk", "file taxes", "Call Alice", "archive old mail", "Plan trip"]],
    ["status=pending&priority=high&sort=title", ["file taxes", "Plan trip"]],
  ])("filters and sorts with %s", async (query, expected) => {
    const response = await lister.list(query);
    expect(response.status).toBe(200);
    expect(await titles(query)).toEqual(expected);
    expect(response.headers.get("x-total-count")).toBe(String(expected.length));
  });

  it("sorts by priority, breaking ties by id in the same direction", async () => {
    const rank = { none: 0, low: 1, medium: 2, high: 3 };
    for (const order of ["asc", "desc"] as const) {
      const tasks = (await (await lister.list(`sort=priority&order=${order}`)).json()) as TaskJson[];
      const keys = tasks.map((task) => [rank[task.priority], task.id] as const);
      const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      expect(keys).toEqual(order === "asc" ? sorted : sorted.reverse());
    }
  });

  it("counts today in the time zone asked for", async () => {
    // Two hours from now is today in at least one of these zones; "none" never is.
    const counts = await Promise.all(
      ["Pacific/Kiritimati", "UTC", "Pacific/Pago_Pago"].map(async (tz) =>
        Number((await lister.list(`due=today&tz=${encodeURIComponent(tz)}`)).headers.get("x-total-count")),
      ),
    );
    expect(Math.max(...counts)).toBeGreaterThan(0);
  });

  it("pages with limit, a Link to the next page and the total of all pages", async () => {
    const first = await lister.list("limit=2");
    expect(first.headers.get("x-total-count")).toBe("5");
    const link = first.headers.get("link");
    expect(link).toMatch(/^<\/api\/[^>]+cursor=[^>]+>; rel="next"$/);
    const next = await call(link?.slice(1, link.indexOf(">")) ?? "", { token: lister.token });
    expect(next.status).toBe(200);
    const seen = [...((await first.json()) as TaskJson[]), ...((await next.json()) as TaskJson[])];
    expect(seen.map((t) => t.title)).toEqual(["Plan trip", "archive old mail", "Call Alice", "file taxes"]);
  });

  it.each([
    "status=done",
    "priority=urgent",
    "due=later",
    "sort=size",
    "order=up",
    "limit=0",
    "limit=101",
    "limit=ten",
    "tz=Mars%2FOlympus",
    "cursor=garbage",
    "colour=blue",
  ])("answers 400 for %s", async (query) => {
    const response = await lister.list(query);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_parameter", errors: expect.any(Array) });
  });
});

describe("database round trips", () => {
  it("costs exactly one per task operation", async () => {
    const owner = await taskUser();
    const task = await owner.add();
    await owner.list(); // the isolate has its key set: authentication costs nothing from here on
    const operations: [string, () => Promise<Response>][] = [
      ["list", () => owner.list("status=pending&q=task&sort=title")],
      ["create", () => owner.create({ title: "counted" })],
      ["get", () => owner.get(task.id)],
      ["put", () => owner.put(task.id, { title: "counted" })],
      ["patch", () => owner.patch(task.id, { priority: "low" }, { "If-Match": '"2"' })],
      ["complete", () => owner.complete(task.id)],
      ["stale patch", () => owner.patch(task.id, { priority: "low" }, { "If-Match": '"1"' })],
      ["mark all", () => owner.markAll(true)],
      ["clear completed", () => owner.clearCompleted()],
      ["delete", () => owner.remove(crypto.randomUUID())],
    ];
    for (const [name, operation] of operations) {
      const before = await roundTrips();
      const response = await operation();
      expect(response.status, name).toBeLessThan(500);
      expect((await roundTrips()) - before, name).toBe(1);
    }
  });
});

describe("statements per write", () => {
  it("creates a task in one statement, a replay included", async () => {
    const owner = await taskUser();
    await owner.list(); // the key set is cached: authentication runs no statement from here on
    const id = crypto.randomUUID();
    for (const attempt of ["first", "replay"]) {
      const before = await statementsRun();
      const response = await owner.create({ id, title: "one statement", tags: ["a"], due: { date: "2027-01-05" } });
      expect(response.status, attempt).toBe(attempt === "first" ? 201 : 200);
      expect((await statementsRun()) - before, attempt).toBe(1);
    }
  });
});

describe("the API description", () => {
  it("serves an OpenAPI 3.1 document describing every task route", async () => {
    const response = await call("/api/openapi.json");
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths["/api/{userId}/tasks"] ?? {}).sort()).toEqual(["delete", "get", "patch", "post"]);
    expect(Object.keys(document.paths["/api/{userId}/tasks/{id}"] ?? {}).sort()).toEqual([
      "delete",
      "get",
      "patch",
      "put",
    ]);
    expect(Object.keys(document.paths["/api/{userId}/tasks/{id}/complete"] ?? {})).toEqual(["patch"]);
  });

  it("serves a readable reference page that is allowed to run its own script only", async () => {
    const response = await call("/api/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const csp = response.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(await response.text()).toContain(`nonce="${nonce}"`);
  });
});
