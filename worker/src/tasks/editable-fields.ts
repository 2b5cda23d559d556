import { type SQL, sql } from "drizzle-orm";
import { placeholder } from "../db/prepared.ts";
import { inboxOf, listOrInbox } from "../lists/lists.sql.ts";
import type { Changes } from "./conditional-write.ts";
import { type Due, sameDue } from "./due.ts";
import type { Recurrence } from "./recurrence.ts";
import { type Reminder, sameReminders } from "./reminders.ts";
import type { TaskOutput } from "./tasks.schemas.ts";
import { tasks } from "./tasks.tables.ts";

/**
 * The fields a write may set (create, PUT, PATCH, complete): the SQL that writes each one from
 * its placeholders, and the comparison that tells whether a stored task already holds what a
 * write wanted — how a repeated try recognises its own earlier one.
 */

export type Editable = Pick<
  TaskOutput,
  "title" | "description" | "priority" | "tags" | "due" | "reminders" | "recurrence" | "completed" | "list" | "position"
>;
export const editable = [
  "title",
  "description",
  "priority",
  "tags",
  "due",
  "reminders",
  "recurrence",
  "completed",
  "list",
  "position",
] as const;

/**
 * The columns of a `due` (docs/decisions/020-dates-that-never-shift.md), as SQL for an insert:
 * a timed task's instant is its date and time read in its zone — the person's when it names
 * none — by Postgres, whose zone data the filters use too.
 */
export function dueColumns(due: Due | null, personZone: string) {
  return {
    dueDate: sql`${due?.date ?? null}::date`,
    dueTime: sql`${due?.time ?? null}::time`,
    dueZone: sql`${due?.timeZone ?? null}::text`,
    dueAt: dueInstantSql(
      sql`${due?.date ?? null}::date`,
      sql`${due?.time ?? null}::time`,
      sql`${due?.time ? (due.timeZone ?? personZone) : null}::text`,
    ),
  };
}

export const dueInstantSql = (date: SQL, time: SQL, zone: SQL) =>
  sql`CASE WHEN ${time} IS NULL THEN NULL ELSE (${date} + ${time}) AT TIME ZONE ${zone} END`;

/** The placeholders' values of a `due` write ({@link changesOf}). */
export function dueValues(due: Due | null, personZone: string) {
  return {
    dueDate: due?.date ?? null,
    dueTime: due?.time ?? null,
    dueZone: due?.timeZone ?? null,
    dueAtZone: due?.time ? (due.timeZone ?? personZone) : null,
  };
}

/** The placeholders' values of a `recurrence` write ({@link changesOf}). */
export function recurrenceValues(recurrence: Recurrence | null) {
  return { recurrenceRule: recurrence?.rule ?? null, recurrenceFrom: recurrence?.from ?? null };
}

/**
 * The columns of the fields whose values go in placeholders of their own ({@link dueValues},
 * {@link recurrenceValues}, `remindersJson`), for a create's insert and a write's SET alike.
 */
export const placeholderColumns = {
  due: () => {
    const [date, time] = [sql`${placeholder("dueDate")}::date`, sql`${placeholder("dueTime")}::time`];
    return {
      dueDate: date,
      dueTime: time,
      dueZone: sql`${placeholder("dueZone")}::text`,
      dueAt: dueInstantSql(date, time, sql`${placeholder("dueAtZone")}::text`),
    };
  },
  // Sent as JSON text: a placeholder's array would go as a Postgres array.
  reminders: () => ({ reminders: sql`${placeholder("remindersJson")}::jsonb` }),
  recurrence: () => ({
    recurrenceRule: sql`${placeholder("recurrenceRule")}::text`,
    recurrenceFrom: sql`${placeholder("recurrenceFrom")}::text`,
  }),
  // No position (none in a create, null in a PATCH): the top of manual order, as a new task (decision 030).
  position: () => ({
    position: sql`coalesce(${placeholder("position")}::text, brisk_task_position(now()::timestamptz(3)))`,
  }),
} satisfies Record<string, () => Changes>;

/** `completed_at` follows `completed`: set when a task becomes complete, kept while it stays so, cleared otherwise. */
export const completedAtFor = (completed: SQL | boolean) =>
  sql`CASE WHEN ${completed} THEN coalesce(${tasks.completedAt}, now()) ELSE NULL END`;

/** The SET of a write of these fields, each from the placeholder of its name. */
export function changesOf(fields: readonly (keyof Editable)[]): Changes {
  const changes: Changes = {};
  for (const field of fields) {
    // These five are written below from placeholders of their own.
    if (field !== "due" && field !== "reminders" && field !== "recurrence" && field !== "list" && field !== "position")
      changes[field] = placeholder(field);
  }
  if (fields.includes("recurrence")) {
    const recurrence = placeholderColumns.recurrence();
    Object.assign(changes, recurrence);
    // A new rule starts counting its occurrences (COUNT) again.
    changes.recurrenceDone = sql`CASE WHEN ${tasks.recurrenceRule} IS NOT DISTINCT FROM ${recurrence.recurrenceRule} THEN ${tasks.recurrenceDone} ELSE 0 END`;
  }
  if (fields.includes("reminders")) Object.assign(changes, placeholderColumns.reminders());
  if (fields.includes("due")) Object.assign(changes, placeholderColumns.due());
  // No list (left out of a PUT, null in a PATCH): the Inbox.
  if (fields.includes("list"))
    changes.list = sql`coalesce(${listOrInbox(sql`${tasks.userId}`, sql`${placeholder("list")}::uuid`)}, ${inboxOf(sql`${tasks.userId}`)})`;
  if (fields.includes("position")) Object.assign(changes, placeholderColumns.position());
  if (fields.includes("completed")) changes.completedAt = completedAtFor(placeholder("completed"));
  return changes;
}

export const sameFields = (wanted: Partial<Editable>) => (task: TaskOutput) =>
  Object.entries(wanted).every(([field, value]) =>
    field === "tags"
      ? sameTags(task.tags, value as string[])
      : field === "due"
        ? sameDue(task.due, value as Due | null)
        : field === "reminders"
          ? sameReminders(task.reminders, value as Reminder[])
          : field === "recurrence"
            ? sameRecurrence(task.recurrence, value as Recurrence | null)
            : task[field as keyof TaskOutput] === value,
  );

export function sameRecurrence(a: Recurrence | null, b: Recurrence | null): boolean {
  return a === b || (a !== null && b !== null && a.rule === b.rule && a.from === b.from);
}

export function sameTags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((tag, i) => tag === b[i]);
}
