import {
  type DueFilter,
  type Priority,
  priorities,
  type StatusFilter,
  type Task,
  type TaskFilters,
} from "./api-client.ts";

/**
 * What the task list shows, as the person chose it and as the URL keeps it
 * (`/tasks?status=active&sort=due&q=milk&tag=work&priority=high&due=week`), and the pure rules
 * that follow from it. The filters are the API's (docs/tasks-api.md, "Listing"), under the same
 * names, and the replica is filtered here by the same rules, so what the list shows is what a
 * bulk action sent with these filters changes on the server.
 */

export const filters = ["all", "active", "completed"] as const;
export type Filter = (typeof filters)[number];

export const sortOptions = [
  { value: "newest", label: "Newest" },
  { value: "oldest", label: "Oldest" },
  { value: "due", label: "Due date" },
  { value: "priority", label: "Priority" },
  { value: "title", label: "Title" },
] as const;
export type SortOption = (typeof sortOptions)[number]["value"];

/** The API's due windows; the type checks that the contract has no other. */
export const dueFilters = ["overdue", "today", "week", "none"] as const satisfies readonly DueFilter[];
type _EveryDueFilter = Exclude<DueFilter, (typeof dueFilters)[number]> extends never ? true : never;
export const everyDueFilterListed: _EveryDueFilter = true;

/** How a due filter reads on its chip: `due: today`. */
export const dueFilterLabels: Record<DueFilter, string> = {
  overdue: "overdue",
  today: "today",
  week: "next 7 days",
  none: "no due date",
};

export interface View {
  filter: Filter;
  sort: SortOption;
  q: string;
  /** One tag (as stored: trimmed, lower case), or none. */
  tag: string | null;
  priority: Priority | null;
  due: DueFilter | null;
}

/** The filters a task's own labels set (its tag, priority or due label), and a chip removes. */
export type Narrowing = Partial<Pick<View, "tag" | "priority" | "due">>;
export const narrowingKeys = ["tag", "priority", "due"] as const;

export const defaultView: View = { filter: "all", sort: "newest", q: "", tag: null, priority: null, due: null };

export function viewFromSearch(search: string): View {
  const params = new URLSearchParams(search);
  const status = params.get("status");
  const sort = params.get("sort");
  const priority = params.get("priority");
  const due = params.get("due");
  return {
    filter: status === "active" || status === "completed" ? status : "all",
    sort: sortOptions.some((o) => o.value === sort) ? (sort as SortOption) : "newest",
    q: (params.get("q") ?? "").slice(0, 200),
    tag: normaliseTag(params.get("tag") ?? ""),
    priority: priorities.some((p) => p === priority) ? (priority as Priority) : null,
    due: dueFilters.some((d) => d === due) ? (due as DueFilter) : null,
  };
}

/** A tag as the server compares it (`Tag` in the API's schemas: trimmed, lower case, 1–32 characters). */
function normaliseTag(text: string): string | null {
  const tag = text.trim().toLowerCase();
  return tag && tag.length <= 32 ? tag : null;
}

/** The query string for a view; defaults are left out so the plain `/tasks` stays plain. */
export function searchForView(view: View): string {
  const params = new URLSearchParams();
  if (view.filter !== "all") params.set("status", view.filter);
  if (view.sort !== "newest") params.set("sort", view.sort);
  if (view.q.trim()) params.set("q", view.q.trim());
  for (const key of narrowingKeys) {
    const value = view[key];
    if (value) params.set(key, value);
  }
  const search = params.toString();
  return search ? `?${search}` : "";
}

export function filterHref(filter: Filter, view: View): string {
  return `/tasks${searchForView({ ...view, filter })}`;
}

export function narrowedHref(narrowing: Narrowing, view: View): string {
  return `/tasks${searchForView({ ...view, ...narrowing })}`;
}

const statusForFilter: Record<Filter, StatusFilter> = { all: "all", active: "pending", completed: "completed" };

/** The browser's time zone, in which the API counts `due=today` and `due=week` (`tz`). */
export function timeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The server's filters for the tasks a view shows; `status` overrides the view's own. */
export function filtersForView(view: View, status: StatusFilter = statusForFilter[view.filter]): TaskFilters {
  const result: TaskFilters = { status };
  const q = view.q.trim();
  if (q) result.q = q;
  if (view.tag) result.tag = view.tag;
  if (view.priority) result.priority = view.priority;
  if (view.due) {
    result.due = view.due;
    result.tz = timeZone();
  }
  return result;
}

/** Whether a task belongs in the view, so an optimistic change can show or hide it at once. */
export function matchesView(task: Task, view: View, now = new Date()): boolean {
  if (view.filter === "active" && task.completed) return false;
  if (view.filter === "completed" && !task.completed) return false;
  return matchesNarrowing(task, view, now);
}

/**
 * Whether a task matches the view's search, tag, priority and due filters (whatever its
 * status): what the footer counts. The API's rules: `q` in the title or description, the tag
 * among the task's tags, the priority equal.
 */
export function matchesNarrowing(task: Task, view: View, now = new Date()): boolean {
  const q = view.q.trim().toLowerCase();
  if (q && !task.title.toLowerCase().includes(q) && !task.description.toLowerCase().includes(q)) return false;
  if (view.tag && !task.tags.includes(view.tag)) return false;
  if (view.priority && task.priority !== view.priority) return false;
  return !view.due || matchesDue(task, view.due, now);
}

/**
 * The API's due windows, in the browser's time zone: `overdue` = due before now and not
 * completed, `today` = due within the current day, `week` = from the start of today to seven
 * days later, `none` = no due date.
 */
export function matchesDue(task: Task, due: DueFilter, now = new Date()): boolean {
  if (task.dueAt === null) return due === "none";
  const at = Date.parse(task.dueAt);
  switch (due) {
    case "overdue":
      return !task.completed && at < now.getTime();
    case "today":
      return at >= dayStart(now, 0) && at < dayStart(now, 1);
    case "week":
      return at >= dayStart(now, 0) && at < dayStart(now, 7);
    case "none":
      return false;
  }
}

/** Local midnight `days` after today's (a calendar day, so a daylight-saving change is counted right). */
function dayStart(now: Date, days: number): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + days).getTime();
}

/**
 * The filter a task's due label stands for, the narrowest that holds it (overdue, today, the
 * next 7 days); null when none does (no due date, or later than a week).
 */
export function dueFilterOf(task: Task, now = new Date()): DueFilter | null {
  if (task.dueAt === null) return null;
  return (["overdue", "today", "week"] as const).find((due) => matchesDue(task, due, now)) ?? null;
}

/** The words on a filter's chip: `tag: work`, `priority: high`, `due: today`. */
export function narrowingLabel(key: (typeof narrowingKeys)[number], view: View): string | null {
  const value = view[key];
  if (!value) return null;
  if (key === "priority") return `priority: ${priorityLabels[value as Priority].toLowerCase()}`;
  if (key === "due") return `due: ${dueFilterLabels[value as DueFilter]}`;
  return `tag: ${value}`;
}

const priorityRank: Record<Priority, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** The server's order for a sort (see docs/tasks-api.md): how the list shows the replica. */
export function compareTasks(sort: SortOption): (a: Task, b: Task) => number {
  const byId = (a: Task, b: Task) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  switch (sort) {
    case "newest":
      return (a, b) => compareStrings(b.createdAt, a.createdAt) || byId(b, a);
    case "oldest":
      return (a, b) => compareStrings(a.createdAt, b.createdAt) || byId(a, b);
    case "due":
      return (a, b) => {
        if (a.dueAt === b.dueAt) return byId(a, b);
        if (a.dueAt === null) return 1;
        if (b.dueAt === null) return -1;
        return Date.parse(a.dueAt) - Date.parse(b.dueAt) || byId(a, b);
      };
    case "priority":
      return (a, b) => priorityRank[b.priority] - priorityRank[a.priority] || byId(b, a);
    case "title":
      return (a, b) => compareStrings(a.title.toLowerCase(), b.title.toLowerCase()) || byId(a, b);
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function tasksLeftLabel(count: number): string {
  return `${count} ${count === 1 ? "task" : "tasks"} left`;
}

/** "1 task", "3 tasks", "2 completed tasks". */
export function countTasksLabel(count: number, adjective = ""): string {
  return `${count} ${adjective ? `${adjective} ` : ""}${count === 1 ? "task" : "tasks"}`;
}

/* ------------------------------------------------------------------ fields */

export const priorityLabels: Record<Priority, string> = {
  none: "None",
  low: "Low",
  medium: "Medium",
  high: "High",
};

/** The optional details of a task, as typed: the due date as yyyy-mm-dd, tags comma-separated. */
export interface DetailsDraft {
  description: string;
  priority: Priority;
  due: string;
  tags: string;
}

export const emptyDetails: DetailsDraft = { description: "", priority: "none", due: "", tags: "" };

/** A task as the person is typing it: into New task, or into the editor of one task. */
export interface TypedTask {
  title: string;
  details: DetailsDraft;
}

/** Whether nothing was typed: an empty title and details as they start. */
export function isBlank(typed: TypedTask, start: DetailsDraft = emptyDetails): boolean {
  return !typed.title.trim() && JSON.stringify(typed.details) === JSON.stringify(start);
}

/** Tags as typed ("Work, home") to what the server stores (["work", "home"]). */
export function parseTags(text: string): string[] {
  const tags = text
    .split(",")
    .map((tag) => tag.trim().toLowerCase())
    .filter(Boolean);
  return [...new Set(tags)];
}

/** The plain-words problem with a list of tags, or null when the server will take it. */
export function checkTags(tags: readonly string[]): string | null {
  if (tags.length > 10) return "Use at most 10 tags";
  if (tags.some((tag) => tag.length > 32)) return "Keep each tag to 32 characters or fewer";
  return null;
}

/** A due date is a day; it is due at the end of that day where the person is. */
export function dueAtFromDateInput(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [, year, month, day] = match;
  return new Date(Number(year), Number(month) - 1, Number(day), 23, 59, 59).toISOString();
}

export function dateInputFromDueAt(dueAt: string | null): string {
  if (!dueAt) return "";
  const date = new Date(dueAt);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function isOverdue(task: Task, now = Date.now()): boolean {
  return !task.completed && task.dueAt !== null && Date.parse(task.dueAt) < now;
}

export function formatDue(dueAt: string, now = new Date()): string {
  const date = new Date(dueAt);
  const sameYear = date.getFullYear() === now.getFullYear();
  return date.toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  });
}
