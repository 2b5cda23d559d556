/**
 * What quick add found, and the one adapter from it to the API's create body. Kept apart from the parser
 * (`quick-add.ts`, which carries chrono-node and rrule and is loaded on demand) so the form can use these
 * without loading the parser. Rules: docs/decisions/021-quick-add-on-chrono-node.md.
 */
import type { Priority, TaskFields } from "./api-client.ts";
import { type DetailsDraft, dueFromInputs, parseTags } from "./task-view.ts";
import { browserZone } from "./time-zone.ts";

/**
 * Whether the API stores `recurrence` (it does since decision 024). Were it false, quick add would leave repeat
 * phrases ("every monday") in the title and offer no repeat chip, so a repeat is never dropped silently.
 */
export const API_STORES_RECURRENCE = true;

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

/**
 * The create body from what quick add found and the form's details. A recognised priority or due date is what
 * the details fields show (changing the field there removes the chip), so one of them is the value; tags add up.
 * A recognised time is wall-clock time where the browser is (the parser read "5pm" there), so it carries that
 * zone; a day alone is a calendar day (docs/tasks-api.md, "The due model").
 */
export function toCreateBody(quick: QuickAdd, details: DetailsDraft): TaskFields {
  const tags = [...new Set([...parseTags(details.tags), ...quick.tags])];
  return {
    title: quick.title,
    description: details.description,
    priority: quick.priority ?? details.priority,
    due: quick.due
      ? { date: quick.due.date, time: quick.due.time, timeZone: quick.due.time === null ? null : browserZone() }
      : dueFromInputs(details),
    tags,
    // A repeat needs a due date: the parser always gives one with it (its first occurrence).
    ...(quick.recurrence && quick.due ? { recurrence: quick.recurrence } : {}),
  };
}
