import { compareCodePoints, matchesWords, searchWords, titleKey } from "../../../worker/src/tasks/task-text.ts";
import type { Priority, StatusFilter, Task, TaskFilters } from "./api-client.ts";

/**
 * What the task list shows, as the person chose it and as the URL keeps it
 * (`/tasks?status=active&sort=due&q=milk`), and the pure rules that follow from it.
 */

export const filters = ["all", "active", "completed"] as const;
export type Filter = (typeof filters)[number];

export const sortOptions = [
  { value: "newest", label: "Newest" },
  { value: "oldest", label: "Oldest" },
  { value: "due", label: "Due date" },
  { value: "priority", label: "Priority" },
  { value: "title", label: "Title (natural order)" },
] as const;
export type SortOption = (typeof sortOptions)[number]["value"];

export interface View {
  filter: Filter;
  sort: SortOption;
  q: string;
}

export const defaultView: View = { filter: "all", sort: "newest", q: "" };

export function viewFromSearch(search: string): View {
  const params = new URLSearchParams(search);
  const status = params.get("status");
  const sort = params.get("sort");
  return {
    filter: status === "active" || status === "completed" ? status : "all",
    sort: sortOptions.some((o) => o.value === sort) ? (sort as SortOption) : "newest",
    q: (params.get("q") ?? "").slice(0, 200),
  };
}

/** The query string for a view; defaults are left out so the plain `/tasks` stays plain. */
export function searchForView(view: View): string {
  const params = new URLSearchParams();
  if (view.filter !== "all") params.set("status", view.filter);
  if (view.sort !== "newest") params.set("sort", view.sort);
  if (view.q.trim()) params.set("q", view.q.trim());
  const search = params.toString();
  return search ? `?${search}` : "";
}

export function filterHref(filter: Filter, view: View): string {
  return `/tasks${searchForView({ ...view, filter })}`;
}

const statusForFilter: Record<Filter, StatusFilter> = { all: "all", active: "pending", completed: "completed" };

/** The server's filters for the tasks a view shows; `status` overrides the view's own. */
export function filtersForView(view: View, status: StatusFilter = statusForFilter[view.filter]): TaskFilters {
  const q = view.q.trim();
  return q ? { status, q } : { status };
}

/** Whether a task belongs in the view, so an optimistic change can show or hide it at once. */
export function matchesView(task: Task, view: View): boolean {
  if (view.filter === "active" && task.completed) return false;
  if (view.filter === "completed" && !task.completed) return false;
  return matchesSearch(task, view);
}

/**
 * Whether a task matches the view's search (whatever its status): what the footer counts.
 * Every word in the title, description or a tag, case and accents aside — the server's rule
 * (worker/src/tasks/task-text.ts), imported, so the replica shows what the server would.
 */
export function matchesSearch(task: Task, view: View): boolean {
  return matchesWords(task, searchWords(view.q.trim()));
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
      // The natural order ("2" before "10"), by the server's key (worker/src/tasks/task-text.ts).
      return (a, b) => compareCodePoints(titleKey(a.title), titleKey(b.title)) || byId(a, b);
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
