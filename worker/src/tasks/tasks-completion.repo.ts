import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { placeholder } from "../db/prepared.ts";
import {
  type Changes,
  computedValue,
  conditionalWrite,
  repeatableWhen,
  type VersionCondition,
  type WriteResult,
} from "./conditional-write.ts";
import { completedAtFor, dueInstantSql, sameFields } from "./editable-fields.ts";
import { completionsKept } from "./recurrence.ts";
import { dueJson, isoText } from "./task-json.ts";
import type { TaskOutput } from "./tasks.schemas.ts";
import { tasks } from "./tasks.tables.ts";

/**
 * Completion, for plain and recurring tasks (docs/decisions/024-recurring-tasks.md): each one
 * conditional write of the repository, which for a recurring task completes one occurrence
 * (Postgres computes the next date: `brisk_next_due`, migration 0014, equal to recurrence.ts's
 * nextDue) or takes the latest back. Kept beside conditional-write.ts, whose statement it uses, so the
 * rules of occurrences stay in one place.
 */

/** The task's columns by field name, for SET expressions that keep a column as it is. */
const columns = getTableColumns(tasks);

const recurring = sql`${tasks.recurrenceRule} IS NOT NULL`;
/** An active recurring task: completing it records the occurrence and moves `due` instead. */
const activeRecurring = sql`(${recurring} AND NOT ${tasks.completed})`;
const zoneOfPerson = sql`${placeholder("personZone")}::text`;

/**
 * One SET for tasks of several kinds: each column takes the first case's change whose condition
 * holds, else `otherwise`'s; a column a case does not change keeps its value there.
 */
function byKind(cases: [SQL, Changes][], otherwise: Changes): Changes {
  const fields = new Set([...cases.flatMap(([, changes]) => Object.keys(changes)), ...Object.keys(otherwise)]);
  const kept = (changes: Changes, field: keyof Changes) => changes[field] ?? sql`${columns[field]}`;
  return Object.fromEntries(
    [...fields].map((name) => {
      const field = name as keyof Changes;
      const branches = cases.map(([when, changes]) => sql`WHEN ${when} THEN ${kept(changes, field)}`);
      return [field, sql`CASE ${sql.join(branches, sql` `)} ELSE ${kept(otherwise, field)} END`];
    }),
  );
}

/**
 * Completes the current occurrence of an active recurring task: records `{at, due}` in its
 * completions, counts it (`recurrence_done`, for COUNT) and moves `due` to the next occurrence
 * ({@link nextOccurrence}, computed once for the statement) — or, the last one, completes the task.
 */
function occurrenceChanges(): Changes {
  const next = sql`${computedValue}::date`;
  // `at` rounded to milliseconds as `updated_at` (timestamptz(3)) is: the two are equal, which tells a repeat its own try.
  const entry = sql`jsonb_build_object('at', ${isoText(sql`now()::timestamptz(3)`)}, 'due', ${dueJson})`;
  return {
    dueDate: sql`coalesce(${next}, ${tasks.dueDate})`,
    // A timed due keeps its wall clock and zone on the new date; Postgres computes the instant.
    dueAt: sql`coalesce(${dueInstantSql(next, sql`${tasks.dueTime}`, sql`coalesce(${tasks.dueZone}, ${zoneOfPerson})`)}, ${tasks.dueAt})`,
    completed: sql`${next} IS NULL`,
    completedAt: sql`CASE WHEN ${next} IS NULL THEN now() END`,
    recurrenceDone: sql`${tasks.recurrenceDone} + 1`,
    completions: sql`(SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb) FROM jsonb_array_elements(jsonb_build_array(${entry}) || ${tasks.completions}) WITH ORDINALITY AS kept(e, i) WHERE i <= ${sql.raw(String(completionsKept))})`,
  };
}

/**
 * The next occurrence of an active recurring task (null: none, or not such a task), computed once
 * per write (`computed` of conditionalWrite): every column that needs it reads the one value. The
 * day after which it is looked for is the due date, or for `from: "completion"` today in the due's
 * zone (a timed task) or the person's.
 */
function nextOccurrence(): SQL {
  const zone = sql`CASE WHEN ${tasks.dueTime} IS NULL THEN ${zoneOfPerson} ELSE coalesce(${tasks.dueZone}, ${zoneOfPerson}) END`;
  const start = sql`CASE WHEN ${tasks.recurrenceFrom} = 'completion' THEN (now() AT TIME ZONE ${zone})::date ELSE ${tasks.dueDate} END`;
  return sql`CASE WHEN ${activeRecurring} THEN brisk_next_due(${tasks.recurrenceRule}, ${start}, ${tasks.recurrenceDone}) END`;
}

/**
 * Sets `completed`, or flips it when `completed` is "toggle" (a flip can never be told from its
 * repeat). One statement either way: an active recurring task is completed one occurrence at a
 * time ({@link occurrenceChanges}); a completed recurring one is set back by taking back its
 * latest completion ({@link reopenChanges}), the undo of a complete.
 */
export async function setCompleted(
  db: Database,
  userId: string,
  id: string,
  completed: boolean | "toggle",
  condition: VersionCondition,
  personZone: string,
): Promise<WriteResult> {
  if (completed === false) return reopenOccurrence(db, userId, id, condition, personZone);
  if (completed === "toggle") {
    const flip = sql`NOT ${tasks.completed}`;
    const write = {
      shape: "toggle",
      changes: () =>
        byKind(
          [
            [activeRecurring, occurrenceChanges()],
            [recurring, reopenChanges()],
          ],
          { completed: flip, completedAt: completedAtFor(flip) },
        ),
      values: { personZone },
      computed: nextOccurrence,
    };
    return conditionalWrite(db, write, userId, id, condition, undefined, "once");
  }
  const write = {
    shape: "complete",
    changes: () =>
      byKind([[activeRecurring, occurrenceChanges()]], {
        completed: sql`true`,
        completedAt: completedAtFor(sql`true`),
      }),
    values: { personZone },
    computed: nextOccurrence,
  };
  // A repeat after a lost answer finds its own try: the task completed, or the occurrence just
  // recorded (its entry written at the instant the task was updated). A client's repeat with the
  // same If-Match is a 412 and cannot complete the next occurrence too.
  const ownTry = (task: TaskOutput) =>
    task.completed || (task.recurrence !== null && task.completions[0]?.at === task.updatedAt);
  return conditionalWrite(db, write, userId, id, condition, ownTry, repeatableWhen(condition));
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
  const write = { shape: "reopen", changes: reopenChanges, values: { personZone } };
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

/** Sets `completed` to false; a recurring task with completions gets its latest one back (see reopenOccurrence). */
function reopenChanges(): Changes {
  const latest = sql`(${tasks.completions} -> 0 -> 'due')`;
  const back = sql`(${recurring} AND jsonb_array_length(${tasks.completions}) > 0)`;
  const either = (then: SQL, otherwise: SQL) => sql`CASE WHEN ${back} THEN ${then} ELSE ${otherwise} END`;
  const date = sql`(${latest} ->> 'date')::date`;
  const time = sql`(${latest} ->> 'time')::time`;
  const zone = sql`(${latest} ->> 'timeZone')`;
  return {
    completed: sql`false`,
    completedAt: completedAtFor(sql`false`),
    dueDate: either(date, sql`${tasks.dueDate}`),
    dueTime: either(time, sql`${tasks.dueTime}`),
    dueZone: either(zone, sql`${tasks.dueZone}`),
    dueAt: either(dueInstantSql(date, time, sql`coalesce(${zone}, ${zoneOfPerson})`), sql`${tasks.dueAt}`),
    completions: either(sql`${tasks.completions} - 0`, sql`${tasks.completions}`),
    recurrenceDone: either(sql`greatest(${tasks.recurrenceDone} - 1, 0)`, sql`${tasks.recurrenceDone}`),
  };
}
