import { beforeEach, describe, expect, it } from "vitest";
import { bindingsWith } from "../../test/fixtures.ts";
import { clearFaults, type Fault, injectFault, sql } from "../../test/stand-in-control.ts";
import { type TaskJson, taskUser } from "../../test/tasks-client.ts";

/**
 * Each kind of database fault, injected through the local stand-in, with the answer
 * the Worker must give and the state the database must be left in.
 */

const json = async (response: Response) => (await response.json()) as TaskJson;
const rowsOf = (id: string) =>
  sql<{ version: number; completed: boolean }>("select version, completed from tasks where id = $1", [id]);

beforeEach(async () => {
  await clearFaults();
});

describe("transient faults on operations safe to repeat are retried", () => {
  it.each<[string, Omit<Fault, "match">]>([
    ["an HTTP 503", { action: "fail", status: 503 }],
    ["an HTTP 502", { action: "fail", status: 502 }],
    ["a serialization failure (40001)", { action: "sqlstate", code: "40001" }],
    ["a deadlock (40P01)", { action: "sqlstate", code: "40P01" }],
    ["an administrator shutdown (57P01)", { action: "sqlstate", code: "57P01" }],
    ["a connection failure (08006)", { action: "sqlstate", code: "08006" }],
  ])("a list survives %s", async (_, fault) => {
    const user = await taskUser();
    await user.add({ title: "Still listed" });
    await injectFault({ match: 'from "tasks"', ...fault });
    const response = await user.list();
    expect(response.status).toBe(200);
    expect(((await response.json()) as TaskJson[]).map((t) => t.title)).toEqual(["Still listed"]);
  });

  it("a create whose answer was lost is repeated, finds its own row and reports success once", async () => {
    const user = await taskUser();
    const id = crypto.randomUUID();
    await injectFault({ match: 'insert into "tasks"', action: "lose-response" });
    const response = await user.create({ id, title: "Exactly one" });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ id, title: "Exactly one", version: 1 });
    expect(await sql("select count(*)::int as n from tasks where id = $1", [id])).toEqual([{ n: 1 }]);
  });

  it("a conditional update whose answer was lost is repeated and recognised as its own, applied once", async () => {
    const user = await taskUser();
    const task = await user.add({ title: "Before" });
    await injectFault({ match: 'update "tasks"', action: "lose-response" });
    const response = await user.patch(task.id, { title: "After" }, { "If-Match": '"1"' });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ title: "After", version: 2 });
    expect(await rowsOf(task.id)).toEqual([{ version: 2, completed: false }]);
  });

  it("still refuses a genuinely stale If-Match whose change is not already there", async () => {
    const user = await taskUser();
    const task = await user.add({ title: "One" });
    await user.patch(task.id, { title: "Two" });
    expect((await user.patch(task.id, { title: "Three" }, { "If-Match": '"1"' })).status).toBe(412);
  });

  it("a toggle is repeated when the database rolled it back", async () => {
    const user = await taskUser();
    const task = await user.add();
    await injectFault({ match: 'update "tasks"', action: "sqlstate", code: "40001" });
    const response = await user.complete(task.id);
    expect(response.status).toBe(200);
    expect(await rowsOf(task.id)).toEqual([{ version: 2, completed: true }]);
  });
});

describe("faults that cannot be repeated safely fail fast", () => {
  it("a toggle whose outcome is unknown answers 503 with Retry-After and is not applied twice", async () => {
    const user = await taskUser();
    const task = await user.add();
    await injectFault({ match: 'update "tasks"', action: "lose-response" });
    const response = await user.complete(task.id);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toMatchObject({
      code: "database_unavailable",
      detail: "The database did not answer in time; try again shortly. Nothing was half-written.",
    });
    // The one try committed before its answer was lost; it was not repeated.
    expect(await rowsOf(task.id)).toEqual([{ version: 2, completed: true }]);
  });

  it("a write that never reached the database changes nothing", async () => {
    const user = await taskUser();
    const task = await user.add({ title: "Unchanged" });
    await injectFault({ match: 'update "tasks"', action: "fail", status: 503, times: 5 });
    const response = await user.patch(task.id, { title: "Lost" }, { "If-Match": '"1"' });
    expect(response.status).toBe(503);
    expect(await rowsOf(task.id)).toEqual([{ version: 1, completed: false }]);
    await clearFaults();
    expect(await json(await user.get(task.id))).toMatchObject({ title: "Unchanged", version: 1 });
  });

  it("gives up after three tries of a persistent transient fault", async () => {
    const user = await taskUser();
    await injectFault({ match: 'from "tasks"', action: "sqlstate", code: "57P01", times: 3 });
    expect((await user.list()).status).toBe(503);
    expect((await user.list()).status).toBe(200);
  });

  it("answers 503 within the Worker's time bound when the database is slower than it, without repeating", async () => {
    const user = await taskUser();
    const hurried = bindingsWith({ DB_TIMEOUT_MS: "300" });
    await user.list(); // the key set is loaded in the default isolate; `hurried` loads its own first
    await user.send("", { env: hurried });
    await injectFault({ match: 'from "tasks"', action: "delay", ms: 2000, times: 3 });
    const started = Date.now();
    const response = await user.send("", { env: hurried });
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("turns a statement the database refuses into a 500 without internals", async () => {
    const user = await taskUser();
    await injectFault({ match: 'from "tasks"', action: "sqlstate", code: "42P01" });
    const response = await user.list();
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).not.toMatch(/tasks|select|42P01|SQL/i);
    expect(JSON.parse(body)).toMatchObject({ code: "internal_error" });
  });
});
