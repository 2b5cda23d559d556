import { type AnyColumn, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { Completion, Recurrence } from "./recurrence.ts";
import type { TaskOutput } from "./tasks.schemas.ts";
import { tasks } from "./tasks.tables.ts";

/**
 * A task as the API answers it: mapped from a row ({@link toTask}), or written as JSON by
 * Postgres in the statement itself (docs/decisions/018-postgres-writes-the-json-of-hot-reads.md,
 * 040-writes-answer-with-postgres-json.md) — the same fields either way.
 */

type TaskRow = typeof tasks.$inferSelect;

export function toTask(row: TaskRow): TaskOutput {
  return {
    id: row.id,
    userId: row.userId,
    title: row.title,
    description: row.description,
    completed: row.completed,
    completedAt: row.completedAt?.toISOString() ?? null,
    priority: row.priority,
    due:
      row.dueDate === null
        ? null
        : { date: row.dueDate, time: row.dueTime?.slice(0, 5) ?? null, timeZone: row.dueZone },
    list: row.list,
    position: row.position,
    reminders: row.reminders,
    recurrence: recurrenceOf(row),
    completions: row.completions as Completion[],
    tags: row.tags,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}

function recurrenceOf(row: TaskRow): Recurrence | null {
  return row.recurrenceRule === null ? null : { rule: row.recurrenceRule, from: row.recurrenceFrom ?? "due" };
}

/** `due` as the API answers it ({@link toTask}): null, or `{date, time, timeZone}`. */
export const dueJson = sql`CASE WHEN ${tasks.dueDate} IS NULL THEN NULL ELSE json_build_object(
  'date', to_char(${tasks.dueDate}, 'YYYY-MM-DD'), 'time', to_char(${tasks.dueTime}, 'HH24:MI'), 'timeZone', ${tasks.dueZone}) END`;

/** `recurrence` as the API answers it: null, or `{rule, from}`. */
const recurrenceJson = sql`CASE WHEN ${tasks.recurrenceRule} IS NULL THEN NULL ELSE json_build_object('rule', ${tasks.recurrenceRule}, 'from', ${tasks.recurrenceFrom}) END`;

/** A timestamp as the API writes it, by Postgres: `toISOString`'s form (UTC, milliseconds, `Z`). */
export const isoText = (value: SQL | AnyColumn) =>
  sql`to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The task as the API answers it ({@link toTask}'s fields, named as in the table's
 * definition), for Postgres to write as JSON: `row_to_json` of
 * `CROSS JOIN LATERAL (SELECT ${taskFields}) AS task`. The hot reads (list, feed, get)
 * hand that text to the answer as it is: no row is mapped, no timestamp parsed.
 */
export const taskFields = sql.join(
  Object.entries(getTableColumns(tasks))
    .filter(
      ([field, column]) =>
        !["seq", "dueTime", "dueZone", "dueAt", "remindedThrough", "recurrenceFrom", "recurrenceDone"].includes(
          field,
        ) && !column.generated,
    )
    .map(([field, column]) =>
      field === "dueDate"
        ? sql`${dueJson} AS "due"`
        : field === "recurrenceRule"
          ? sql`${recurrenceJson} AS "recurrence"`
          : sql`${column.columnType === "PgTimestamp" ? isoText(column) : column} AS ${sql.identifier(field)}`,
    ),
  sql`, `,
);

/** The `tasks` row in scope as the API answers it: JSON text written by Postgres (GET, and a write's miss). */
export const taskJson = sql<string>`(SELECT row_to_json(task)::text FROM (SELECT ${taskFields}) AS task)`;

/**
 * What a write statement (a create, a conditional write) answers: the row its CTE wrote
 * (`RETURNING *`, read under the table's name so the task's fields read it as they read the
 * table) as JSON — null when it wrote none — with its version and change number, next to the task
 * the statement found under the id (the `tasks` row in scope), as JSON only when nothing was
 * written: what explains a miss. The writes' answers go to the client as Postgres wrote them, as
 * the reads' do: no row mapped, no timestamp parsed.
 */
export function writeAnswer(cteName: "updated" | "inserted") {
  const cte = sql.identifier(cteName);
  return {
    written: sql<string | null>`(SELECT row_to_json(task)::text
      FROM ${cte} AS ${tasks} CROSS JOIN LATERAL (SELECT ${taskFields}) AS task)`,
    version: sql<number>`${cte}.version`,
    seq: sql<number>`${cte}.seq`.mapWith(Number),
    found: sql<string | null>`CASE WHEN ${cte}.id IS NULL THEN ${taskJson} END`,
    foundVersion: tasks.version,
    foundSeq: tasks.seq,
  };
}
