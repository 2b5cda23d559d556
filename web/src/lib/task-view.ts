import {
  addDays,
  type Due,
  type DueContext,
  dueDayIn,
  dueSortKey,
  isOverdue as isDueOverdue,
  isDueToday,
  isDueWithin,
  todayIn,
} from "../../../worker/src/tasks/due.ts";
import { comparePlaced } from "../../../worker/src/tasks/position.ts";
import { compareCodePoints, matchesWords, searchWords, titleKey } from "../../../worker/src/tasks/task-text.ts";
import {
  type DueFilter,
  type Priority,
  priorities,
  type StatusFilter,
  type Task,
  type TaskFilters,
} from "./api-client.ts";
import { listParam } from "./lists.ts";
import { browserZone, personZone } from "./time-zone.ts";

/**
 * What the task list shows, as the person chose it and as the URL keeps it
 * (`/tasks?status=active&sort=due&q=milk&tag=work&priority=high&due=week`, or `?view=today`), and the pure
 * rules that follow from it. The filters are the API's (docs/tasks-api.md, "Listing"), under the same
 * names, and the replica is filtered here by the same rules (the due rules: worker/src/tasks/due.ts), so
 * what the list shows is what a bulk action sent with these filters changes on the server.
 */

export const filters = ["all", "active", "completed"] as const;
/** The due views: Today (overdue and today) and Upcoming (the next 14 days, by day), active tasks only. */
export const dueViews = ["today", "upcoming"] as const;
export type DueView = (typeof dueViews)[number];
export type Filter = (typeof filters)[number] | DueView;
export const filterLabels: Record<Filter, string> = {
  all: "All",
  active: "Active",
  completed: "Completed",
  today: "Today",
  upcoming: "Upcoming",
};
/** How many days Upcoming shows, today included. */
export const upcomingDays = 14;

export function isDueView(filter: Filter): filter is DueView {
  return (dueViews as readonly string[]).includes(filter);
}

/** Where and when the list is looked at, for the due rules: now, this browser's zone, the person's zone. */
export function dueContext(now = Date.now()): DueContext {
  return { now, zone: browserZone(), personZone: personZone() };
}

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

export const sortOptions = [
  { value: "newest", label: "Newest" },
  { value: "oldest", label: "Oldest" },
  { value: "due", label: "Due date" },
  { value: "priority", label: "Priority" },
  { value: "title", label: "Title (natural order)" },
  // The person's own order (the API's `sort=manual`): moved by drag and drop or Alt+↑/↓ (decision 030).
  { value: "manual", label: "Manual" },
] as const;
export type SortOption = (typeof sortOptions)[number]["value"];

export interface View {
  filter: Filter;
  sort: SortOption;
  q: string;
  /** One tag (as stored: trimmed, lower case), or none. */
  tag: string | null;
  priority: Priority | null;
  due: DueFilter | null;
  /** One of the person's lists (`?list=`, lib/lists.ts), or every list. */
  list?: string | null;
}

/** The filters a task's own labels set (its tag, priority or due label), and a chip removes. */
export type Narrowing = Partial<Pick<View, "tag" | "priority" | "due">>;
export const narrowingKeys = ["tag", "priority", "due"] as const;

export const defaultView: View = { filter: "all", sort: "newest", q: "", tag: null, priority: null, due: null };

export function viewFromSearch(search: string): View {
  const params = new URLSearchParams(search);
  const status = params.get("status");
  const sort = params.get("sort");
  const dueView = params.get("view");
  const priority = params.get("priority");
  const due = params.get("due");
  return {
    filter:
      dueView === "today" || dueView === "upcoming"
        ? dueView
        : status === "active" || status === "completed"
          ? status
          : "all",
    sort: sortOptions.some((o) => o.value === sort) ? (sort as SortOption) : "newest",
    q: (params.get("q") ?? "").slice(0, 200),
    tag: normaliseTag(params.get("tag") ?? ""),
    priority: priorities.some((p) => p === priority) ? (priority as Priority) : null,
    due: dueFilters.some((d) => d === due) ? (due as DueFilter) : null,
    ...(listParam(params.get("list")) ? { list: listParam(params.get("list")) } : {}),
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
  if (view.list) params.set("list", view.list);
  if (isDueView(view.filter)) params.set("view", view.filter);
  else if (view.filter !== "all") params.set("status", view.filter);
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

const statusForFilter: Record<Filter, StatusFilter> = {
  all: "all",
  active: "pending",
  completed: "completed",
  today: "pending",
  upcoming: "pending",
};

/** The server's filters for the tasks a view shows; `status` overrides the view's own. */
export function filtersForView(view: View, status: StatusFilter = statusForFilter[view.filter]): TaskFilters {
  const result: TaskFilters = { status };
  const q = view.q.trim();
  if (q) result.q = q;
  if (view.tag) result.tag = view.tag;
  if (view.priority) result.priority = view.priority;
  if (view.list) result.list = view.list;
  if (view.due) {
    result.due = view.due;
    result.tz = browserZone();
  }
  return result;
}

/** Whether a task belongs in the view, so an optimistic change can show or hide it at once. */
export function matchesView(task: Task, view: View, context: DueContext = dueContext()): boolean {
  if ((view.filter === "active" || isDueView(view.filter)) && task.completed) return false;
  if (view.filter === "completed" && !task.completed) return false;
  if (view.filter === "today" && !(isDueOverdue(task.due, context) || isDueToday(task.due, context))) return false;
  if (view.filter === "upcoming" && !isDueWithin(task.due, upcomingDays, context)) return false;
  return matchesNarrowing(task, view, context);
}

/**
 * Whether a task matches the view's search, tag, priority and due filters (whatever its
 * status): what the footer counts. The API's rules, imported so the replica shows what the server would:
 * every word of `q` in the title, description or a tag, case and accents aside (worker/src/tasks/task-text.ts),
 * the tag among the task's tags, the priority equal, the due window (worker/src/tasks/due.ts).
 */
export function matchesNarrowing(task: Task, view: View, context: DueContext = dueContext()): boolean {
  if (!matchesWords(task, searchWords(view.q.trim()))) return false;
  if (view.tag && !task.tags.includes(view.tag)) return false;
  if (view.priority && task.priority !== view.priority) return false;
  if (view.list && task.list !== view.list) return false;
  return !view.due || matchesDue(task, view.due, context);
}

/** The API's due windows (`due=overdue|today|week|none`), in this browser's zone, as the server counts them. */
export function matchesDue(task: Task, due: DueFilter, context: DueContext = dueContext()): boolean {
  switch (due) {
    case "overdue":
      return !task.completed && isDueOverdue(task.due, context);
    case "today":
      return isDueToday(task.due, context);
    case "week":
      return isDueWithin(task.due, 7, context);
    case "none":
      return task.due === null;
  }
}

/**
 * The filter a task's due label stands for, the narrowest that holds it (overdue, today, the
 * next 7 days); null when none does (no due date, or later than a week).
 */
export function dueFilterOf(task: Task, context: DueContext = dueContext()): DueFilter | null {
  if (task.due === null) return null;
  return (["overdue", "today", "week"] as const).find((due) => matchesDue(task, due, context)) ?? null;
}

const priorityRank: Record<Priority, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** The server's order for a sort (see docs/tasks-api.md): how the list shows the replica. */
export function compareTasks(sort: SortOption, context: DueContext = dueContext()): (a: Task, b: Task) => number {
  const byId = (a: Task, b: Task) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  switch (sort) {
    case "newest":
      return (a, b) => compareStrings(b.createdAt, a.createdAt) || byId(b, a);
    case "oldest":
      return (a, b) => compareStrings(a.createdAt, b.createdAt) || byId(a, b);
    case "due":
      // By instant, an all-day task at the start of its day here, none last (worker/src/tasks/due.ts).
      return (a, b) => {
        const [ka, kb] = [dueSortKey(a.due, context), dueSortKey(b.due, context)];
        if (ka === kb) return byId(a, b);
        if (ka === null) return 1;
        if (kb === null) return -1;
        return ka - kb || byId(a, b);
      };
    case "priority":
      return (a, b) => priorityRank[b.priority] - priorityRank[a.priority] || byId(b, a);
    case "title":
      // The natural order ("2" before "10"), by the server's key (worker/src/tasks/task-text.ts).
      return (a, b) => compareCodePoints(titleKey(a.title), titleKey(b.title)) || byId(a, b);
    case "manual":
      // By position, byte-wise, the id breaking a tie (worker/src/tasks/position.ts).
      return comparePlaced;
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

/** The words on a filter's chip: `tag: work`, `priority: high`, `due: today`. */
export function narrowingLabel(key: (typeof narrowingKeys)[number], view: View): string | null {
  const value = view[key];
  if (!value) return null;
  if (key === "priority") return `priority: ${priorityLabels[value as Priority].toLowerCase()}`;
  if (key === "due") return `due: ${dueFilterLabels[value as DueFilter]}`;
  return `tag: ${value}`;
}

/** The optional details of a task, as typed: the due date as yyyy-mm-dd and time as HH:MM (or ""), tags comma-separated. */
export interface DetailsDraft {
  description: string;
  priority: Priority;
  due: string;
  dueTime: string;
  tags: string;
}

export const emptyDetails: DetailsDraft = { description: "", priority: "none", due: "", dueTime: "", tags: "" };

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

/**
 * The date and time fields for a `due`: an all-day date as it is; a timed one as its date and
 * time here (the same instant, shown where the person is looking).
 */
export function dueInputs(due: Due | null, context: DueContext = dueContext()): Pick<DetailsDraft, "due" | "dueTime"> {
  if (!due) return { due: "", dueTime: "" };
  const instant = dueSortKey(due, context);
  if (due.time === null || instant === null) return { due: due.date, dueTime: "" };
  return { due: dueDayIn(due, context), dueTime: timeIn(instant, context.zone) };
}

/**
 * The `due` the fields mean: exactly the day chosen, all day without a time, else that time
 * here. Unchanged fields keep the task's own `due` (its zone included).
 */
export function dueFromInputs(
  inputs: Pick<DetailsDraft, "due" | "dueTime">,
  before: Due | null = null,
  context: DueContext = dueContext(),
): Due | null {
  const shown = dueInputs(before, context);
  if (before && shown.due === inputs.due && shown.dueTime === inputs.dueTime) return before;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(inputs.due)) return null;
  if (!/^\d{2}:\d{2}$/.test(inputs.dueTime)) return { date: inputs.due, time: null, timeZone: null };
  return { date: inputs.due, time: inputs.dueTime, timeZone: context.zone };
}

function timeIn(instant: number, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  return `${part("hour")}:${part("minute")}`;
}

/** Whether the task is overdue: not done, and its day (all-day) or its time has passed. */
export function isOverdue(task: Task, context: DueContext = dueContext()): boolean {
  return !task.completed && isDueOverdue(task.due, context);
}

/** Whether the task is due today where the person is looking. */
export function isToday(task: Task, context: DueContext = dueContext()): boolean {
  return isDueToday(task.due, context);
}

/** The calendar day a task is due on here (Upcoming groups by it). */
export function dueDay(due: Due, context: DueContext = dueContext()): string {
  return dueDayIn(due, context);
}

/** A calendar date in the person's words: "Friday 5 December" (a date, so it never shifts). */
export function formatDay(date: string, withYear = false): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day)).toLocaleDateString(undefined, {
    timeZone: "UTC",
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(withYear ? { year: "numeric" } : {}),
  });
}

/**
 * A due label: "Today", "Tomorrow", a weekday within a week, else a date (with the year when
 * another); with the time when set, in the viewer's zone and the person's locale. `relative:
 * false` always gives the date, for a due in the past record ("due Tomorrow" reads wrong there).
 */
export function formatDue(
  due: Due,
  context: DueContext = dueContext(),
  { relative = true }: { relative?: boolean } = {},
): string {
  const day = dueDayIn(due, context);
  const today = todayIn(context);
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const utc = new Date(Date.UTC(year, month - 1, date));
  const dateLabel = () =>
    utc.toLocaleDateString(undefined, {
      timeZone: "UTC",
      day: "numeric",
      month: "short",
      ...(day.slice(0, 4) === today.slice(0, 4) ? {} : { year: "numeric" }),
    });
  const dayLabel = !relative
    ? dateLabel()
    : day === today
      ? "Today"
      : day === addDays(today, 1)
        ? "Tomorrow"
        : day > today && day < addDays(today, 7)
          ? utc.toLocaleDateString(undefined, { timeZone: "UTC", weekday: "long" })
          : dateLabel();
  const instant = due.time === null ? null : dueSortKey(due, context);
  if (instant === null) return dayLabel;
  const time = new Date(instant).toLocaleTimeString(undefined, {
    timeZone: context.zone,
    hour: "numeric",
    minute: "2-digit",
  });
  return `${dayLabel}, ${time}`;
}
