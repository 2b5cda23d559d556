import { isZoneName } from "../tasks/due.ts";

/**
 * Todoist's CSV export → Brisk tasks (the mapping is documented in docs/tasks-api.md
 * "Export and import"). Columns: TYPE, CONTENT, DESCRIPTION, PRIORITY, INDENT, AUTHOR,
 * RESPONSIBLE, DATE, DATE_LANG, TIMEZONE (newer exports add DURATION, DEADLINE, … which
 * are ignored).
 */

export const isTodoistHeader = (header: string[]) => header.includes("TYPE") && header.includes("CONTENT");

/** Todoist's PRIORITY: 4 is its highest (p1 in its app), 1 its lowest (no priority). */
const priorityOf: Record<string, string> = { "4": "high", "3": "medium", "2": "low", "1": "none", "": "none" };

/** An error's path in the task as the Todoist column a person sees. */
export const todoistColumnOf: Record<string, string> = {
  title: "CONTENT",
  tags: "CONTENT",
  description: "DESCRIPTION",
  priority: "PRIORITY",
  due: "DATE",
  "due.date": "DATE",
  "due.time": "DATE",
  "due.timeZone": "TIMEZONE",
};

export type TodoistRow =
  | { kind: "task"; task: Record<string, unknown>; warning?: string }
  | { kind: "note"; text: string }
  | { kind: "ignored" };

/** One Todoist record; `today` (YYYY-MM-DD in the person's zone) places a date written without its year. */
export function readTodoistRow(header: string[], cells: string[], today: string): TodoistRow {
  const cell = (name: string) => (cells[header.indexOf(name)] ?? "").trim();
  const type = cell("TYPE").toLowerCase();
  if (type === "note") return { kind: "note", text: cell("CONTENT") };
  if (type !== "task") return { kind: "ignored" }; // sections, blank lines, anything else
  const { title, tags } = splitLabels(cell("CONTENT"));
  let description = cell("DESCRIPTION");
  const task: Record<string, unknown> = {
    title,
    tags,
    priority: priorityOf[cell("PRIORITY")] ?? `Todoist priority ${cell("PRIORITY")}`,
  };
  let warning: string | undefined;
  const date = cell("DATE");
  if (date !== "") {
    const read = readTodoistDate(date, today, cell("DATE_LANG"));
    if (typeof read === "string") {
      // Kept where the person will see it, and reported: nothing is lost.
      description = `${description}${description ? "\n\n" : ""}Todoist date: ${date}`;
      warning = `${read}; imported without a due date, "${date}" added to the description`;
    } else {
      const zone = cell("TIMEZONE");
      task.due = { ...read, timeZone: read.time && isZoneName(zone) ? zone : null };
    }
  }
  task.description = description;
  return { kind: "task", task, ...(warning ? { warning } : {}) };
}

/** `@label` words in Todoist's CONTENT are its labels: Brisk tags, taken out of the title. */
function splitLabels(content: string): { title: string; tags: string[] } {
  const tags: string[] = [];
  const title = content
    .replace(/(^|\s)@([^\s@]+)/g, (_, space: string, label: string) => {
      tags.push(label);
      return space;
    })
    .replace(/\s+/g, " ")
    .trim();
  return { title, tags };
}

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * Todoist's DATE, read only where it names one day without doubt: `2026-12-05`, `Dec 5 2026`,
 * `5 December 2026`, `Dec 5` (the next 5 December from `today`), each with an optional time
 * (`17:00`, `5pm`, `5:30 pm`). Repeating dates (`every monday`) and words relative to a day
 * the file does not record (`tomorrow`) are not one day: the answer says why, as text.
 * A narrow reader of our own, not chrono-node's casual parser: "unambiguous" is the rule
 * here, and the Worker's bundle budget has no room for chrono (decision 028).
 */
export function readTodoistDate(
  text: string,
  today: string,
  language: string,
): { date: string; time: string | null } | string {
  const value = text.trim().toLowerCase().replace(/,/g, " ").replace(/\s+/g, " ");
  if (/^(every|ev|after|every!)\b/.test(value)) return `"${text}" repeats, which Brisk cannot import yet`;
  const { rest, time } = splitTime(value);
  if (time === undefined) return `Could not read the time in "${text}"`;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(rest);
  if (iso) return realDate(Number(iso[1]), Number(iso[2]), Number(iso[3]), time, text);
  if (language !== "" && language.toLowerCase() !== "en")
    return `Only English dates can be read (DATE_LANG is "${language}")`;
  const words = rest.split(" ");
  const monthIndex = (word: string | undefined) =>
    word && word.length >= 3 ? months.findIndex((month) => word.startsWith(month)) : -1;
  const dayOf = (word: string | undefined) => (word && /^\d{1,2}(st|nd|rd|th)?$/.test(word) ? parseInt(word, 10) : 0);
  let month = -1;
  let day = 0;
  let year: string | undefined;
  if (words.length >= 2 && words.length <= 3 && monthIndex(words[0]) >= 0) {
    month = monthIndex(words[0]);
    day = dayOf(words[1]);
    year = words[2];
  } else if (words.length >= 2 && words.length <= 3 && monthIndex(words[1]) >= 0) {
    month = monthIndex(words[1]);
    day = dayOf(words[0]);
    year = words[2];
  }
  if (month < 0 || day === 0 || (year !== undefined && !/^\d{4}$/.test(year)))
    return `Could not read "${text}" as one date`;
  if (year !== undefined) return realDate(Number(year), month + 1, day, time, text);
  // No year: the next such day on or after today, as Todoist shows it.
  const thisYear = Number(today.slice(0, 4));
  const candidate = `${thisYear}-${pad(month + 1)}-${pad(day)}`;
  return realDate(candidate >= today ? thisYear : thisYear + 1, month + 1, day, time, text);
}

function splitTime(value: string): { rest: string; time: string | null | undefined } {
  const match = /^(.*?)(?:\s+(?:at\s+)?|t)(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*(am|pm)?$/.exec(value);
  if (!match || (match[3] === undefined && match[4] === undefined)) return { rest: value, time: null };
  let hour = Number(match[2]);
  const minute = Number(match[3] ?? "0");
  if (match[4]) {
    if (hour < 1 || hour > 12) return { rest: value, time: undefined };
    hour = (hour % 12) + (match[4] === "pm" ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return { rest: value, time: undefined };
  return { rest: (match[1] ?? "").trim(), time: `${pad(hour)}:${pad(minute)}` };
}

function realDate(year: number, month: number, day: number, time: string | null, text: string) {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1000 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return `"${text}" is not a real date`;
  return { date: `${year}-${pad(month)}-${pad(day)}`, time };
}

const pad = (n: number) => String(n).padStart(2, "0");
