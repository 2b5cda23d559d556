import { and, eq, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { prepared } from "../db/prepared.ts";
import type { JsonText } from "../json-text.ts";
import { taskFields } from "./task-json.ts";
import { containsPattern, searchWords } from "./task-text.ts";
import type { ListQuery, TaskFilters, TaskOutput } from "./tasks.schemas.ts";
import { tasks } from "./tasks.tables.ts";

/**
 * How a list of tasks is asked of Postgres: the filters (shared with the bulk changes), the
 * search words' patterns, the sort keys, the cursor's keyset, the capped count and the one
 * statement of each shape that answers a page (docs/tasks-api.md "Listing", decisions 027, 036).
 */

/**
 * The value a list is ordered by, with the id as tie-breaker; nulls (no due date) always last.
 * `due` orders by instant, an all-day task at the start of its day in the viewer's zone `tz` (./due.ts).
 */
function sortKey(sort: ListQuery["sort"], order: ListQuery["order"], tz: unknown): { expression: SQL; type: SQL } {
  switch (sort) {
    case "created":
      return { expression: sql`${tasks.createdAt}`, type: sql`timestamptz` };
    case "updated":
      return { expression: sql`${tasks.updatedAt}`, type: sql`timestamptz` };
    case "title":
      return titleSortKey();
    case "manual":
      // Manual order: the position key byte-wise, as ./position.ts compares it (decision 030).
      return { expression: sql`${tasks.position} COLLATE "C"`, type: sql`text` };
    case "priority":
      return { expression: sql`${tasks.priority}`, type: sql`task_priority` };
    case "due":
      return {
        expression: sql`coalesce(${tasks.dueAt}, ${tasks.dueDate}::timestamp AT TIME ZONE ${tz}::text, ${order === "asc" ? sql`'infinity'` : sql`'-infinity'`}::timestamptz)`,
        type: sql`timestamptz`,
      };
  }
}

/**
 * The natural title order (docs/tasks-api.md "Sorting"): the stored key of task-text.ts's
 * `titleKey`, compared by code point, as the site's replica compares it.
 */
function titleSortKey(): { expression: SQL; type: SQL } {
  return { expression: sql`${tasks.titleKey} COLLATE "C"`, type: sql`text` };
}

export interface Cursor {
  /** The sort key of the last task on the previous page, as Postgres text. */
  key: string;
  id: string;
}

/**
 * `X-Total-Count` is exact up to this many tasks and `1000+` beyond: counting stops at
 * the first task past it, so a page's cost never grows with the list (docs/tasks-api.md).
 */
export const exactCountUpTo = 1000;

export interface ListPage {
  /** The page as the JSON array the API answers, written by Postgres. */
  body: JsonText<TaskOutput[]>;
  /** `X-Total-Count`: the tasks matching the filters, `"1000+"` past {@link exactCountUpTo}. */
  total: string;
  next: Cursor | undefined;
}

/** The values a filter condition compares with, by name: bound directly, or a prepared statement's placeholders. */
interface FilterValues {
  userId: string;
  tz: string;
  priority: string | undefined;
  tag: string | undefined;
  list: string | undefined;
  /** `q`'s words (task-text.ts `searchWords`), each as a `LIKE` pattern: `word0`, `word1`, … */
  [word: `word${number}`]: string;
}

export function filterValues(userId: string, query: TaskFilters): FilterValues {
  return {
    userId,
    // The routes fill `tz` in from the person's zone; UTC only for a person who has none.
    tz: query.tz ?? "UTC",
    priority: query.priority,
    tag: query.tag,
    list: query.list,
    ...searchPatterns(query.q),
  };
}

/** `q` as one `LIKE` pattern per word, by placeholder name. */
function searchPatterns(q: string | undefined): Record<`word${number}`, string> {
  return Object.fromEntries(searchWords(q ?? "").map((word, i) => [`word${i}`, containsPattern(word)]));
}

/**
 * `q`: every word in the task's stored search text (title, description and tags, folded:
 * docs/tasks-api.md "Searching"), each `LIKE '%…%'`, served by the user's trigram index.
 */
function searchCondition(q: string | undefined, value: (name: `word${number}`) => unknown): SQL | undefined {
  const words = searchWords(q ?? "");
  return and(...words.map((_, i) => sql`${tasks.search} LIKE ${value(`word${i}`)}`));
}

/** What decides a filter condition's SQL text; the values it compares with are not part of it. */
const filterShape = (query: TaskFilters) =>
  `${query.status}:${query.priority ? "p" : ""}${query.tag ? "t" : ""}${query.list ? "l" : ""}q${searchWords(query.q ?? "").length}:${query.due ?? ""}`;

/**
 * The list's filters as one SQL condition, shared by the listing and the bulk changes.
 * `value` gives what each comparison takes: the value itself, or a placeholder.
 */
function filterCondition(query: TaskFilters, value: (name: keyof FilterValues) => unknown): SQL | undefined {
  // The rules of ./due.ts: all-day tasks (no instant) by calendar date in the viewer's zone,
  // timed ones by instant from the start of the viewer's days.
  const tz = sql`${value("tz")}::text`;
  const today = sql`(now() AT TIME ZONE ${tz})::date`;
  const startOf = (days: number) => sql`((${today} + ${sql.raw(String(days))})::timestamp AT TIME ZONE ${tz})`;
  const within = (days: number) =>
    sql`((${tasks.dueAt} IS NULL AND ${tasks.dueDate} >= ${today} AND ${tasks.dueDate} < ${today} + ${sql.raw(String(days))})
      OR (${tasks.dueAt} >= ${startOf(0)} AND ${tasks.dueAt} < ${startOf(days)}))`;
  const due = {
    overdue: and(
      sql`(${lt(tasks.dueAt, sql`now()`)} OR (${tasks.dueAt} IS NULL AND ${tasks.dueDate} < ${today}))`,
      eq(tasks.completed, false),
    ),
    today: within(1),
    week: within(7),
    none: isNull(tasks.dueDate),
  };
  return and(
    sql`${tasks.userId} = ${value("userId")}`,
    query.status === "all" ? undefined : eq(tasks.completed, query.status === "completed"),
    query.priority ? sql`${tasks.priority} = ${value("priority")}` : undefined,
    query.tag ? sql`${tasks.tags} @> ARRAY[${value("tag")}]::text[]` : undefined,
    query.list ? sql`${tasks.list} = ${value("list")}::uuid` : undefined,
    searchCondition(query.q, value),
    query.due ? due[query.due] : undefined,
  );
}

/** The filters as a condition with their values bound (the bulk changes, built per request). */
export function filtersOf(userId: string, query: TaskFilters): SQL | undefined {
  const values = filterValues(userId, query);
  return filterCondition(query, (name) => values[name]);
}

/**
 * The capped count walks the page's own order, so Postgres stops in the index that serves the
 * page after 1 001 matches; unordered, a filter it expects to match often (overdue) was counted
 * by a sequential scan of every user's rows. Not for `q`: the trigram index finds the matches
 * faster than a walk that tests every task (docs/decisions/027-a-capped-total-and-honest-benchmarks.md).
 */
const countOrder = (query: TaskFilters, expression: SQL, dir: SQL) =>
  searchWords(query.q ?? "").length > 0 ? undefined : sql`ORDER BY ${expression} ${dir}, ${tasks.id} ${dir}`;

/**
 * How many of the person's tasks (after the cursor, in the page's order, other filters applied) a
 * search page tests before it turns to the trigram index: a word in at least 51 of them fills the
 * page from that walk (docs/decisions/036-search-cost-that-stays-flat.md).
 */
const searchWalk = 2000;

/**
 * A search's page (the `page` CTE's rows) in one of two ways, chosen as it runs, not by the
 * planner's guess of how often the words occur (it multiplies their frequencies, and cannot see
 * that "call" and "dentist" go together):
 * - **walked**: the next {@link searchWalk} tasks in the page's order, each tested; it stops at
 *   the `limit + 1`st match. Those are the page whenever they are that many, or when the walk
 *   reached the end of the person's tasks.
 * - **gathered**: otherwise (a word in fewer than 1 task in 40), every match from the trigram
 *   index, sorted — few, because the word is rare.
 * The second branch's condition is an InitPlan that Postgres evaluates before running it, so
 * it never reads the index when the walk was enough. The walk's subquery outputs its sort key so
 * the outer `ORDER BY` is already satisfied (no sort, and it stops early).
 */
function searchPage(query: ListQuery, expression: SQL, dir: SQL, limit: SQL, after: SQL | undefined): SQL {
  const filters = filterCondition(query, (name) => sql.placeholder(name));
  const others = filterCondition({ ...query, q: undefined }, (name) => sql.placeholder(name));
  const words = searchCondition(query.q, (name) => sql.placeholder(name));
  const walk = sql.raw(String(searchWalk));
  // The walk's rows under the table's name, so the task's fields and the search words read them as they read the table.
  const window = sql`(SELECT *, ${expression} AS walk_key FROM ${tasks} WHERE ${and(others, after)}
      ORDER BY ${expression} ${dir}, ${tasks.id} ${dir} LIMIT ${walk}) AS ${tasks}`;
  return sql`
    WITH walked AS MATERIALIZED (
      SELECT row_to_json(task)::text AS task_json, walk_key::text AS sort_key, ${tasks.id}::text AS task_id,
        row_number() OVER (ORDER BY walk_key ${dir}, ${tasks.id} ${dir}) AS n
      FROM ${window} CROSS JOIN LATERAL (SELECT ${taskFields}) AS task
      WHERE ${words}
      ORDER BY walk_key ${dir}, ${tasks.id} ${dir}
      LIMIT ${limit} + 1
    ), enough AS MATERIALIZED (
      -- The walk's tasks are the page: it found a full page, or it saw all the tasks there are.
      SELECT (SELECT count(*) FROM walked) > ${limit}
        OR (SELECT count(*) FROM (SELECT FROM ${tasks} WHERE ${and(others, after)}
              ORDER BY ${expression} ${dir}, ${tasks.id} ${dir} LIMIT ${walk}) AS seen) < ${walk} AS yes
    )
    SELECT * FROM walked WHERE (SELECT yes FROM enough)
    UNION ALL
    (SELECT row_to_json(task)::text, (${expression})::text, ${tasks.id}::text,
        row_number() OVER (ORDER BY ${expression} ${dir}, ${tasks.id} ${dir})
      FROM ${tasks} CROSS JOIN LATERAL (SELECT ${taskFields}) AS task
      WHERE ${and(filters, after)} AND NOT (SELECT yes FROM enough)
      ORDER BY ${expression} ${dir}, ${tasks.id} ${dir}
      LIMIT ${limit} + 1)`;
}

/**
 * The list statement of one shape (filters present × sort × order × cursor present),
 * built once per database client and filled in per request, as GET and PATCH are.
 * One row answers the page whatever it holds: the page's tasks as one JSON array
 * (Postgres writes each task, so no row is mapped here), where the next page starts,
 * and the total — counted over at most 1 001 matching tasks, once, not per row, and not at
 * all when the first page is every match.
 * Pages are keyset-paginated on (sort key, id), so inserts and deletes between pages
 * never repeat or skip a task that stays.
 */
export function listStatement(db: Database, query: ListQuery, hasCursor: boolean) {
  const shape = `list:${filterShape(query)}:${query.sort}:${query.order}:${hasCursor ? "after" : "first"}`;
  return prepared(db, shape, () => {
    const filters = filterCondition(query, (name) => sql.placeholder(name));
    const { expression, type } = sortKey(query.sort, query.order, sql.placeholder("tz"));
    const dir = query.order === "asc" ? sql`ASC` : sql`DESC`;
    const limit = sql`${sql.placeholder("limit")}::integer`;
    const after = hasCursor
      ? sql`(${expression}, ${tasks.id}) ${query.order === "asc" ? sql`>` : sql`<`} (${sql.placeholder("cursorKey")}::${type}, ${sql.placeholder("cursorId")}::uuid)`
      : undefined;
    const search = searchWords(query.q ?? "").length > 0;
    const page = db
      .$with("page", {
        task: sql<string>`task_json`.as("task_json"),
        sortKey: sql<string>`sort_key`.as("sort_key"),
        id: sql<string>`task_id`.as("task_id"),
        n: sql<number>`n`.as("n"),
      })
      .as(
        search
          ? searchPage(query, expression, dir, limit, after)
          : sql`
        SELECT row_to_json(task)::text AS task_json, (${expression})::text AS sort_key, ${tasks.id}::text AS task_id,
          row_number() OVER (ORDER BY ${expression} ${dir}, ${tasks.id} ${dir}) AS n
        FROM ${tasks} CROSS JOIN LATERAL (SELECT ${taskFields}) AS task
        WHERE ${and(filters, after)}
        ORDER BY ${expression} ${dir}, ${tasks.id} ${dir}
        LIMIT ${limit} + 1`,
      );
    const last = sql`${page.n} = ${limit}`;
    const capped = sql`(SELECT count(*) FROM (SELECT FROM ${tasks} WHERE ${filters} ${countOrder(query, expression, dir)} LIMIT ${exactCountUpTo + 1}) AS capped)`;
    return db
      .with(page)
      .select({
        body: sql<string>`coalesce('[' || string_agg(${page.task}, ',' ORDER BY ${page.n}) FILTER (WHERE ${page.n} <= ${limit}) || ']', '[]')`,
        more: sql<boolean>`count(*) > ${limit}`,
        lastKey: sql<string | null>`min(${page.sortKey}) FILTER (WHERE ${last})`,
        lastId: sql<string | null>`min(${page.id}) FILTER (WHERE ${last})`,
        // A first page that holds every match is its own count: the capped count (an InitPlan,
        // run only when the CASE needs it) is for a page with more after it, or after a cursor.
        total: (hasCursor
          ? capped
          : sql<number>`CASE WHEN count(*) <= ${limit} THEN count(*) ELSE ${capped} END`
        ).mapWith(Number),
      })
      .from(page)
      .prepare(`list_${shape}`);
  });
}
