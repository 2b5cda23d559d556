import { type Due, type DueContext, dueSortKey, isOverdue } from "../../worker/src/tasks/due.ts";
import { compareCodePoints, matchesWords, searchWords, titleKey } from "../../worker/src/tasks/task-text.ts";

/**
 * What one soak client believes its tasks are: every acknowledged write applied to a
 * model, so each answer, each listing and the database at the end can be compared
 * with it. Each task is written by exactly one client (its owner), so the model is
 * exact: no answer may differ from it.
 */

/** Where the soak looks from: now, in UTC (its people have no zone; `tz` is not sent). */
const soakContext = (): DueContext => ({ now: Date.now(), zone: "UTC", personZone: "UTC" });

export const priorities = ["none", "low", "medium", "high"] as const;
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

/** A task as the API returns it. */
export interface ServerTask extends TaskFields {
  id: string;
  userId: string;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** `listTasks` parameters the soak uses; `due` only with values whose answer does not depend on the hour. */
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

/* ---------- random content ---------- */

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

export const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)] as T;
export const chance = (p: number) => Math.random() < p;

function someTags(): string[] {
  return tagPool.filter(() => chance(0.25));
}

/** A word from the titles, in any case: the search is case-insensitive. */
export function searchWord(): string {
  const word = pick(words);
  return chance(0.5) ? word : word.toUpperCase();
}

export function randomFields(label: string): TaskFields {
  return {
    title: `${pick(words)} ${pick(words)} ${label}`,
    description: chance(0.4) ? `${pick(words)} before ${pick(words)}` : "",
    completed: chance(0.2),
    priority: pick(priorities),
    due: pick(dueDates),
    tags: someTags(),
  };
}

/** A JSON merge patch of one to three fields; `null` resets a field to its default. */
export function randomPatch(label: string): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const choices: [string, () => unknown][] = [
    ["title", () => `${pick(words)} ${label}`],
    ["description", () => (chance(0.3) ? null : `${pick(words)} then ${pick(words)}`)],
    ["completed", () => chance(0.5)],
    ["priority", () => (chance(0.2) ? null : pick(priorities))],
    ["due", () => pick(dueDates)],
    ["tags", () => (chance(0.2) ? null : someTags())],
  ];
  for (const [field, value] of choices.filter(() => chance(0.35)).slice(0, 3)) patch[field] = value();
  if (Object.keys(patch).length === 0) patch.title = `${pick(words)} ${label}`;
  return patch;
}

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

export function randomListParams(): ListParams {
  const params: ListParams = {};
  if (chance(0.3)) params.status = pick(["all", "pending", "completed"] as const);
  if (chance(0.15)) params.priority = pick(priorities);
  if (chance(0.15)) params.tag = pick(tagPool);
  if (chance(0.15)) params.q = searchWord();
  if (chance(0.1)) params.due = pick(["overdue", "none"] as const);
  if (chance(0.4)) params.sort = pick(["created", "updated", "title", "due", "priority"] as const);
  if (chance(0.3)) params.order = pick(["asc", "desc"] as const);
  if (chance(0.3)) params.limit = 1 + Math.floor(Math.random() * 100);
  return params;
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
  const { completedAt: _completedAt, ...rest } = task;
  return { ...rest, tags: [...task.tags] };
}

function matches(task: ModelTask, params: ListParams): boolean {
  if (params.status === "pending" && task.completed) return false;
  if (params.status === "completed" && !task.completed) return false;
  if (params.priority !== undefined && task.priority !== params.priority) return false;
  if (params.tag !== undefined && !task.tags.includes(params.tag)) return false;
  // Every word in the title, description or a tag, case and accents aside (worker/src/tasks/task-text.ts).
  if (params.q !== undefined && !matchesWords(task, searchWords(params.q))) return false;
  // The rules the API's filters follow (worker/src/tasks/due.ts); soak clients have no zone of their own: UTC.
  if (params.due === "none" && task.due !== null) return false;
  if (params.due === "overdue" && (task.completed || !isOverdue(task.due, soakContext()))) return false;
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
          dueSortKey(task.due, soakContext()) ?? (order === "asc" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY)
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
