/**
 * What quick add found, and the one adapter from it to the API's create body. Kept apart from the parser
 * (`quick-add.ts`, which carries chrono-node and rrule and is loaded on demand) so the form can use these
 * without loading the parser. Rules: docs/decisions/021-quick-add-on-chrono-node.md.
 */
import type { Priority, TaskFields } from "./api-client.ts";
import { type DetailsDraft, dueAtFromDateInput, parseTags } from "./task-view.ts";

/**
 * Whether the API stores `recurrence`. While it does not, quick add leaves repeat phrases ("every monday") in
 * the title and offers no repeat chip, so a repeat is never dropped silently. Flip to true when the API has it
 * (and send `recurrence` from `toCreateBody`).
 */
export const API_STORES_RECURRENCE = false;

/** A due date in the task contract's shape: a calendar day, with a wall-clock time or none (all day). */
export interface QuickDue {
  date: string;
  time: string | null;
  timeZone: null;
}

/** An RFC 5545 RRULE (without the "RRULE:" prefix), repeating from the due date. */
export interface QuickRecurrence {
  rule: string;
  from: "due";
}

export type QuickPartKind = "due" | "repeat" | "tag" | "priority";

/** A recognised span of the typed text: [start, end) in it, the text itself and a label for its chip. */
export interface QuickPart {
  kind: QuickPartKind;
  start: number;
  end: number;
  text: string;
  label: string;
}

export interface QuickAdd {
  title: string;
  due: QuickDue | null;
  tags: string[];
  priority: Priority | null;
  recurrence: QuickRecurrence | null;
  parts: QuickPart[];
}

/** "Recognised: Tomorrow 17:00, #family, High" — what a screen reader hears; empty when nothing was. */
export function recognisedSummary(parts: readonly QuickPart[]): string {
  return parts.length ? `Recognised: ${parts.map((part) => part.label).join(", ")}` : "";
}

/** The due instant the API on main takes (`dueAt`): a wall-clock time where the browser is; a day alone ends at 23:59:59 there, as the editor's date field does. */
function dueAtFromQuickDue(due: QuickDue): string {
  if (due.time === null) return dueAtFromDateInput(due.date) as string;
  const [year, month, day] = due.date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = due.time.split(":").map(Number) as [number, number];
  return new Date(year, month - 1, day, hour, minute).toISOString();
}

/**
 * The create body from what quick add found and the form's details. A recognised priority or due date is what
 * the details fields show (changing the field there removes the chip), so one of them is the value; tags add up.
 * The one place that knows the API's due shape: swap `dueAt` for `due: quick.due ?? …` when the API takes `due`.
 */
export function toCreateBody(quick: QuickAdd, details: DetailsDraft): TaskFields {
  const tags = [...new Set([...parseTags(details.tags), ...quick.tags])];
  return {
    title: quick.title,
    description: details.description,
    priority: quick.priority ?? details.priority,
    dueAt: quick.due ? dueAtFromQuickDue(quick.due) : dueAtFromDateInput(details.due),
    tags,
  };
}
