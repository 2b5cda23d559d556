/**
 * Reminders (docs/tasks-api.md "Reminders", docs/decisions/026-reminders.md): the rules, in one
 * place, free of drizzle and zod. The Worker's schemas validate with them, the database's
 * `brisk_next_reminder` computes the same fire instants in SQL, and the web app imports this
 * module to schedule the open app's reminders and label the editor's presets.
 *
 * A task holds up to {@link maxReminders} reminders, each either
 * - `{before: "<ISO 8601 duration>"}`: that long before a timed `due` (weeks, days, hours and
 *   minutes, e.g. `PT15M`, `PT1H`, `P1D`, `P1W`; `PT0M` is "at the due time"), at most
 *   {@link maxBefore}; exact durations: `P1D` is 24 hours before, whatever the clocks do; or
 * - `{at: "<ISO instant>"}`: at that instant (stored as `toISOString` writes it).
 *
 * A reminder fires once at its instant if the task is active then and the instant is later than
 * the task's last change (a reminder set for a time already past, or passed while the task was
 * being edited, is not delivered late).
 */

import { type Due, dueInstant } from "./due.ts";

export type Reminder = { before: string } | { at: string };

export const maxReminders = 5;
/** The longest `before`: four weeks. */
export const maxBeforeSeconds = 28 * 86_400;
export const maxBefore = "P28D";

const durationPattern = /^P(?:(\d{1,3})W|(?:(\d{1,3})D)?(?:T(?:(\d{1,4})H)?(?:(\d{1,6})M)?)?)$/;

/**
 * The seconds of a `before` duration, or null when it is not one Brisk takes: ISO 8601 with
 * weeks, or days, hours and minutes (no years, months or seconds: their length is not fixed, or
 * finer than the minute a reminder is delivered in), at least one part, at most {@link maxBefore}.
 */
export function durationSeconds(value: string): number | null {
  const match = durationPattern.exec(value);
  if (!match || value === "P" || value.endsWith("T")) return null;
  const [, weeks, days, hours, minutes] = match;
  if (weeks === undefined && days === undefined && hours === undefined && minutes === undefined) return null;
  const seconds =
    Number(weeks ?? 0) * 7 * 86_400 +
    Number(days ?? 0) * 86_400 +
    Number(hours ?? 0) * 3600 +
    Number(minutes ?? 0) * 60;
  return seconds <= maxBeforeSeconds ? seconds : null;
}

/** A reminder's identity for "distinct": the offset before due, or the instant. */
export function reminderKey(reminder: Reminder): string {
  return "before" in reminder ? `before:${durationSeconds(reminder.before)}` : `at:${Date.parse(reminder.at)}`;
}

/**
 * The instant a reminder fires, in milliseconds; null for a `before` reminder of a task without
 * a timed due (the API refuses that combination; a replica may briefly hold one).
 */
export function fireInstant(reminder: Reminder, due: Due | null, personZone: string): number | null {
  if ("at" in reminder) return Date.parse(reminder.at);
  const instant = due ? dueInstant(due, personZone) : null;
  const seconds = durationSeconds(reminder.before);
  return instant === null || seconds === null ? null : instant - seconds * 1000;
}

/** The reminder presets the editor offers, as they are stored. */
export const reminderPresets: readonly { before: string; label: string }[] = [
  { before: "PT0M", label: "At due time" },
  { before: "PT15M", label: "15 minutes before" },
  { before: "PT1H", label: "1 hour before" },
  { before: "P1D", label: "1 day before" },
];

/** "15 minutes before", "At due time", "2 days before"; for an `at` reminder, null (the caller formats the instant). */
export function describeBefore(before: string): string {
  const preset = reminderPresets.find((candidate) => candidate.before === before);
  if (preset) return preset.label;
  const seconds = durationSeconds(before);
  if (seconds === null) return before;
  if (seconds === 0) return "At due time";
  const units: [number, string][] = [
    [7 * 86_400, "week"],
    [86_400, "day"],
    [3600, "hour"],
    [60, "minute"],
  ];
  for (const [size, unit] of units) {
    if (seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${unit}${count === 1 ? "" : "s"} before`;
    }
  }
  return `${Math.round(seconds / 60)} minutes before`;
}

/** Two lists of reminders alike, in order. */
export function sameReminders(a: readonly Reminder[], b: readonly Reminder[]): boolean {
  return a.length === b.length && a.every((reminder, i) => reminderKey(reminder) === reminderKey(b[i] as Reminder));
}
