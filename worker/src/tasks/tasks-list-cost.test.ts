import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { roundTrips, sql } from "../../test/stand-in-control.ts";
import { type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";
import { readConfig } from "../config.ts";
import { getDatabase } from "../db/client.ts";
import { createTask, getTask, listTasks, patchTask, readChanges } from "./tasks.repo.ts";
import { CreateTask, ListQuery, PatchTask } from "./tasks.schemas.ts";
import { setCompleted } from "./tasks-completion.repo.ts";

/**
 * What a page costs (issue "list cost flat"): the total is capped so a page never counts
 * every matching task, the list statement is built once per shape, and rows go to the
 * answer as Postgres wrote them.
 */

let user: TaskUser;

/** Inserts `count` tasks for the user straight into the database (the API would take minutes for a thousand). */
async function insertTasks(userId: string, count: number, title: string) {
  await sql(
    `INSERT INTO tasks (id, user_id, title, created_at, updated_at)
     SELECT gen_random_uuid(), $1, $2 || ' ' || n, now() - make_interval(secs => n), now() - make_interval(secs => n)
     FROM generate_series(1, $3::integer) AS n`,
    [userId, title, count],
  );
}

beforeAll(async () => {
  user = await taskUser();
  await insertTasks(user.id, 999, "filler");
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("X-Total-Count", () => {
  it("is exact up to 1 000 and 1000+ beyond, on every page and for filters", async () => {
    // 999 tasks: exact.
    expect((await user.list("limit=5")).headers.get("x-total-count")).toBe("999");
    await insertTasks(user.id, 1, "filler");
    expect((await user.list("limit=5")).headers.get("x-total-count")).toBe("1000");
    await insertTasks(user.id, 1, "filler");
    const first = await user.list("limit=5");
    expect(first.headers.get("x-total-count")).toBe("1000+");
    // A later page and a filter matching more than 1 000 say the same; a narrower filter stays exact.
    const next = first.headers.get("link")?.match(/<([^>]+)>/)?.[1];
    expect(next).toBeDefined();
    const second = await user.send(next?.slice(user.base.length) ?? "");
    expect(second.headers.get("x-total-count")).toBe("1000+");
    expect((await user.list("q=filler&status=pending")).headers.get("x-total-count")).toBe("1000+");
    // Every word must match: "filler" and "10" (in 10, 100–109 and 110, 210, … 910).
    expect((await user.list("q=filler%2010")).headers.get("x-total-count")).toBe("20");
  });

  it("counts a page past the last task in the same round trip", async () => {
    const other = await taskUser();
    const older = await other.add({ title: "older" });
    const newer = await other.add({ title: "newer" });
    const first = await other.list("limit=1");
    expect(((await first.json()) as TaskJson[]).map((task) => task.id)).toEqual([newer.id]);
    const next = first.headers.get("link")?.match(/<([^>]+)>/)?.[1] ?? "";
    expect(next).not.toBe("");
    // The next page would hold the older task: once it is gone, the cursor points past the end.
    expect((await other.remove(older.id)).status).toBe(204);
    const before = await roundTrips();
    const past = await other.send(next.slice(other.base.length));
    expect((await roundTrips()) - before).toBe(1);
    expect(past.status).toBe(200);
    expect(await past.json()).toEqual([]);
    expect(past.headers.get("x-total-count")).toBe("1");
  });
});

/** A plan node of `EXPLAIN (ANALYZE, FORMAT JSON)`, as much of it as the test reads. */
interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  /** An index-only scan's visits to the table (over all its loops): rows on pages not known all-visible. */
  "Heap Fetches"?: number;
  "Parent Relationship"?: string;
  "Subplan Name"?: string;
  Plans?: PlanNode[];
}

/** Each node that reads `relation`: the rows it kept and the rows it read and dropped (filter, recheck), over all its loops. */
function reads(node: PlanNode, relation: string): { kept: number; dropped: number }[] {
  const loops = node["Actual Loops"];
  const own =
    node["Relation Name"] === relation
      ? [
          {
            kept: node["Actual Rows"] * loops,
            dropped: ((node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Index Recheck"] ?? 0)) * loops,
          },
        ]
      : [];
  return [...own, ...(node.Plans ?? []).flatMap((child) => reads(child, relation))];
}

/**
 * The table rows a plan fetched from `relation`: every row a table or index scan went through (kept or
 * dropped by its filter), and an index-only scan's heap fetches — the rows an index could not answer for.
 */
function tableRows(node: PlanNode, relation: string): number {
  const loops = node["Actual Loops"];
  const own =
    node["Relation Name"] !== relation
      ? 0
      : node["Node Type"] === "Index Only Scan"
        ? (node["Heap Fetches"] ?? 0)
        : (node["Actual Rows"] + (node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Index Recheck"] ?? 0)) *
          loops;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + tableRows(child, relation), 0);
}

describe("a page of a long list", () => {
  const db = () => getDatabase(readConfig(env));

  /** The statement and parameters the Worker sent for a list, run again under EXPLAIN ANALYZE. */
  async function explainList(userId: string, raw: Record<string, string>) {
    const sent: { query: string; params: unknown[] }[] = [];
    const original = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      if (typeof init?.body === "string" && init.body.includes('"query"')) sent.push(JSON.parse(init.body));
      return original(input, init);
    });
    const page = await listTasks(db(), userId, ListQuery.parse(raw));
    vi.restoreAllMocks();
    expect(sent).toHaveLength(1);
    const [{ query, params }] = sent as [{ query: string; params: unknown[] }];
    const [row] = await sql<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`, params);
    return { page, plan: row?.["QUERY PLAN"][0].Plan as PlanNode };
  }

  it("counts past 1 000 without reading every matching task", async () => {
    const many = await taskUser();
    // 5 000 tasks, a thousand per statement (each well inside the driver's timeout on a busy
    // machine); statistics as autovacuum would have them.
    for (let i = 0; i < 5; i++) await insertTasks(many.id, 1000, "many");
    await sql("ANALYZE tasks");
    const shapes: Record<string, string>[] = [
      {},
      { status: "pending" },
      { sort: "title", order: "asc" },
      { q: "many" },
    ];
    for (const raw of shapes) {
      const { page, plan } = await explainList(many.id, raw);
      expect(page.total, JSON.stringify(raw)).toBe("1000+");
      expect(JSON.parse(page.body), JSON.stringify(raw)).toHaveLength(50);
      const label = `${JSON.stringify(raw)}: ${JSON.stringify(plan)}`;
      const nodes = reads(plan, "tasks");
      expect(nodes.length, label).toBeGreaterThan(0);
      // The page keeps its 51 tasks, the total stops at the 1 001st match …
      for (const { kept } of nodes) expect(kept, label).toBeLessThanOrEqual(1001);
      // … and all the rows read, other people's included (a small table may be scanned, not
      // indexed), stay short of this person's 5 000 matching tasks.
      const read = nodes.reduce((sum, { kept, dropped }) => sum + kept + dropped, 0);
      expect(read, label).toBeLessThan(5000);
    }
  });
  it("finds a search's page by walking the page's order when matches are common, whatever the planner guesses", async () => {
    const searcher = await taskUser();
    // 5 000 tasks, two in five "Call dentist about teeth": the planner multiplies the four words'
    // frequencies (3 %) and so gathered every match from the trigram index — 2 000 — and sorted
    // them to show 50 (docs/decisions/036-search-cost-that-stays-flat.md). Five hundred rows a
    // statement: each well inside the driver's timeout on a loaded machine.
    for (let i = 0; i < 10; i++)
      await sql(
        `INSERT INTO tasks (id, user_id, title, created_at, updated_at)
         SELECT gen_random_uuid(), $1, CASE WHEN n % 5 < 2 THEN 'Call dentist about teeth ' ELSE 'Water garden ' END || n,
           now() - make_interval(secs => n), now() - make_interval(secs => n)
         FROM generate_series($2::integer, $2::integer + 499) AS n`,
        [searcher.id, i * 500 + 1],
      );
    await sql("ANALYZE tasks");
    const searches: Record<string, string>[] = [
      { q: "dentist call about teeth" },
      { q: "TEETH about dentist call" },
      { q: "call dentist about teeth", status: "pending", sort: "title", order: "asc" },
    ];
    for (const raw of searches) {
      const { page, plan } = await explainList(searcher.id, raw);
      const label = `${JSON.stringify(raw)}: ${JSON.stringify(plan)}`;
      expect(page.total, label).toBe("1000+");
      expect(JSON.parse(page.body), label).toHaveLength(50);
      for (const { kept } of reads(plan, "tasks")) expect(kept, label).toBeLessThanOrEqual(1001);
      // The page, apart from the total: ~128 tasks walked for 51 matches.
      const total = (plan.Plans ?? []).filter(isTotal);
      const read = reads(plan, "tasks").reduce((sum, { kept, dropped }) => sum + kept + dropped, 0);
      const forTotal = total
        .flatMap((node) => reads(node, "tasks"))
        .reduce((sum, { kept, dropped }) => sum + kept + dropped, 0);
      expect(read - forTotal, label).toBeLessThanOrEqual(400);
    }
  });
  it("counts nothing more when the first page holds every match", async () => {
    const few = await taskUser();
    await insertTasks(few.id, 30, "few");
    // A short list, a filter and a search that match fewer tasks than a page holds: the page's rows
    // are the total. Only a page with more after it, or one after a cursor, runs the capped count.
    const shapes: Record<string, string>[] = [{}, { status: "pending" }, { q: "few 1" }, { q: "few", limit: "30" }];
    for (const raw of shapes) {
      const { page, plan } = await explainList(few.id, raw);
      const label = `${JSON.stringify(raw)}: ${JSON.stringify(plan)}`;
      expect(page.total, label).toBe(String(JSON.parse(page.body).length));
      const totals = (plan.Plans ?? []).filter(isTotal);
      expect(totals, label).toHaveLength(1);
      for (const node of totals) expect(node["Actual Loops"], label).toBe(0);
    }
    const { page, plan } = await explainList(few.id, { limit: "29" });
    expect(page.total).toBe("30");
    for (const node of (plan.Plans ?? []).filter(isTotal)) expect(node["Actual Loops"]).toBe(1);
  });
  // Last in this block: its VACUUM leaves the small test table cheaper to read whole than by the
  // search test's walk, a plan only a table of a few thousand rows gets.
  it("counts overdue tasks past 1 000 from the index, without each task's row", async () => {
    const late = await taskUser();
    // 5 000 tasks as the growth benchmark makes them (bench/growth/growth.ts): a third completed,
    // four in five due within ±60 days (half all day, half at 09:00 UTC), so two in five pending
    // tasks are overdue. A thousand rows a statement.
    for (let i = 0; i < 5; i++)
      await sql(
        `INSERT INTO tasks (id, user_id, title, completed, completed_at, due_date, due_time, due_zone, due_at, created_at, updated_at)
         SELECT gen_random_uuid(), $1, 'late ' || n, n % 3 = 0, CASE WHEN n % 3 = 0 THEN now() END, due,
           CASE WHEN n % 2 = 1 AND due IS NOT NULL THEN time '09:00' END,
           CASE WHEN n % 2 = 1 AND due IS NOT NULL THEN 'UTC' END,
           CASE WHEN n % 2 = 1 AND due IS NOT NULL THEN (due + time '09:00') AT TIME ZONE 'UTC' END,
           now() - make_interval(secs => n), now() - make_interval(secs => n)
         FROM generate_series($2::integer, $2::integer + 999) AS n,
           LATERAL (SELECT CASE WHEN n % 5 <> 0 THEN current_date + (n % 120 - 60) END AS due) AS d`,
        [late.id, i * 1000 + 1],
      );
    // Statistics and the visibility map, as autovacuum keeps them: an index-only scan reads a row
    // only on a page changed since.
    await sql("VACUUM ANALYZE tasks");
    const { page, plan } = await explainList(late.id, { due: "overdue" });
    const label = JSON.stringify(plan);
    expect(page.total, label).toBe("1000+");
    expect(JSON.parse(page.body), label).toHaveLength(50);
    // The count walks the pending tasks in the page's order until 1 001 are overdue (~2 500 of them),
    // testing each task's due columns in the index (migration 0017). Without them it read every row
    // it tested from the table (here a sequential scan, 6 100 rows; at 100 000 tasks in the growth
    // benchmark the index's walk, each row a table page where it lies: 381 pages against 35).
    // What remains is the page's own walk: ~105 tasks for 51 overdue.
    expect(tableRows(plan, "tasks"), label).toBeLessThan(1001);
  });
});

describe("a full sync's page", () => {
  const db = () => getDatabase(readConfig(env));

  it("reads each task once, where the walk in sequence order finds it", async () => {
    const syncing = await taskUser();
    await insertTasks(syncing.id, 1000, "synced");
    const sent: { query: string; params: unknown[] }[] = [];
    const original = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      if (typeof init?.body === "string" && init.body.includes('"query"')) sent.push(JSON.parse(init.body));
      return original(input, init);
    });
    const page = await readChanges(db(), syncing.id, undefined, 200);
    vi.restoreAllMocks();
    expect(JSON.parse(page.changes)).toHaveLength(200);
    expect(sent).toHaveLength(1);
    const [{ query, params }] = sent as [{ query: string; params: unknown[] }];
    const [row] = await sql<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`, params);
    const plan = row?.["QUERY PLAN"][0].Plan as PlanNode;
    const label = JSON.stringify(plan);
    // The tasks table is read once, by the walk that finds the page. Joined to the page afterwards,
    // the tasks were read a second time: by id, a descent of tasks_pkey and the row for each (~4 pages
    // a task, 818 for the statement at 100 000 tasks in the growth benchmark), or, at this size, all
    // of the person's rows for a hash join.
    expect(reads(plan, "tasks"), label).toHaveLength(1);
  });
});

/** The top node's subquery that counts `X-Total-Count` (not one of the page's CTEs). */
const isTotal = (node: PlanNode) =>
  (node["Parent Relationship"] === "InitPlan" || node["Parent Relationship"] === "SubPlan") &&
  !node["Subplan Name"]?.startsWith("CTE");

describe("the list statement", () => {
  const db = () => getDatabase(readConfig(env));
  const query = (raw: Record<string, string>) => ListQuery.parse(raw);

  it("is built once per shape: a second list of that shape builds no query", async () => {
    const shape = { status: "pending", q: "filler", sort: "title", order: "asc", tz: "Europe/Paris", due: "none" };
    await listTasks(db(), user.id, query({ ...shape, limit: "3" }));
    const builders = (["select", "with", "$with", "execute"] as const).map((method) => vi.spyOn(db(), method));
    // Other values, same shape: another search of as many words, another zone and page size.
    const page = await listTasks(db(), user.id, query({ ...shape, q: "FILL", tz: "Asia/Tokyo", limit: "7" }));
    expect(JSON.parse(page.body)).toHaveLength(7);
    for (const builder of builders) expect(builder).not.toHaveBeenCalled();
  });

  it("reads the change feed with one statement per shape, built once", async () => {
    const first = await readChanges(db(), user.id, undefined, 5);
    const position = { seq: first.next.seq };
    await readChanges(db(), user.id, position, 5);
    const builders = (["select", "with", "$with", "execute"] as const).map((method) => vi.spyOn(db(), method));
    const again = await readChanges(db(), user.id, undefined, 3);
    await readChanges(db(), user.id, { seq: 0 }, 2);
    expect(JSON.parse(again.changes)).toHaveLength(3);
    for (const builder of builders) expect(builder).not.toHaveBeenCalled();
  });

  it("passes rows to the answer as Postgres wrote them: no timestamp goes through Date", async () => {
    const toISOString = vi.spyOn(Date.prototype, "toISOString");
    const page = await listTasks(db(), user.id, query({ limit: "20" }));
    const changes = await readChanges(db(), user.id, undefined, 20);
    const [first] = JSON.parse(page.body) as TaskJson[];
    expect(first).toBeDefined();
    const one = await getTask(db(), user.id, first?.id ?? "");
    expect(toISOString).not.toHaveBeenCalled();
    // The same JSON a client always got: ISO 8601 in UTC with milliseconds.
    expect(first?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(JSON.parse(one?.body ?? "null")).toEqual(first);
    expect((JSON.parse(changes.changes) as TaskJson[]).length).toBe(20);
  });
});

describe("the write statements", () => {
  const db = () => getDatabase(readConfig(env));
  const zone = "Europe/Paris";

  it("answer the task as Postgres wrote it, the very text a GET answers: no timestamp goes through Date", async () => {
    const toISOString = vi.spyOn(Date.prototype, "toISOString");
    const input = { title: "written by Postgres", tags: ["a"], due: { date: "2026-12-24", time: "09:30" } };
    const created = await createTask(db(), user.id, CreateTask.parse(input), zone);
    if (created.kind !== "created") throw new Error(`not created: ${created.kind}`);
    const id = (JSON.parse(created.body) as TaskJson).id;
    const read = async () => (await getTask(db(), user.id, id))?.body;
    expect(created.body).toBe(await read());
    expect(created.version).toBe(1);
    // The same create again is a replay: the stored task, as Postgres writes it.
    const replayed = await createTask(db(), user.id, CreateTask.parse({ ...input, id }), zone);
    expect(replayed).toEqual({ kind: "replayed", id, body: await read(), version: 1 });

    const patched = await patchTask(db(), user.id, id, PatchTask.parse({ priority: "high" }), [1], zone);
    if (patched.kind !== "ok") throw new Error(`not patched: ${patched.kind}`);
    expect(patched.body).toBe(await read());
    expect(patched.version).toBe(2);
    expect(patched.seq).toBeGreaterThan(0);
    const toggled = await setCompleted(db(), user.id, id, "toggle", "any", zone);
    if (toggled.kind !== "ok") throw new Error(`not toggled: ${toggled.kind}`);
    expect(toggled.body).toBe(await read());
    expect(JSON.parse(toggled.body)).toMatchObject({ completed: true, priority: "high", version: 3 });
    expect(toISOString).not.toHaveBeenCalled();
    // A stale If-Match still names the version the task is at.
    expect(await patchTask(db(), user.id, id, PatchTask.parse({ priority: "low" }), [1], zone)).toEqual({
      kind: "stale",
      version: 3,
    });
  });
});
