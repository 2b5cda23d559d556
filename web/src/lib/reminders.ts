/**
 * The open app's reminders (docs/web.md "Reminders", docs/decisions/026-reminders.md): which of
 * the replica's reminders come next, by the server's own rules (worker/src/tasks/reminders.ts).
 * Pure: the island (islands/reminder-alerts.tsx) keeps the timer and shows them.
 */

import { fireInstant, type Reminder } from "../../../worker/src/tasks/reminders.ts";
import type { Task, TaskFields } from "./api-client.ts";

export interface UpcomingReminder {
  /** Task id and instant: the same reminder is shown once per page. */
  key: string;
  taskId: string;
  title: string;
  at: number;
}

/**
 * Every reminder of an active task that fires after `now` and after the task's last change
 * (as the server mails them: one set for a time already past is not delivered), earliest first.
 */
export function upcomingReminders(tasks: readonly Task[], now: number, personZone: string): UpcomingReminder[] {
  const upcoming: UpcomingReminder[] = [];
  for (const task of tasks) {
    if (task.completed) continue;
    const changed = Date.parse(task.updatedAt);
    for (const reminder of (task.reminders ?? []) as Reminder[]) {
      const at = fireInstant(reminder, task.due ?? null, personZone);
      if (at === null || at <= now || at <= changed) continue;
      upcoming.push({ key: `${task.id}@${at}`, taskId: task.id, title: task.title, at });
    }
  }
  return upcoming.sort((a, b) => a.at - b.at);
}

/** Whether a list of tasks has any reminder: then the "Turn on reminders" offer makes sense. */
export function anyReminders(tasks: readonly Task[]): boolean {
  return tasks.some((task) => !task.completed && (task.reminders ?? []).length > 0);
}

/** A `before` reminder needs the due date and a time: without one, the editor keeps only `at` reminders. */
export function keepableReminders(reminders: readonly Reminder[], hasDueTime: boolean): Reminder[] {
  return reminders.filter((reminder) => hasDueTime || !("before" in reminder));
}

/** A new task's fields with the reminders chosen in its form, those it can take (none: the field left out). */
export function withReminders(fields: TaskFields, reminders: readonly Reminder[]): TaskFields {
  const kept = keepableReminders(reminders, fields.due?.time != null);
  return kept.length > 0 ? { ...fields, reminders: kept } : fields;
}
