/**
 * Recurring tasks in the web app (docs/web.md "Recurring tasks", decision 024): completing one
 * moves its due to the next occurrence — shown at once from the queued change, computed by the
 * server's own rules (worker/src/tasks/recurrence.ts, loaded on demand with rrule) — and the undo
 * takes that completion back. Both go through the queue with `If-Match`; a 412 is settled here
 * so a repeated complete can never move the task on twice.
 */
import { type Due, sameDue } from "../../../worker/src/tasks/due.ts";
import type { Task } from "./api-client.ts";
import { browserZone } from "./time-zone.ts";

export interface Occurrence {
  /** Completing: the due completed. Undoing: the due the task goes back to. */
  due: Due;
  /** Completing: the next occurrence's due, or null when this was the last one. */
  next: Due | null;
}

/** The queued change's fields this module reads. */
interface OccurrenceChange {
  completed: boolean;
  at: string;
  occurrence?: Occurrence | undefined;
}

const kept = 20;

/** Whether a task repeats and is still going: completing it completes one occurrence. */
export function isRecurring(task: Task): boolean {
  return task.recurrence !== null && task.due !== null;
}

/**
 * The occurrence a click on the checkbox completes, or (for a finished series, or undoing)
 * takes back; null when the task does not repeat. Completing loads the rule engine.
 */
export async function occurrenceFor(task: Task, completed: boolean): Promise<Occurrence | null> {
  if (!task.recurrence || !task.due) return null;
  if (!completed) {
    const latest = task.completions[0];
    return latest ? { due: latest.due, next: null } : null;
  }
  const done = task.completions.length; // a floor for COUNT; the server counts every completion
  try {
    const { nextDue } = await import("../../../worker/src/tasks/recurrence.ts");
    const context = { now: Date.now(), personZone: browserZone() };
    return { due: task.due, next: nextDue(task.recurrence, task.due, done, context) };
  } catch {
    // The rule engine could not be fetched: the due stays shown as it is until the server's answer moves it.
    return { due: task.due, next: task.due };
  }
}

/** The task with the queued completion (or its undo) applied, as the server will answer it. */
export function completeOccurrence(task: Task, change: OccurrenceChange): Task {
  const occurrence = change.occurrence as Occurrence;
  if (!change.completed) {
    return {
      ...task,
      completed: false,
      completedAt: null,
      due: occurrence.due,
      completions: task.completions.slice(1),
    };
  }
  const last = occurrence.next === null;
  return {
    ...task,
    due: occurrence.next ?? task.due,
    completed: last,
    completedAt: last ? change.at : null,
    completions: [{ at: change.at, due: occurrence.due }, ...task.completions].slice(0, kept),
  };
}

/**
 * After a 412: whether the server already has what this change asked for — the occurrence
 * completed (by an earlier try of this change, or by another device), or taken back. When it
 * is not, and the occurrence is still the task's, the change is sent again on the new version.
 */
export function occurrenceSettled(server: Task, change: OccurrenceChange): boolean {
  const occurrence = change.occurrence as Occurrence;
  const latest = server.completions[0]?.due ?? null;
  if (change.completed) {
    const stillCurrent = !server.completed && sameDue(server.due, occurrence.due);
    return sameDue(latest, occurrence.due) || !stillCurrent;
  }
  // Undoing: done when the task is back on that due and no longer lists the completion; only a
  // task whose latest completion is still this one is sent again.
  return !sameDue(latest, occurrence.due);
}

/** Two recurrences alike. */
export function sameRecurrence(a: Task["recurrence"], b: Task["recurrence"]): boolean {
  return a === b || (a !== null && b !== null && a.rule === b.rule && a.from === b.from);
}
