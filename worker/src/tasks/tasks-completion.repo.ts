import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { sameDue } from "./due.ts";
import { completionsKept, nextDue } from "./recurrence.ts";
import {
  type Changes,
  changesOf,
  completedAtFor,
  conditionalWrite,
  dueInstantSql,
  dueJson,
  dueValues,
  isoText,
  placeholder,
  repeatableWhen,
  sameFields,
  type VersionCondition,
  type WriteResult,
} from "./tasks.repo.ts";
import { tasks } from "./tasks.schema.ts";
import type { TaskOutput } from "./tasks.schemas.ts";

/**
 * Completion, for plain and recurring tasks (docs/decisions/024-recurring-tasks.md): the
 * repository's conditional writes, with a recurring task completed one occurrence at a time and
 * set back by taking its latest completion back. Kept beside tasks.repo.ts, whose statements it
 * uses, so the rules of occurrences stay in one place.
 */

const toggle = sql`NOT ${tasks.completed}`;

/** An active recurring task: completing it records the occurrence and moves `due` instead (recurrence.ts). */
const isActiveRecurring = (task: TaskOutput) => task.recurrence !== null && !task.completed;
const notActiveRecurring = () => sql`NOT (${tasks.recurrenceRule} IS NOT NULL AND NOT ${tasks.completed})`;

/**
 * Sets `completed`, or flips it when `completed` is "toggle" (a flip can never be told from its repeat).
 * A recurring task is completed one occurrence at a time ({@link completeOccurrence}), and set
 * back ({@link reopenOccurrence}) by taking back its latest completion: the undo of a complete.
 */
export async function setCompleted(
  db: Database,
  userId: string,
  id: string,
  completed: boolean | "toggle",
  condition: VersionCondition,
  personZone: string,
  now = Date.now(),
): Promise<WriteResult> {
  if (completed === false) return reopenOccurrence(db, userId, id, condition, personZone);
  // Up to three tries when no If-Match pins a version: a concurrent change between the read and
  // the occurrence's write is a conflict only for a client that asked for one version.
  for (let attempt = 0; ; attempt++) {
    const write =
      completed === "toggle"
        ? {
            shape: "toggle:plain",
            changes: () => ({ completed: toggle, completedAt: completedAtFor(toggle) }),
            values: {},
            only: () => sql`${tasks.recurrenceRule} IS NULL`,
          }
        : {
            shape: "completed:plain",
            changes: () => changesOf(["completed"]),
            values: { completed },
            only: notActiveRecurring,
          };
    const leftOut = completed === "toggle" ? (task: TaskOutput) => task.recurrence !== null : isActiveRecurring;
    const repeatability = completed === "toggle" ? "once" : repeatableWhen(condition);
    const alreadyApplied = completed === "toggle" ? undefined : sameFields({ completed });
    const first = await conditionalWrite(db, write, userId, id, condition, alreadyApplied, repeatability, leftOut);
    if (first.kind !== "left") return first;
    // A recurring task, read by the statement that left it alone; written only at that version.
    const task = first.task;
    const result = task.completed
      ? await reopenOccurrence(db, userId, id, [task.version], personZone)
      : await completeOccurrence(db, userId, task, first.row.recurrenceDone, personZone, now);
    if (result.kind !== "stale" || condition !== "any" || attempt >= 2) return result;
  }
}

/**
 * Completes the current occurrence of a recurring task read at `task.version`: records
 * `{at, due}` in its completions and moves `due` to the next occurrence, or — the last one —
 * completes the task. One conditional statement; a repeat after a lost answer finds its own
 * try (the task one version later, with this due and this completion) instead of a conflict.
 */
function completeOccurrence(
  db: Database,
  userId: string,
  task: TaskOutput,
  done: number,
  personZone: string,
  now: number,
): Promise<WriteResult> {
  const { recurrence, due } = task;
  if (!recurrence || !due) throw new Error("completeOccurrence needs a recurring task with a due date");
  const next = nextDue(recurrence, due, done, { now, personZone });
  const entry = sql`jsonb_build_object('at', ${isoText(sql`now()`)}, 'due', ${dueJson})`;
  const changes = (last: boolean) => (): Changes => ({
    ...(last ? { completed: sql`true`, completedAt: sql`now()` } : changesOf(["due"])),
    recurrenceDone: sql`${tasks.recurrenceDone} + 1`,
    completions: sql`(SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb) FROM jsonb_array_elements(jsonb_build_array(${entry}) || ${tasks.completions}) WITH ORDINALITY AS kept(e, i) WHERE i <= ${sql.raw(String(completionsKept))})`,
  });
  const write = next
    ? { shape: "occurrence:next", changes: changes(false), values: dueValues(next, personZone) }
    : { shape: "occurrence:last", changes: changes(true), values: {} };
  const mine = (after: TaskOutput) =>
    sameDue(after.due, next ?? due) &&
    after.completed === (next === null) &&
    sameDue(after.completions[0]?.due ?? null, due);
  return conditionalWrite(db, write, userId, task.id, [task.version], mine, "repeatable");
}

/**
 * Sets `completed` to false. For a recurring task this takes back its latest completion: `due`
 * returns to the date that completion recorded and the entry goes (the exact undo of a
 * complete); a task with no completion is only marked not completed.
 */
function reopenOccurrence(
  db: Database,
  userId: string,
  id: string,
  condition: VersionCondition,
  personZone: string,
): Promise<WriteResult> {
  const changes = (): Changes => {
    const latest = sql`(${tasks.completions} -> 0 -> 'due')`;
    const back = sql`(${tasks.recurrenceRule} IS NOT NULL AND jsonb_array_length(${tasks.completions}) > 0)`;
    const either = (then: SQL, otherwise: SQL) => sql`CASE WHEN ${back} THEN ${then} ELSE ${otherwise} END`;
    const date = sql`(${latest} ->> 'date')::date`;
    const time = sql`(${latest} ->> 'time')::time`;
    const zone = sql`(${latest} ->> 'timeZone')`;
    return {
      ...changesOf(["completed"]),
      dueDate: either(date, sql`${tasks.dueDate}`),
      dueTime: either(time, sql`${tasks.dueTime}`),
      dueZone: either(zone, sql`${tasks.dueZone}`),
      dueAt: either(
        dueInstantSql(date, time, sql`coalesce(${zone}, ${placeholder("personZone")}::text)`),
        sql`${tasks.dueAt}`,
      ),
      completions: either(sql`${tasks.completions} - 0`, sql`${tasks.completions}`),
      recurrenceDone: either(sql`greatest(${tasks.recurrenceDone} - 1, 0)`, sql`${tasks.recurrenceDone}`),
    };
  };
  const write = { shape: "reopen", changes, values: { completed: false, personZone } };
  return conditionalWrite(
    db,
    write,
    userId,
    id,
    condition,
    sameFields({ completed: false }),
    repeatableWhen(condition),
  );
}
