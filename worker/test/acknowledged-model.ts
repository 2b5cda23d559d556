import fc from "fast-check";
import type { Task } from "../../web/src/lib/api/schema.d.ts";
import { type Due, type DueContext, dueSortKey, isOverdue } from "../src/tasks/due.ts";
import { compareCodePoints, matchesWords, searchWords, titleKey } from "../src/tasks/task-text.ts";
import { priorities } from "../src/tasks/tasks.tables.ts";

/**
 * The one model of acknowledged writes, shared by the Worker's model test (model.test.ts,
 * fast-check commands under injected faults) and the soak (bench/soak, N clients at once):
 * what a client believes its tasks are — every acknowledged write applied — so each answer,
 * each listing and the database at the end can be compared with it. Each task is written by
 * exactly one client (its owner), so the model is exact: no answer may differ from it.
 * The random content both draw is defined once, as fast-check arbitraries.
 */

/** Where the model looks from: now, in UTC (its people have no zone; `tz` is not sent). */
const modelContext = (): DueContext => ({ now: Date.now(), zone: "UTC", personZone: "UTC" });

export type Priority = (typeof priorities)[number];

/** The fields a client writes. */
export interface TaskFields {
  title: string;
  description: string;
  completed: boolean;
  priority: Priority;
  due: Due | null;
  tags: string[];
}

export interface ModelTask extends TaskFields {
  id: string;
  userId: string;
  version: number;
  createdAt: string;
  /** Unknown after a bulk write (mark all), whose answer is only a count; learnt again from the next read. */
  updatedAt: string | undefined;
}

/** What the model knows of a task as the API returns it: the type generated from the OpenAPI document. */
export type ServerTask = Pick<
  Task,
  keyof TaskFields | "id" | "userId" | "completedAt" | "createdAt" | "updatedAt" | "version"
>;

/** A timestamp column as the API writes it (ISO 8601 in UTC, to the millisecond), whatever the driver's types. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;

/** The columns of a stored task the model compares, read straight from the table (`storedTask` maps a row). */
export const storedTaskColumns = `id, user_id, title, description, completed, ${iso("completed_at")}, priority,
  to_char(due_date, 'YYYY-MM-DD') AS due_date, due_time::text AS due_time, due_zone, tags,
  ${iso("created_at")}, ${iso("updated_at")}, version`;

export interface StoredTaskRow {
  id: string;
  user_id: string;
  title: string;
  description: string;
  completed: boolean;
  completed_at: string | null;
  priority: Priority;
  due_date: string | null;
  due_time: string | null;
  due_zone: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  version: number;
}

/** A stored row as the API would answer it, for comparing the database with the model. */
export function storedTask(row: StoredTaskRow): ServerTask {
  return {
    id: row.id,
    userId: row.user_id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    completedAt: row.completed_at,
    priority: row.priority,
    due:
      row.due_date === null
        ? null
        : { date: row.due_date, time: row.due_time?.slice(0, 5) ?? null, timeZone: row.due_zone },
    tags: row.tags,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

/** `listTasks` parameters the model predicts; `due` only with values whose answer does not depend on the hour. */
export interface ListParams {
  status?: "all" | "pending" | "completed";
  priority?: Priority;
  tag?: string;
  q?: string;
  due?: "overdue" | "none";
  sort?: "created" | "updated" | "title" | "due" | "priority";
  order?: "asc" | "desc";
  limit?: number;
}

/* ---------- random content, as arbitraries ---------- */

const words = ["buy", "milk", "report", "call", "dentist", "plan", "review", "garden", "invoice", "book", "train"];
export const tagPool = ["work", "home", "errands", "urgent", "later", "soak"];
// Due dates far in the past or future, so `due=overdue` has the same answer at any hour of the run.
const dueDates: (Due | null)[] = [
  null,
  null,
  { date: "2020-03-01", time: null, timeZone: null },
  { date: "2021-07-15", time: "17:30", timeZone: "Europe/Berlin" },
  { date: "2031-01-10", time: "08:00", timeZone: null },
  { date: "2031-01-10", time: null, timeZone: null },
];

const word = fc.constantFrom(...words);
const due = fc.constantFrom(...dueDates);
const priority = fc.constantFrom(...priorities);
/** Each tag of the pool with a chance of one in four, in the pool's order. */
const someTags = fc
  .tuple(...tagPool.map(() => fc.integer({ min: 0, max: 3 })))
  .map((draws) => tagPool.filter((_, index) => draws[index] === 0));
/** True with probability `p` (to the percent). */
const chanceOf = (p: number) => fc.integer({ min: 0, max: 99 }).map((n) => n < Math.round(p * 100));
const maybe = <T>(p: number, value: fc.Arbitrary<T>) =>
  fc.tuple(chanceOf(p), value).map(([yes, drawn]) => (yes ? drawn : undefined));

/** A word from the titles, in any case: the search is case-insensitive. */
export const searchWordArbitrary = fc.tuple(word, fc.boolean()).map(([w, upper]) => (upper ? w.toUpperCase() : w));

export const fieldsArbitrary = (label: string): fc.Arbitrary<TaskFields> =>
  fc.record({
    title: fc.tuple(word, word).map(([a, b]) => `${a} ${b} ${label}`),
    description: maybe(0.4, fc.tuple(word, word)).map((pair) => (pair ? `${pair[0]} before ${pair[1]}` : "")),
    completed: chanceOf(0.2),
    priority,
    due,
    tags: someTags,
  });

/** A JSON merge patch of one to three fields; `null` resets a field to its default. */
export const patchArbitrary = (label: string): fc.Arbitrary<Record<string, unknown>> => {
  const values: Record<string, fc.Arbitrary<unknown>> = {
    title: word.map((w) => `${w} ${label}`),
    description: fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 7, arbitrary: fc.tuple(word, word).map(([a, b]) => `${a} then ${b}`) },
    ),
    completed: fc.boolean(),
    priority: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 8, arbitrary: priority }),
    due,
    tags: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 8, arbitrary: someTags }),
  };
  return fc
    .subarray(Object.keys(values), { minLength: 1, maxLength: 3 })
    .chain((fields) =>
      fc.record(Object.fromEntries(fields.map((field) => [field, values[field] as fc.Arbitrary<unknown>]))),
    );
};

export const listParamsArbitrary: fc.Arbitrary<ListParams> = fc
  .record({
    status: maybe(0.3, fc.constantFrom("all", "pending", "completed") as fc.Arbitrary<ListParams["status"]>),
    priority: maybe(0.15, priority),
    tag: maybe(0.15, fc.constantFrom(...tagPool)),
    q: maybe(0.15, searchWordArbitrary),
    due: maybe(0.1, fc.constantFrom("overdue", "none") as fc.Arbitrary<ListParams["due"]>),
    sort: maybe(
      0.4,
      fc.constantFrom("created", "updated", "title", "due", "priority") as fc.Arbitrary<ListParams["sort"]>,
    ),
    order: maybe(0.3, fc.constantFrom("asc", "desc") as fc.Arbitrary<ListParams["order"]>),
    limit: maybe(0.3, fc.integer({ min: 1, max: 100 })),
  })
  .map((params) => Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as ListParams);

/** One value of an arbitrary, for the soak's clients (which draw as they go rather than shrink). */
export const draw = <T>(arbitrary: fc.Arbitrary<T>): T => fc.sample(arbitrary, 1)[0] as T;

export const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)] as T;
export const chance = (p: number) => Math.random() < p;

export function applyPatch(task: TaskFields, patch: Record<string, unknown>): TaskFields {
  const next = { ...task };
  if ("title" in patch) next.title = patch.title as string;
  if ("description" in patch) next.description = (patch.description as string | null) ?? "";
  if ("completed" in patch) next.completed = patch.completed as boolean;
  if ("priority" in patch) next.priority = (patch.priority as Priority | null) ?? "none";
  if ("due" in patch) next.due = patch.due as Due | null;
  if ("tags" in patch) next.tags = (patch.tags as string[] | null) ?? [];
  return next;
}

export function listQueryString(params: ListParams): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/* ---------- comparing ---------- */

/** How `actual` differs from what the model expects, field by field; empty when it does not. */
export function differences(expected: ModelTask, actual: ServerTask): string[] {
  const out: string[] = [];
  const same = (field: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      out.push(`${field}: expected ${JSON.stringify(a)}, got ${JSON.stringify(b)}`);
  };
  same("id", expected.id, actual.id);
  same("userId", expected.userId, actual.userId);
  same("title", expected.title, actual.title);
  same("description", expected.description, actual.description);
  same("completed", expected.completed, actual.completed);
  same("priority", expected.priority, actual.priority);
  same("due", expected.due, actual.due);
  same("tags", expected.tags, actual.tags);
  same("version", expected.version, actual.version);
  same("createdAt", expected.createdAt, actual.createdAt);
  if (expected.updatedAt !== undefined) same("updatedAt", expected.updatedAt, actual.updatedAt);
  if (actual.completed !== (actual.completedAt !== null))
    out.push(`completedAt ${actual.completedAt} disagrees with completed`);
  return out;
}

/** The model's view of a task the server returned (its server-owned fields taken as they are). */
export function modelOf(task: ServerTask): ModelTask {
  const { id, userId, title, description, completed, priority, due, tags, version, createdAt, updatedAt } = task;
  return { id, userId, title, description, completed, priority, due, tags: [...tags], version, createdAt, updatedAt };
}

function matches(task: ModelTask, params: ListParams): boolean {
  if (params.status === "pending" && task.completed) return false;
  if (params.status === "completed" && !task.completed) return false;
  if (params.priority !== undefined && task.priority !== params.priority) return false;
  if (params.tag !== undefined && !task.tags.includes(params.tag)) return false;
  // Every word in the title, description or a tag, case and accents aside (worker/src/tasks/task-text.ts).
  if (params.q !== undefined && !matchesWords(task, searchWords(params.q))) return false;
  // The rules the API's filters follow (worker/src/tasks/due.ts); the model's people have no zone of their own: UTC.
  if (params.due === "none" && task.due !== null) return false;
  if (params.due === "overdue" && (task.completed || !isOverdue(task.due, modelContext()))) return false;
  return true;
}

/**
 * What a first page of `params` must hold: the total and, in order, the ids. The order
 * is the Worker's: the sort key, then the id (a uuid compares as its lower-case text),
 * no due date last either way. `ids` is undefined when it cannot be known (sorting by
 * a modification time the model has not learnt yet).
 */
export function expectedPage(tasks: Iterable<ModelTask>, params: ListParams): { total: number; ids?: string[] } {
  const matching = [...tasks].filter((task) => matches(task, params));
  const sort = params.sort ?? "created";
  const order = params.order ?? (sort === "created" || sort === "updated" ? "desc" : "asc");
  if (sort === "updated" && matching.some((task) => task.updatedAt === undefined)) return { total: matching.length };
  const key = (task: ModelTask): string | number => {
    switch (sort) {
      case "created":
        return task.createdAt;
      case "updated":
        return task.updatedAt as string;
      case "title":
        return titleKey(task.title);
      case "priority":
        return priorities.indexOf(task.priority);
      case "due":
        return (
          dueSortKey(task.due, modelContext()) ??
          (order === "asc" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY)
        );
    }
  };
  const direction = order === "asc" ? 1 : -1;
  const compare = (a: ModelTask, b: ModelTask) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      // Text keys in code point order, as the Worker's COLLATE "C" orders them.
      const byKey = typeof ka === "string" && typeof kb === "string" ? compareCodePoints(ka, kb) : ka < kb ? -1 : 1;
      return byKey * direction;
    }
    return (a.id < b.id ? -1 : 1) * direction;
  };
  const limit = params.limit ?? 50;
  return {
    total: matching.length,
    ids: matching
      .sort(compare)
      .slice(0, limit)
      .map((task) => task.id),
  };
}
