import { beforeAll, describe, expect, it } from "vitest";
import type { TaskOutput } from "../src/tasks/tasks.schemas.ts";
import { accessToken, call, signUp } from "./fixtures.ts";
import { sql } from "./stand-in-control.ts";
import { dueAtInstant } from "./tasks-client.ts";

/**
 * Two users, A and B, each with a valid access token. Whatever B sends — under B's own
 * path with A's task ids, or under A's path — A's tasks must stay exactly as they were
 * (checked byte for byte straight from the database after every request), and nothing
 * B gets back may tell B whether one of A's task ids exists.
 */

interface Actor {
  id: string;
  token: string;
}

const tasksOf = (userId: string) => `/api/${userId}/tasks`;
const hour = 60 * 60 * 1000;

/** Every column of every task of one user (or of everyone), as Postgres prints it: a byte-exact snapshot. */
async function rowsOf(userId?: string): Promise<string[]> {
  const rows = await sql<{ row: string }>(
    userId === undefined
      ? "select row_to_json(t)::text as row from tasks t order by id"
      : "select row_to_json(t)::text as row from tasks t where user_id = $1 order by id",
    userId === undefined ? [] : [userId],
  );
  return rows.map(({ row }) => row);
}

async function newActor(): Promise<Actor> {
  const user = await signUp();
  return { id: user.id, token: await accessToken(user.cookie) };
}

async function create(actor: Actor, body: Record<string, unknown>): Promise<TaskOutput> {
  const response = await call(tasksOf(actor.id), { token: actor.token, body });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as TaskOutput;
}

let a: Actor;
let b: Actor;
/** A's tasks. The bodies are kept so a create can replay them exactly. */
const aPendingBody = {
  id: crypto.randomUUID(),
  title: "Quarterly zebra report",
  description: "the confidential merger memo",
  priority: "high",
  tags: ["secret", "work"],
  due: dueAtInstant(Date.now() - hour),
};
const aDoneBody = {
  id: crypto.randomUUID(),
  title: "Archived zebra notes",
  description: "confidential",
  completed: true,
  priority: "low",
  tags: ["secret"],
  due: null,
};
let aPending: TaskOutput;
let aDone: TaskOutput;
/** B's own tasks: some of them match the same filters and search text as A's. */
let bPending: TaskOutput;
let bDone: TaskOutput;
/** A's rows as they were right after creation; no test may ever change them. */
let aSnapshot: string[];

beforeAll(async () => {
  [a, b] = await Promise.all([newActor(), newActor()]);
  aPending = await create(a, aPendingBody);
  aDone = await create(a, aDoneBody);
  bPending = await create(b, {
    title: "Zebra crossing repaint",
    priority: "high",
    tags: ["work"],
    due: dueAtInstant(Date.now() + 3 * 24 * hour),
  });
  bDone = await create(b, { title: "Laundry", completed: true });
  aSnapshot = await rowsOf(a.id);
  expect(aSnapshot).toHaveLength(2);
});

/** Checks, straight from the database, that A's tasks are exactly as they were created. */
async function expectAUntouched(): Promise<void> {
  expect(await rowsOf(a.id)).toEqual(aSnapshot);
}

type Target = "pending" | "completed";
const targetTask = (target: Target) => (target === "pending" ? aPending : aDone);

/** The item routes and methods, each with a body that would change the task if it were B's. */
const itemCalls: { label: string; method: string; suffix: "" | "/complete"; body?: unknown; writes: boolean }[] = [
  { label: "GET", method: "GET", suffix: "", writes: false },
  { label: "HEAD", method: "HEAD", suffix: "", writes: false },
  {
    label: "PUT",
    method: "PUT",
    suffix: "",
    body: { title: "Hijacked", completed: true, priority: "none", tags: [] },
    writes: true,
  },
  { label: "PATCH (merge patch)", method: "PATCH", suffix: "", body: { title: "Hijacked", tags: null }, writes: true },
  { label: "PATCH (empty merge patch)", method: "PATCH", suffix: "", body: {}, writes: true },
  { label: "PATCH /complete (toggle)", method: "PATCH", suffix: "/complete", writes: true },
  {
    label: "PATCH /complete {completed: true}",
    method: "PATCH",
    suffix: "/complete",
    body: { completed: true },
    writes: true,
  },
  {
    label: "PATCH /complete {completed: false}",
    method: "PATCH",
    suffix: "/complete",
    body: { completed: false },
    writes: true,
  },
  { label: "DELETE", method: "DELETE", suffix: "", writes: true },
];

/** `If-Match` values: none, any, A's real current version (a 412 here would be an existence oracle), a stale one. */
const preconditions: { precondition: string; ifMatch: (task: TaskOutput) => string | undefined }[] = [
  { precondition: "no If-Match", ifMatch: () => undefined },
  { precondition: "If-Match: *", ifMatch: () => "*" },
  { precondition: "If-Match naming A's current version", ifMatch: (task) => `"${task.version}"` },
  { precondition: "a stale If-Match", ifMatch: () => '"999"' },
];

const ownPathCells = (["pending", "completed"] as const).flatMap((target) =>
  itemCalls.flatMap((itemCall) =>
    (itemCall.writes ? preconditions : preconditions.slice(0, 1)).map((precondition) => ({
      ...itemCall,
      ...precondition,
      target,
    })),
  ),
);

describe("B acting on A's task ids under B's own path", () => {
  it.each(ownPathCells)(
    "$label with $precondition on A's $target task answers 404 and changes nothing",
    async (cell) => {
      const task = targetTask(cell.target);
      const ifMatch = cell.ifMatch(task);
      const send = (id: string) =>
        call(`${tasksOf(b.id)}/${id}${cell.suffix}`, {
          method: cell.method,
          token: b.token,
          body: cell.body,
          headers: ifMatch === undefined ? {} : { "If-Match": ifMatch },
        });

      const everyRowBefore = await rowsOf();
      const response = await send(task.id);
      // The same request for an id nobody has: the answers must not differ in anything a client can see.
      const unknown = await send(crypto.randomUUID());

      expect(response.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect(response.headers.get("etag")).toBeNull();
      if (cell.method === "HEAD") {
        expect(await response.text()).toBe("");
      } else {
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        const text = await response.text();
        expect(JSON.parse(text)).toMatchObject({ status: 404, code: "task_not_found" });
        expect(text).toBe(await unknown.text());
        expect(text).not.toContain(task.title);
        expect(text).not.toContain(a.id);
      }
      expect(await rowsOf()).toEqual(everyRowBefore);
      await expectAUntouched();
    },
  );
});

/** Every route and method under A's path, sent with B's token. */
const foreignPathCalls: { label: string; method: string; path: () => string; body?: unknown }[] = [
  { label: "GET the list", method: "GET", path: () => tasksOf(a.id) },
  { label: "GET the list with filters", method: "GET", path: () => `${tasksOf(a.id)}?status=completed&q=zebra` },
  { label: "GET the list with an invalid limit", method: "GET", path: () => `${tasksOf(a.id)}?limit=abc` },
  { label: "HEAD the list", method: "HEAD", path: () => tasksOf(a.id) },
  { label: "POST a task", method: "POST", path: () => tasksOf(a.id), body: { title: "Planted by B" } },
  {
    label: "POST a replay of A's own create",
    method: "POST",
    path: () => tasksOf(a.id),
    body: aPendingBody,
  },
  { label: "POST an invalid task", method: "POST", path: () => tasksOf(a.id), body: { title: "" } },
  { label: "PATCH mark all complete", method: "PATCH", path: () => tasksOf(a.id), body: { completed: true } },
  { label: "PATCH mark all pending", method: "PATCH", path: () => tasksOf(a.id), body: { completed: false } },
  { label: "DELETE completed tasks", method: "DELETE", path: () => `${tasksOf(a.id)}?status=completed` },
  { label: "DELETE without ?status", method: "DELETE", path: () => tasksOf(a.id) },
  { label: "GET a task", method: "GET", path: () => `${tasksOf(a.id)}/${aPending.id}` },
  { label: "HEAD a task", method: "HEAD", path: () => `${tasksOf(a.id)}/${aPending.id}` },
  {
    label: "PUT a task",
    method: "PUT",
    path: () => `${tasksOf(a.id)}/${aPending.id}`,
    body: { title: "Hijacked", completed: true },
  },
  {
    label: "PATCH a task",
    method: "PATCH",
    path: () => `${tasksOf(a.id)}/${aPending.id}`,
    body: { title: "Hijacked" },
  },
  { label: "DELETE a task", method: "DELETE", path: () => `${tasksOf(a.id)}/${aPending.id}` },
  { label: "DELETE a completed task", method: "DELETE", path: () => `${tasksOf(a.id)}/${aDone.id}` },
  { label: "PATCH /complete (toggle)", method: "PATCH", path: () => `${tasksOf(a.id)}/${aPending.id}/complete` },
  {
    label: "PATCH /complete {completed: false}",
    method: "PATCH",
    path: () => `${tasksOf(a.id)}/${aDone.id}/complete`,
    body: { completed: false },
  },
  { label: "GET a task id that does not exist", method: "GET", path: () => `${tasksOf(a.id)}/${crypto.randomUUID()}` },
  { label: "GET B's own task through A's path", method: "GET", path: () => `${tasksOf(a.id)}/${bPending.id}` },
  {
    label: "DELETE B's own task through A's path",
    method: "DELETE",
    path: () => `${tasksOf(a.id)}/${bPending.id}`,
  },
  { label: "GET a non-UUID task id", method: "GET", path: () => `${tasksOf(a.id)}/not-a-uuid` },
];

describe("B's token on A's path", () => {
  it.each(foreignPathCalls)("$label answers 403 and changes nothing", async ({ method, path, body }) => {
    const everyRowBefore = await rowsOf();
    const response = await call(path(), { method, token: b.token, body });

    expect(response.status).toBe(403);
    if (method !== "HEAD") {
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ status: 403, code: "forbidden" });
      expect(text).not.toContain(aPending.title);
    }
    expect(await rowsOf()).toEqual(everyRowBefore);
    await expectAUntouched();
  });
});

describe("B's list", () => {
  const ownTask = (key: "pending" | "done") => (key === "pending" ? bPending : bDone);

  it.each<[string, string, ("pending" | "done")[]]>([
    ["no filter", "", ["pending", "done"]],
    ["status=all", "status=all", ["pending", "done"]],
    ["status=pending", "status=pending", ["pending"]],
    ["status=completed", "status=completed", ["done"]],
    ["priority=high (A has one too)", "priority=high", ["pending"]],
    ["priority=low (only A has one)", "priority=low", []],
    ["tag=work (both have it)", "tag=work", ["pending"]],
    ["tag=secret (only A has it)", "tag=secret", []],
    ["q=zebra (in all three titles)", "q=zebra", ["pending"]],
    ["q=ZEBRA in another letter case", "q=ZEBRA", ["pending"]],
    ["q=confidential (only in A's descriptions)", "q=confidential", []],
    ["q=merger memo (only in A's description)", "q=merger%20memo", []],
    ["q=Quarterly zebra report (A's exact title)", "q=Quarterly%20zebra%20report", []],
    ["q=zebra with status=completed (only A's)", "q=zebra&status=completed", []],
    ["due=overdue (only A's)", "due=overdue", []],
    ["due=none (both have one)", "due=none", ["done"]],
    ["due=week", "due=week", ["pending"]],
    ["sort=title", "sort=title&order=asc", ["pending", "done"]],
    ["sort=due", "sort=due", ["pending", "done"]],
    ["sort=priority descending", "sort=priority&order=desc", ["pending", "done"]],
    ["sort=updated with limit=1", "sort=updated&limit=1", ["pending", "done"]],
  ])("with %s never includes or counts A's tasks", async (_, query, expected) => {
    const everyRowBefore = await rowsOf();
    const seen: TaskOutput[] = [];
    let next: string | undefined = `${tasksOf(b.id)}?${query}`;
    const totals = new Set<string | null>();
    while (next) {
      const response: Response = await call(next, { token: b.token });
      expect(response.status).toBe(200);
      totals.add(response.headers.get("x-total-count"));
      seen.push(...((await response.json()) as TaskOutput[]));
      next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    }

    expect(seen.every((task) => task.userId === b.id)).toBe(true);
    expect(seen.map((task) => task.id)).not.toContain(aPending.id);
    expect(seen.map((task) => task.id)).not.toContain(aDone.id);
    expect(seen.map((task) => task.id).sort()).toEqual(expected.map((key) => ownTask(key).id).sort());
    expect([...totals]).toEqual([String(expected.length)]);
    expect(await rowsOf()).toEqual(everyRowBefore);
    await expectAUntouched();
  });

  it("is empty, with a count of 0, for a user with no tasks even when the search matches A's", async () => {
    const stranger = await newActor();
    for (const query of ["", "?q=zebra", "?tag=secret", "?status=completed", "?priority=high"]) {
      const response = await call(`${tasksOf(stranger.id)}${query}`, { token: stranger.token });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([]);
      expect(response.headers.get("x-total-count")).toBe("0");
      expect(response.headers.get("link")).toBeNull();
    }
    await expectAUntouched();
  });
});

describe("B's collection writes", () => {
  it("marks all of B's tasks complete and then pending without touching A's", async () => {
    const stranger = await newActor();
    await create(stranger, { title: "One" });
    await create(stranger, { title: "Two" });
    await create(stranger, { title: "Three", completed: true });

    const complete = await call(tasksOf(stranger.id), {
      method: "PATCH",
      token: stranger.token,
      body: { completed: true },
    });
    expect(complete.status).toBe(200);
    expect(await complete.json()).toMatchObject({ updated: 2 });
    await expectAUntouched();

    const pending = await call(tasksOf(stranger.id), {
      method: "PATCH",
      token: stranger.token,
      body: { completed: false },
    });
    expect(pending.status).toBe(200);
    expect(await pending.json()).toMatchObject({ updated: 3 });
    await expectAUntouched();
    const states = await sql<{ completed: boolean }>("select completed from tasks where user_id = $1", [stranger.id]);
    expect(states.map((row) => row.completed)).toEqual([false, false, false]);
  });

  it("marks nothing and counts nothing for a user without tasks, while A has tasks in both states", async () => {
    const stranger = await newActor();
    for (const completed of [true, false]) {
      const response = await call(tasksOf(stranger.id), {
        method: "PATCH",
        token: stranger.token,
        body: { completed },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ updated: 0, ids: [] });
    }
    await expectAUntouched();
  });

  it("clears only B's completed tasks, never A's", async () => {
    const stranger = await newActor();
    const kept = await create(stranger, { title: "Still to do" });
    await create(stranger, { title: "Done one", completed: true });
    await create(stranger, { title: "Done two", completed: true });

    const cleared = await call(`${tasksOf(stranger.id)}?status=completed`, { method: "DELETE", token: stranger.token });
    expect(cleared.status).toBe(200);
    expect(await cleared.json()).toMatchObject({ deleted: 2 });
    const left = await sql<{ id: string }>("select id from tasks where user_id = $1", [stranger.id]);
    expect(left).toEqual([{ id: kept.id }]);
    await expectAUntouched();

    const again = await call(`${tasksOf(stranger.id)}?status=completed`, { method: "DELETE", token: stranger.token });
    expect(await again.json()).toMatchObject({ deleted: 0, ids: [] });
    await expectAUntouched();
  });

  it("leaves B's own tasks alone when B's requests are refused on A's path", async () => {
    const everyRowBefore = await rowsOf(b.id);
    expect(everyRowBefore.length).toBeGreaterThan(0);
    const markAll = await call(tasksOf(a.id), { method: "PATCH", token: b.token, body: { completed: true } });
    const clear = await call(`${tasksOf(a.id)}?status=completed`, { method: "DELETE", token: b.token });
    expect([markAll.status, clear.status]).toEqual([403, 403]);
    expect(await rowsOf(b.id)).toEqual(everyRowBefore);
    await expectAUntouched();
  });
});

describe("B creating a task with A's task id", () => {
  // A task id is a random (version 4) UUID: 122 random bits, never listed or shown to
  // anyone but its owner. B can only send A's id by already knowing it, so the 409
  // below does not let anyone discover ids by guessing; what matters is that the
  // answer reveals nothing of A's task and changes nothing.
  it.each<[string, () => Record<string, unknown>]>([
    ["replaying A's exact create body", () => aPendingBody],
    ["replaying A's completed task's exact body", () => aDoneBody],
    ["with a body of B's own", () => ({ id: aPending.id, title: "B's own idea" })],
    ["with A's title but other fields", () => ({ id: aPending.id, title: aPending.title, priority: "low" })],
  ])("%s answers 409 and reveals and alters nothing", async (_, body) => {
    const everyRowBefore = await rowsOf();
    const response = await call(tasksOf(b.id), { token: b.token, body: body() });

    expect(response.status).toBe(409);
    expect(response.headers.get("etag")).toBeNull();
    expect(response.headers.get("location")).toBeNull();
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: 409, code: "id_conflict" });
    for (const secret of [a.id, aPending.title, aPending.description, aDone.title]) expect(text).not.toContain(secret);
    expect(await rowsOf()).toEqual(everyRowBefore);
    expect(
      await sql("select id from tasks where user_id = $1 and id = any($2::uuid[])", [b.id, [aPending.id, aDone.id]]),
    ).toEqual([]);
    await expectAUntouched();
  });

  it("leaves A's replay of the same create answering 200 with A's unchanged task", async () => {
    const response = await call(tasksOf(a.id), { token: a.token, body: aPendingBody });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(aPending);
    await expectAUntouched();
  });
});
