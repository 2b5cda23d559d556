import { beforeAll, describe, expect, it } from "vitest";
import { dueSortKey } from "../src/tasks/due.ts";
import { compareCodePoints, titleKey } from "../src/tasks/task-text.ts";
import type { TaskOutput } from "../src/tasks/tasks.schemas.ts";
import { accessToken, call, signUp } from "./fixtures.ts";
import { sql } from "./stand-in-control.ts";

/**
 * Keyset pagination (docs/tasks-api.md, "Listing"): walking every page of every sort order with
 * `limit=7`, while tasks are created and deleted between page fetches, must never
 * repeat a task, never skip one that was there the whole time, and keep each page —
 * and the walk as a whole — in the promised order, ties broken by id.
 */

type Sort = "created" | "updated" | "title" | "due" | "priority";
type Order = "asc" | "desc";

const priorities = ["none", "low", "medium", "high"] as const;
const limit = 7;
const day = 24 * 60 * 60 * 1000;

let user: { id: string; token: string };
const tasksPath = () => `/api/${user.id}/tasks`;

/** Titles with case-only differences and exact duplicates, so the title order has ties to break. */
const titles = [
  "Same title",
  "same TITLE",
  "SAME TITLE",
  "apple",
  "Apple",
  "Banana split",
  "banana",
  "cherry",
  "_underscore first",
  "123 numbers",
  "Zebra",
  "zebra",
  "a",
  "Z",
  "Same title",
  "Éclair",
  "éCLAIR",
  "Ωmega",
];
/** A due date several tasks share exactly. */
const sharedDue = { date: "2031-03-03", time: "12:00", timeZone: "UTC" };
/** Creation times several tasks share exactly (set in the database after creating them). */
const sharedCreated = ["2025-01-01 00:00:00+00", "2025-06-01 12:30:00.5+00"];

/** A due date `days` after 2030-01-01: all day for even `i`, else at 09:00 UTC. */
function spreadDue(i: number, days: number) {
  const date = new Date(Date.UTC(2030, 0, 1) + days * day).toISOString().slice(0, 10);
  return i % 2 === 0 ? { date, time: null, timeZone: null } : { date, time: "09:00", timeZone: "UTC" };
}

function bodyFor(i: number) {
  return {
    id: crypto.randomUUID(),
    title: titles[i % titles.length] ?? "fallback",
    priority: priorities[(i * 7) % priorities.length],
    // Every fifth task has no due date; every seventh shares one; the others spread over the year,
    // every other one all day (sorted at the start of its day, in UTC here: the person's zone).
    due: i % 5 === 0 ? null : i % 7 === 0 ? sharedDue : spreadDue(i, (i * 37) % 41),
    completed: i % 3 === 0,
    tags: i % 4 === 0 ? ["even"] : ["odd"],
    description: i % 6 === 0 ? "mentions the apple harvest" : "",
  };
}

async function create(body: Record<string, unknown>): Promise<TaskOutput> {
  const response = await call(tasksPath(), { token: user.token, body });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as TaskOutput;
}

async function remove(id: string): Promise<void> {
  const response = await call(`${tasksPath()}/${id}`, { method: "DELETE", token: user.token });
  expect(response.status).toBe(204);
}

async function countInDatabase(where = "true"): Promise<number> {
  const [row] = await sql<{ n: number }>(`select count(*)::int as n from tasks where user_id = $1 and (${where})`, [
    user.id,
  ]);
  return row?.n ?? -1;
}

const nextLink = (response: Response) => /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];

beforeAll(async () => {
  const signedUp = await signUp();
  user = { id: signedUp.id, token: await accessToken(signedUp.cookie) };
  const created: TaskOutput[] = [];
  for (let chunk = 0; chunk < 6; chunk++) {
    created.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => create(bodyFor(chunk * 10 + j))))));
  }
  // Exact ties on the creation and update times, which the id must break.
  for (const [n, at] of sharedCreated.entries()) {
    const ids = created.filter((_, i) => i % 6 === n).map((task) => task.id);
    await sql("update tasks set created_at = $1, updated_at = $1 where id = any($2::uuid[])", [at, ids]);
  }
  expect(await countInDatabase()).toBe(60);
});

/** The value a task is listed by, as the contract describes it. */
function keyOf(task: TaskOutput, sort: Sort): string | number | null {
  switch (sort) {
    case "created":
      return task.createdAt;
    case "updated":
      return task.updatedAt;
    case "title":
      return titleKey(task.title);
    case "due":
      return dueSortKey(task.due, { zone: "UTC", personZone: "UTC" });
    case "priority":
      return priorities.indexOf(task.priority);
  }
}

/** Negative when `a` is listed before `b`: by key in the chosen order (no due date last either way), then by id. */
function compare(a: TaskOutput, b: TaskOutput, sort: Sort, order: Order): number {
  const direction = order === "asc" ? 1 : -1;
  const ka = keyOf(a, sort);
  const kb = keyOf(b, sort);
  if (ka === null && kb !== null) return 1;
  if (kb === null && ka !== null) return -1;
  if (ka !== null && kb !== null && ka !== kb) {
    const before = typeof ka === "string" && typeof kb === "string" ? compareCodePoints(ka, kb) < 0 : ka < kb;
    return (before ? -1 : 1) * direction;
  }
  return a.id === b.id ? 0 : (a.id < b.id ? -1 : 1) * direction;
}

/** Every current task, read through one full page and checked against the database. */
async function everyTask(): Promise<TaskOutput[]> {
  const response = await call(`${tasksPath()}?limit=100`, { token: user.token });
  expect(response.status).toBe(200);
  expect(nextLink(response)).toBeUndefined();
  const tasks = (await response.json()) as TaskOutput[];
  const ids = await sql<{ id: string }>("select id from tasks where user_id = $1", [user.id]);
  expect(tasks.map((task) => task.id).sort()).toEqual(ids.map(({ id }) => id).sort());
  return tasks;
}

describe("ties on the sort key", () => {
  it.each<[string, string, number]>([
    ["equal titles in any letter case", "q=same%20title&sort=title", 4],
    ["equal non-ASCII titles in any letter case", "q=clair&sort=title", 4],
    ["one priority", "priority=medium&sort=priority", 8],
    ["tasks without a due date", "due=none&sort=due", 8],
  ])("walks a run of %s one task per page, in id order both ways", async (_, query, atLeast) => {
    for (const order of ["asc", "desc"] as const) {
      const ids: string[] = [];
      let url: string | undefined = `${tasksPath()}?${query}&order=${order}&limit=1`;
      while (url) {
        const response: Response = await call(url, { token: user.token });
        expect(response.status).toBe(200);
        ids.push(...((await response.json()) as TaskOutput[]).map((task) => task.id));
        url = nextLink(response);
      }
      expect(ids.length).toBeGreaterThanOrEqual(atLeast);
      const sorted = [...ids].sort();
      expect(ids).toEqual(order === "asc" ? sorted : sorted.reverse());
    }
  });
});

describe("X-Total-Count", () => {
  it.each<[string, string, string]>([
    ["status=pending", "status=pending", "not completed"],
    ["status=completed", "status=completed", "completed"],
    ["priority=high", "priority=high", "priority = 'high'"],
    ["status=pending&priority=low", "status=pending&priority=low", "not completed and priority = 'low'"],
    ["due=none", "due=none", "due_date is null"],
    ["tag=even", "tag=even", "'even' = any(tags)"],
    ["q=apple (title or description)", "q=apple", "title ilike '%apple%' or description ilike '%apple%'"],
    ["status=pending&sort=title", "status=pending&sort=title", "not completed"],
    ["status=pending&sort=due&order=desc", "status=pending&sort=due&order=desc", "not completed"],
  ])("with %s counts every matching task on every page", async (_, query, where) => {
    const expected = await countInDatabase(where);
    expect(expected).toBeGreaterThan(limit);
    expect(expected).toBeLessThan(await countInDatabase());

    const seen: string[] = [];
    let url: string | undefined = `${tasksPath()}?${query}&limit=${limit}`;
    while (url) {
      const response: Response = await call(url, { token: user.token });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-total-count")).toBe(String(expected));
      seen.push(...((await response.json()) as TaskOutput[]).map((task) => task.id));
      url = nextLink(response);
    }
    expect(seen).toHaveLength(expected);
    expect(new Set(seen).size).toBe(expected);
  });

  it("is 0 for filters that match nothing, without a next link", async () => {
    const response = await call(`${tasksPath()}?q=no-such-words-anywhere&limit=${limit}`, { token: user.token });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
    expect(response.headers.get("x-total-count")).toBe("0");
    expect(response.headers.get("link")).toBeNull();
  });
});

/** A cursor as the API encodes one, with any payload: base64url of its JSON. */
function forge(payload: unknown): string {
  return Buffer.from(JSON.stringify(payload)).toString("base64url");
}

async function firstCursor(query: string): Promise<string> {
  const response = await call(`${tasksPath()}?${query}&limit=2`, { token: user.token });
  const link = nextLink(response);
  const cursor = link && new URL(link, "http://localhost").searchParams.get("cursor");
  if (!cursor) throw new Error(`no next page for ${query}`);
  return cursor;
}

async function expectInvalidParameter(url: string, path: string): Promise<void> {
  const response = await call(url, { token: user.token });
  expect(response.status).toBe(400);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = (await response.json()) as { code: string; errors?: { path: string }[] };
  expect(body.code).toBe("invalid_parameter");
  expect(body.errors?.map((error) => error.path)).toContain(path);
}

describe("cursors", () => {
  const id = "5b0c7c1e-4d8e-4f7a-9a53-2f1f0b6f2d4e";

  it.each<[string, () => Promise<string> | string, string]>([
    ["not base64 at all", () => "!!!not-a-cursor!!!", "sort=created"],
    ["base64 of something that is not JSON", () => Buffer.from("hello").toString("base64url"), "sort=created"],
    ["JSON without the expected fields", () => forge({ hello: "world" }), "sort=created"],
    ["a non-UUID id", () => forge({ s: "created", o: "desc", k: "2026-01-01 00:00:00+00", i: "42" }), "sort=created"],
    ["a key that is not a timestamp", () => forge({ s: "created", o: "desc", k: "yesterday", i: id }), "sort=created"],
    ["a priority that does not exist", () => forge({ s: "priority", o: "asc", k: "urgent", i: id }), "sort=priority"],
    [
      "SQL in a timestamp key",
      () => forge({ s: "due", o: "asc", k: "2026-01-01 00:00:00+00'; drop table tasks; --", i: id }),
      "sort=due",
    ],
    [
      "an impossible date in a timestamp-shaped key",
      () => forge({ s: "created", o: "desc", k: "2026-13-45 99:99:99+00", i: id }),
      "sort=created",
    ],
    [
      "year zero in a timestamp-shaped key",
      () => forge({ s: "due", o: "asc", k: "0000-01-01 00:00:00+00", i: id }),
      "sort=due",
    ],
    ["a NUL character in a title key", () => forge({ s: "title", o: "asc", k: "a\u0000b", i: id }), "sort=title"],
    ["a real cursor cut in half", async () => (await firstCursor("sort=title")).slice(0, 20), "sort=title"],
    [
      "a cursor longer than 1000 characters",
      () => forge({ s: "title", o: "asc", k: "x".repeat(900), i: id }),
      "sort=title",
    ],
  ])("refuses a cursor that is %s with 400", async (_, cursor, query) => {
    const value = await cursor();
    await expectInvalidParameter(`${tasksPath()}?${query}&cursor=${encodeURIComponent(value)}`, "cursor");
  });

  it.each<[string, string]>([
    ["sort=title", "sort=due"],
    ["sort=created", "sort=updated"],
    ["sort=priority", "sort=title"],
    ["sort=title&order=asc", "sort=title&order=desc"],
    ["sort=created", "sort=created&order=asc"],
    ["sort=due&order=desc", "sort=due"],
  ])("refuses a cursor from %s used with %s", async (issuedFor, usedWith) => {
    const cursor = await firstCursor(issuedFor);
    await expectInvalidParameter(`${tasksPath()}?${usedWith}&cursor=${cursor}`, "cursor");
  });

  it("accepts a cursor with other filters (it names a position only) and keeps the order", async () => {
    const cursor = await firstCursor("sort=title");
    const response = await call(`${tasksPath()}?sort=title&status=pending&cursor=${cursor}&limit=100`, {
      token: user.token,
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as TaskOutput[];
    expect(page.length).toBeGreaterThan(0);
    expect(page.every((task) => !task.completed)).toBe(true);
    for (let i = 1; i < page.length; i++) {
      expect(compare(page[i - 1] as TaskOutput, page[i] as TaskOutput, "title", "asc")).toBeLessThan(0);
    }
  });

  it("treats SQL in a forged title cursor as a position, never as SQL", async () => {
    const total = await countInDatabase();
    const cursor = forge({ s: "title", o: "asc", k: "m'); delete from tasks; --", i: id });
    const response = await call(`${tasksPath()}?sort=title&cursor=${cursor}&limit=100`, { token: user.token });
    expect(response.status).toBe(200);
    const page = (await response.json()) as TaskOutput[];
    expect(page.every((task) => compareCodePoints(titleKey(task.title), "m'); delete from tasks; --") > 0)).toBe(true);
    expect(await countInDatabase()).toBe(total);
  });
});

describe("query parameters", () => {
  it.each(["0", "101", "abc", "-1", "1.5", "", "1e3"])("refuses limit=%s with 400", async (value) => {
    await expectInvalidParameter(`${tasksPath()}?limit=${value}`, "limit");
  });

  it.each(["1", "100"])("accepts limit=%s", async (value) => {
    const response = await call(`${tasksPath()}?limit=${value}`, { token: user.token });
    expect(response.status).toBe(200);
    expect(((await response.json()) as TaskOutput[]).length).toBe(Number(value) === 1 ? 1 : await countInDatabase());
  });

  it.each(["page=2", "offset=7", "Sort=title", "foo=bar", "status=pending&per_page=5"])(
    "refuses an unknown parameter (%s) with 400 naming it",
    async (query) => {
      const response = await call(`${tasksPath()}?${query}`, { token: user.token });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code: string; detail: string };
      expect(body.code).toBe("invalid_parameter");
      const name = query.split("&").at(-1)?.split("=")[0] ?? "";
      expect(body.detail).toContain(`Unknown parameter: ${name}`);
    },
  );

  it.each(["sort=name", "order=up", "status=done", "priority=urgent", "due=tomorrow", "tz=Mars/Olympus"])(
    "refuses an unknown value (%s) with 400",
    async (query) => {
      await expectInvalidParameter(`${tasksPath()}?${query}`, query.split("=")[0] ?? "");
    },
  );
});

let insertCounter = 0;

// Last, because the walks replace most of the tasks the other tests were arranged around.
describe("walking every page while tasks come and go", () => {
  const walks = (["created", "updated", "title", "due", "priority"] as const).flatMap((sort) =>
    (["asc", "desc"] as const).map((order) => ({ sort, order })),
  );

  it.each(walks)(
    "sort=$sort order=$order returns every task that stayed exactly once, in order",
    async ({ sort, order }) => {
      const before = await everyTask();
      const beforeIds = new Set(before.map((task) => task.id));
      const returned: TaskOutput[] = [];
      const deletedUnseen = new Set<string>();
      const deletedSeen = new Set<string>();
      /** Tasks created during the walk, and whether they sort after the position the walk had reached. */
      const inserted: { task: TaskOutput; afterCursor: boolean }[] = [];

      let url: string | undefined = `${tasksPath()}?sort=${sort}&order=${order}&limit=${limit}`;
      let pages = 0;
      while (url) {
        const expectedTotal = await countInDatabase();
        const response: Response = await call(url, { token: user.token });
        expect(response.status).toBe(200);
        expect(response.headers.get("x-total-count")).toBe(String(expectedTotal));
        const page = (await response.json()) as TaskOutput[];
        pages += 1;
        // Each page on its own is in order.
        for (let i = 1; i < page.length; i++) {
          expect(compare(page[i - 1] as TaskOutput, page[i] as TaskOutput, sort, order)).toBeLessThan(0);
        }
        returned.push(...page);
        url = nextLink(response);
        if (!url) {
          expect(page.length).toBeLessThanOrEqual(limit);
          break;
        }
        expect(page).toHaveLength(limit);
        expect(pages).toBeLessThan(40);

        // Between pages: create two tasks and delete one task already seen and one not yet seen.
        const cursor = page.at(-1) as TaskOutput;
        const step = pages;
        insertCounter += 1;
        const twin = await create({
          // The same title, priority and due date as the last task seen: only the id decides its side.
          title: cursor.title,
          priority: cursor.priority,
          due: cursor.due,
          tags: ["inserted"],
        });
        const stranger = await create({
          title: `${String.fromCharCode(97 + ((insertCounter * 5) % 26))} inserted ${insertCounter}`,
          priority: priorities[insertCounter % priorities.length],
          due: insertCounter % 3 === 0 ? null : spreadDue(insertCounter, insertCounter % 50),
          tags: ["inserted"],
        });
        for (const task of [twin, stranger])
          inserted.push({ task, afterCursor: compare(cursor, task, sort, order) < 0 });

        const seenIds = new Set(returned.map((task) => task.id));
        const unseen = before
          .filter((task) => !seenIds.has(task.id) && !deletedUnseen.has(task.id))
          .sort((x, y) => compare(x, y, sort, order));
        // Alternately the very next task and one further on.
        const victim = step % 2 === 0 ? unseen[0] : unseen[Math.floor(unseen.length / 2)];
        if (victim) {
          await remove(victim.id);
          deletedUnseen.add(victim.id);
        }
        // Alternately the row the cursor points at and one from an earlier page.
        const seenCandidates = returned.filter((task) => beforeIds.has(task.id) && !deletedSeen.has(task.id));
        const seen = step % 2 === 1 ? cursor : seenCandidates[Math.floor(seenCandidates.length / 3)];
        if (seen && !deletedSeen.has(seen.id)) {
          await remove(seen.id);
          deletedSeen.add(seen.id);
        }
      }

      const ids = returned.map((task) => task.id);
      // Nothing twice.
      expect(new Set(ids).size).toBe(ids.length);
      // The walk as a whole is in order: no page starts before the previous one ended.
      for (let i = 1; i < returned.length; i++) {
        expect(compare(returned[i - 1] as TaskOutput, returned[i] as TaskOutput, sort, order)).toBeLessThan(0);
      }
      // Exactly these: every task present from start to end, every task seen before it was deleted, and
      // every task created during the walk behind the position already reached.
      const stayed = before.filter((task) => !deletedUnseen.has(task.id) && !deletedSeen.has(task.id));
      const expected = [
        ...stayed.map((task) => task.id),
        ...deletedSeen,
        ...inserted.filter(({ afterCursor }) => afterCursor).map(({ task }) => task.id),
      ];
      expect([...ids].sort()).toEqual([...new Set(expected)].sort());
      for (const id of deletedUnseen) expect(ids).not.toContain(id);
      expect(returned.every((task) => task.userId === user.id)).toBe(true);
      // The walk really ran across pages and mutations.
      expect(pages).toBeGreaterThanOrEqual(7);
      expect(deletedUnseen.size).toBeGreaterThan(0);
      expect(deletedSeen.size).toBeGreaterThan(0);
    },
  );
});
