import { type AnyColumn, and, eq, getTableColumns, inArray, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { sqlStateOf } from "../db/errors.ts";
import { type Repeatability, withRetries } from "../db/retry.ts";
import { asJsonText, type JsonText } from "../json-text.ts";
import {
  deletedListsJsonSql,
  inboxOf,
  isUnknownList,
  listOrInbox,
  listsJsonSql,
  restoredList,
} from "../lists/lists.sql.ts";
import { listTombstones } from "../lists/lists.tables.ts";
import { type Due, sameDue } from "./due.ts";
import type { Completion, Recurrence } from "./recurrence.ts";
import { type Reminder, sameReminders } from "./reminders.ts";
import { containsPattern, searchWords } from "./task-text.ts";
import type {
  CreateTaskInput,
  ListQuery,
  PatchTaskInput,
  ReplaceTaskInput,
  TaskFilters,
  TaskOutput,
} from "./tasks.schemas.ts";
import { deletedTasks, taskSequences, tasks, taskTombstones } from "./tasks.tables.ts";

/**
 * The only code that touches the tasks table. Every function takes the user id
 * and scopes every statement to it, so no route can reach another user's rows.
 * Every function is one database round trip: a single statement, or one batch
 * (which Neon runs as one transaction), that also tells a write that matched
 * nothing apart as "not found" or "stale". A transient failure repeats the round
 * trip when that is safe (see db/retry.ts): reads and writes that are safe to
 * repeat by construction.
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
const taskFields = sql.join(
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
const taskJson = sql<string>`(SELECT row_to_json(task)::text FROM (SELECT ${taskFields}) AS task)`;

/**
 * What a write statement (a create, a conditional write) answers: the row its CTE wrote
 * (`RETURNING *`, read under the table's name so the task's fields read it as they read the
 * table) as JSON — null when it wrote none — with its version and change number, next to the task
 * the statement found under the id (the `tasks` row in scope), as JSON only when nothing was
 * written: what explains a miss. The writes' answers go to the client as Postgres wrote them, as
 * the reads' do: no row mapped, no timestamp parsed.
 */
function writeAnswer(cteName: "updated" | "inserted") {
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

/**
 * The result of a conditional write: done, no such task for this user, or `If-Match` was stale.
 * `seq` is the user's change sequence the write advanced to (absent when it changed nothing).
 */
export type WriteResult =
  | { kind: "ok"; body: JsonText<TaskOutput>; version: number; seq?: number }
  | { kind: "not_found" }
  | { kind: "stale"; version: number };

/* ---------- the change sequence ---------- */

/**
 * The user's change sequence as this transaction sees it: after `advance`, the number
 * of the write in progress (docs/decisions/012-change-sequence-and-tombstones.md).
 */
export const currentSeq = (userId: string | SQL) =>
  sql`(SELECT ${taskSequences.seq} FROM ${taskSequences} WHERE ${taskSequences.userId} = ${userId})`;

/**
 * The first statement of every write batch: advances the user's change sequence,
 * taking the row lock that orders the user's writes, so no change can commit after a
 * later-numbered one. A user whose account is gone fails here on the foreign key (23503).
 */
export function advance(db: Database, userId: string) {
  return db
    .insert(taskSequences)
    .values({ userId, seq: 1 })
    .onConflictDoUpdate({ target: taskSequences.userId, set: { seq: sql`${taskSequences.seq} + 1` } })
    .returning({ seq: taskSequences.seq });
}

/**
 * The last statement of every write batch: gives the number back when the batch
 * changed nothing (no task and no tombstone carries it). The lock was held throughout,
 * so no one can have seen it; a write that changes nothing never advances the sequence.
 */
function settle(db: Database, userId: string) {
  const carried = (table: typeof tasks | typeof taskTombstones) =>
    sql`EXISTS (SELECT 1 FROM ${table} WHERE ${table.userId} = ${userId} AND ${table.seq} = ${taskSequences.seq})`;
  return db
    .update(taskSequences)
    .set({ seq: sql`${taskSequences.seq} - 1` })
    .where(and(eq(taskSequences.userId, userId), sql`NOT ${carried(tasks)}`, sql`NOT ${carried(taskTombstones)}`));
}

/** A task written under an id again (created, restored) is no longer deleted: its tombstone goes. */
function supersedeTombstones(db: Database, userId: string) {
  return db.delete(taskTombstones).where(
    and(
      eq(taskTombstones.userId, userId),
      inArray(
        taskTombstones.taskId,
        db
          .select({ id: tasks.id })
          .from(tasks)
          .where(and(eq(tasks.userId, userId), sql`${tasks.seq} = ${currentSeq(userId)}`)),
      ),
    ),
  );
}

// Export and import (src/transfer/transfer.repo.ts) write and read tasks with the same pieces.
export { dueColumns, supersedeTombstones, taskFields };

/** The sequence a write batch advanced to, when it changed something. */
const advancedTo = (advanced: { seq: number }[], changed: boolean) => (changed ? advanced[0]?.seq : undefined);

/** `If-Match`: absent or `*` → any version; otherwise the versions it names (none parseable → never matches). */
export type VersionCondition = number[] | "any";

const own = (userId: string, id: string) => and(eq(tasks.userId, userId), eq(tasks.id, id));

function matching(condition: VersionCondition): SQL | undefined {
  if (condition === "any") return undefined;
  return condition.length === 0 ? sql`false` : inArray(tasks.version, condition);
}

/* ---------- prepared statements ---------- */

/**
 * The hottest statements are built once per database client and shape, with
 * placeholders, and only filled in per request: building a drizzle query costs more
 * CPU than anything else in a task request (docs/performance.md).
 */
const statements = new WeakMap<Database, Map<string, unknown>>();

function prepared<Statement>(db: Database, shape: string, build: () => Statement): Statement {
  let byShape = statements.get(db);
  if (!byShape) {
    byShape = new Map();
    statements.set(db, byShape);
  }
  let statement = byShape.get(shape) as Statement | undefined;
  if (!statement) {
    statement = build();
    byShape.set(shape, statement);
  }
  return statement;
}

export const placeholder = <Name extends string>(name: Name) => sql`${sql.placeholder(name)}`;
const ownPlaceholders = and(eq(tasks.userId, sql.placeholder("userId")), eq(tasks.id, sql.placeholder("id")));

/** Changes to a task's columns: values, or SQL (placeholders and expressions). */
export type Changes = { [Column in keyof typeof tasks.$inferInsert]?: SQL };

type ConditionShape = "any" | "never" | "versions";
const conditionShape = (condition: VersionCondition): ConditionShape =>
  condition === "any" ? "any" : condition.length === 0 ? "never" : "versions";
const versionFilter: Record<ConditionShape, SQL | undefined> = {
  any: undefined,
  never: sql`false`,
  versions: sql`${tasks.version} = ANY(${sql.placeholder("versions")}::integer[])`,
};

const taskColumns = getTableColumns(tasks);

/**
 * One statement that writes the task if it matches the condition and, either way,
 * answers with it: the task as it was (this statement's snapshot) next to the row
 * the write produced, if any (a data-modifying CTE); no row when there is no such task.
 */
function conditionalWriteStatement(db: Database, write: ConditionalWrite, condition: ConditionShape) {
  const { shape, changes } = write;
  return prepared(db, `write:${shape}:${condition}`, () => {
    // Advances the sequence when the task matches in this statement's snapshot. Referenced
    // by the update's SET, it runs (and takes the sequence's lock) before the task row is
    // locked, as every write does. A task changed concurrently between the two leaves an
    // unused number: a gap, which the feed tolerates.
    const next = db.$with("next", { seq: sql<number>`seq` }).as(sql`
      INSERT INTO ${taskSequences} (user_id, seq)
      SELECT ${sql.placeholder("userId")}, 1
      WHERE EXISTS (SELECT 1 FROM ${tasks} WHERE ${and(ownPlaceholders, versionFilter[condition])})
      ON CONFLICT (user_id) DO UPDATE SET seq = ${taskSequences.seq} + 1
      RETURNING seq`);
    // Postgres evaluates a function once per reference in the SET, not once per row: an expression
    // the SET needs several times (a recurring task's next occurrence) is computed here once. It
    // locks the row (FOR UPDATE) so that, like the SET, it sees the row a concurrent write left, and
    // only after `next` has run (EXISTS), so that the sequence is still locked before the task row.
    const computed = db.$with("computed", { value: sql`value` }).as(sql`
      SELECT ${write.computed?.() ?? sql`NULL`} AS value FROM ${tasks}
      WHERE ${and(ownPlaceholders, versionFilter[condition])} AND EXISTS (SELECT 1 FROM next)
      FOR UPDATE`);
    const updated = db.$with("updated").as(
      db
        .update(tasks)
        .set({ ...changes(), ...bump, seq: sql`(SELECT seq FROM next)` })
        .where(and(ownPlaceholders, versionFilter[condition]))
        .returning(),
    );
    return db
      .with(...(write.computed ? [next, computed] : [next]), updated)
      .select(writeAnswer("updated"))
      .from(tasks)
      .leftJoin(updated, sql`true`)
      .where(ownPlaceholders)
      .prepare(`write_${shape}_${condition}`);
  });
}

/**
 * Runs a conditional write: one statement, which also explains a miss (only a miss
 * caused by a concurrent write needs a second read). When a try's answer was lost
 * and the write was repeated, a miss on `If-Match` whose task is exactly one version later and already holds what this write wanted is that
 * earlier try having committed: it reports success, not a conflict. Without a lost
 * answer a miss is always a conflict, whoever made the newer version.
 */
type ConditionalWrite = {
  shape: string;
  changes: () => Changes;
  values: Record<string, unknown>;
  /** An expression of the task's columns computed once per write; `changes` reads it as {@link computedValue}. */
  computed?: () => SQL;
};

/** The value of the write's `computed` expression, in its SET. */
export const computedValue = sql`(SELECT value FROM computed)`;

export async function conditionalWrite(
  db: Database,
  /** The statement's shape (its key), its SET (built only with the statement) and the placeholders' values. */
  write: ConditionalWrite,
  userId: string,
  id: string,
  condition: VersionCondition,
  alreadyApplied: ((task: TaskOutput) => boolean) | undefined,
  repeatability: Repeatability,
): Promise<WriteResult> {
  let repeatedAfterLostAnswer = false;
  const statement = conditionalWriteStatement(db, write, conditionShape(condition));
  const values = { ...write.values, userId, id, versions: condition === "any" ? [] : condition };
  const [row] = await withRetries(
    repeatability,
    () => statement.execute(values),
    (failure) => {
      if (failure !== "not-applied") repeatedAfterLostAnswer = true;
    },
  );
  if (!row) return { kind: "not_found" };
  if (row.written !== null) return { kind: "ok", body: asJsonText(row.written), version: row.version, seq: row.seq };
  let stored = { version: row.foundVersion, seq: row.foundSeq, body: row.found ?? "null" };
  const matched = condition === "any" || condition.includes(stored.version);
  if (matched) {
    // The write waited for a concurrent one and then found the task changed or gone, which
    // this statement's snapshot cannot show: read it as it is now (a race's second round trip).
    const [now] = await withRetries("repeatable", () => readTaskStatement(db).execute({ userId, id }));
    if (!now) return { kind: "not_found" };
    stored = now;
  }
  const ownEarlierTry =
    repeatedAfterLostAnswer &&
    condition !== "any" &&
    condition.length === 1 &&
    stored.version === (condition[0] ?? 0) + 1 &&
    alreadyApplied?.(JSON.parse(stored.body) as TaskOutput);
  return ownEarlierTry
    ? { kind: "ok", body: asJsonText(stored.body), version: stored.version, seq: stored.seq }
    : { kind: "stale", version: stored.version };
}

/** The task's version, change number and JSON, written by Postgres; the GET answer. */
function readTaskStatement(db: Database) {
  return prepared(db, "read", () =>
    db
      .select({ version: tasks.version, seq: tasks.seq, body: taskJson })
      .from(tasks)
      .where(ownPlaceholders)
      .prepare("read_task"),
  );
}

export async function getTask(
  db: Database,
  userId: string,
  id: string,
): Promise<{ version: number; body: JsonText<TaskOutput> } | undefined> {
  const [row] = await withRetries("repeatable", () => readTaskStatement(db).execute({ userId, id }));
  return row && { version: row.version, body: asJsonText(row.body) };
}

export type CreateResult =
  | { kind: "created"; id: string; body: JsonText<TaskOutput>; version: number; seq: number }
  | { kind: "replayed"; id: string; body: JsonText<TaskOutput>; version: number }
  | { kind: "conflict" }
  | { kind: "no_account" };

/** SQLSTATE 23503: the row names a user that does not exist — the account was deleted while its token lives on. */
const foreignKeyViolation = "23503";

/**
 * A create as one statement: for an id not taken it advances the user's change sequence
 * (taking the lock that orders their writes) and inserts the task; it drops a tombstone of the
 * id (a task created again is no longer deleted) and answers with the row it wrote next to the
 * row it found (a replay's first try). Two tries of one create racing each other leave an
 * unused number: a gap, which the feed tolerates (decision 012), as racing conditional writes do.
 */
function createStatement(db: Database) {
  return prepared(db, "create", () => {
    const userId = sql.placeholder("userId");
    const id = sql`${placeholder("id")}::uuid`;
    // Advances only for a new id (as this statement's snapshot sees ids), so a replay changes nothing.
    const next = db.$with("next", { seq: sql<number>`seq` }).as(sql`
      INSERT INTO ${taskSequences} (user_id, seq)
      SELECT ${userId}, 1 WHERE NOT EXISTS (SELECT 1 FROM ${tasks} WHERE ${tasks.id} = ${id})
      ON CONFLICT (user_id) DO UPDATE SET seq = ${taskSequences.seq} + 1
      RETURNING seq`);
    // No list: the Inbox; a list the person deleted: the Inbox too (lists.sql.ts). No Inbox: the
    // account is gone — nothing is inserted and the sequence's foreign key refuses the statement.
    const target = db.$with("target", { listId: sql<string | null>`list_id` }).as(sql`
      SELECT coalesce(${listOrInbox(sql`${userId}`, sql`${placeholder("list")}::uuid`)}, ${inboxOf(sql`${userId}`)}) AS list_id`);
    const completed = sql`${placeholder("completed")}::boolean`;
    const values: Record<keyof typeof taskColumns, SQL | undefined> = {
      id,
      userId: sql`${userId}`,
      title: sql`${placeholder("title")}::text`,
      description: sql`${placeholder("description")}::text`,
      completed,
      completedAt: sql`CASE WHEN ${completed} THEN now() END`,
      priority: sql`${placeholder("priority")}::task_priority`,
      ...placeholderColumns.due(),
      list: sql`target.list_id`,
      ...placeholderColumns.position(),
      ...placeholderColumns.reminders(),
      remindedThrough: sql`NULL::timestamptz`,
      nextReminderAt: undefined, // generated
      tags: sql`${placeholder("tags")}::text[]`,
      ...placeholderColumns.recurrence(),
      recurrenceDone: sql`0`,
      completions: sql`'[]'::jsonb`,
      createdAt: sql`now()`,
      updatedAt: sql`now()`,
      version: sql`1`,
      seq: sql`next.seq`,
      search: undefined, // generated
      titleKey: undefined, // generated
    };
    // INSERT … SELECT takes the columns drizzle inserts (not the generated ones), in its order: no
    // row from `next`, no insert.
    const insertable = Object.entries(taskColumns).filter(([, column]) => column.generated?.type !== "always");
    const selectList = insertable.map(([name]) => {
      const value = values[name as keyof typeof taskColumns];
      if (!value) throw new Error(`createStatement: no value for the column ${name}`);
      return value;
    });
    const inserted = db.$with("inserted").as(
      db
        .insert(tasks)
        .select(sql`SELECT ${sql.join(selectList, sql`, `)} FROM next, target WHERE target.list_id IS NOT NULL`)
        .onConflictDoNothing({ target: tasks.id })
        .returning(),
    );
    const superseded = db.$with("superseded", { gone: sql<number>`gone` }).as(sql`
      DELETE FROM ${taskTombstones}
      WHERE ${taskTombstones.userId} = ${userId} AND ${taskTombstones.taskId} IN (SELECT id FROM inserted)
      RETURNING 1 AS gone`);
    return db
      .with(next, target, inserted, superseded)
      .select(writeAnswer("inserted"))
      .from(sql`(SELECT 1) AS one`)
      .leftJoin(inserted, sql`true`)
      .leftJoin(tasks, ownPlaceholders)
      .prepare("create_task");
  });
}

/**
 * Creates a task, in one statement. With a client-chosen id the create is idempotent:
 * replaying the same body returns the task already stored; another body under that id
 * (or another person's id) is a conflict.
 */
export async function createTask(
  db: Database,
  userId: string,
  input: CreateTaskInput,
  personZone: string,
): Promise<CreateResult> {
  const { due, recurrence, ...fields } = input;
  const values = {
    ...fields,
    id: input.id ?? crypto.randomUUID(),
    userId,
    list: input.list ?? null,
    position: input.position ?? null,
    remindersJson: JSON.stringify(input.reminders),
    ...dueValues(due, personZone),
    ...recurrenceValues(recurrence),
  };
  // Repeatable: with the id fixed, a repeated insert does nothing and the statement finds the first one.
  let row: Awaited<ReturnType<ReturnType<typeof createStatement>["execute"]>>[number] | undefined;
  try {
    [row] = await withRetries("repeatable", () => createStatement(db).execute(values));
  } catch (error) {
    if (sqlStateOf(error) === foreignKeyViolation && !isUnknownList(error)) return { kind: "no_account" };
    throw error;
  }
  if (row && row.written !== null)
    return { kind: "created", id: values.id, body: asJsonText(row.written), version: row.version, seq: row.seq };
  // The task found under the id (a replay's first try) …
  let stored =
    row?.found != null && row.foundVersion !== null ? { version: row.foundVersion, body: row.found } : undefined;
  // Not written and not seen: a try of the same create committed after this statement's snapshot
  // (simultaneous replays), or the id is another person's. Read it as it is now (a race's second
  // round trip, as in conditionalWrite).
  if (!stored)
    [stored] = await withRetries("repeatable", () => readTaskStatement(db).execute({ userId, id: values.id }));
  if (stored && sameContent(JSON.parse(stored.body) as TaskOutput, input))
    return { kind: "replayed", id: values.id, body: asJsonText(stored.body), version: stored.version };
  return { kind: "conflict" };
}

function sameContent(task: TaskOutput, input: CreateTaskInput): boolean {
  return (
    task.title === input.title &&
    task.description === input.description &&
    task.completed === input.completed &&
    task.priority === input.priority &&
    sameDue(task.due, input.due) &&
    sameReminders(task.reminders, input.reminders) &&
    sameRecurrence(task.recurrence, input.recurrence) &&
    sameTags(task.tags, input.tags) &&
    (input.position === undefined || task.position === input.position)
  );
}

function sameRecurrence(a: Recurrence | null, b: Recurrence | null): boolean {
  return a === b || (a !== null && b !== null && a.rule === b.rule && a.from === b.from);
}

/** `completed_at` follows `completed`: set when a task becomes complete, kept while it stays so, cleared otherwise. */
export const completedAtFor = (completed: SQL | boolean) =>
  sql`CASE WHEN ${completed} THEN coalesce(${tasks.completedAt}, now()) ELSE NULL END`;

const bump = { version: sql`${tasks.version} + 1`, updatedAt: sql`now()` };

/** Absolute writes are safe to repeat when conditional on a version: a repeat finds its own try (see conditionalWrite). */
export const repeatableWhen = (condition: VersionCondition): Repeatability =>
  condition === "any" ? "once" : "repeatable";

type Editable = Pick<
  TaskOutput,
  "title" | "description" | "priority" | "tags" | "due" | "reminders" | "recurrence" | "completed" | "list" | "position"
>;
const editable = [
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
function dueColumns(due: Due | null, personZone: string) {
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
function recurrenceValues(recurrence: Recurrence | null) {
  return { recurrenceRule: recurrence?.rule ?? null, recurrenceFrom: recurrence?.from ?? null };
}

/**
 * The columns of the fields whose values go in placeholders of their own ({@link dueValues},
 * {@link recurrenceValues}, `remindersJson`), for a create's insert and a write's SET alike.
 */
const placeholderColumns = {
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

export function replaceTask(
  db: Database,
  userId: string,
  id: string,
  input: ReplaceTaskInput,
  condition: VersionCondition,
  personZone: string,
) {
  const wanted: Partial<Editable> = {
    title: input.title,
    description: input.description,
    priority: input.priority,
    tags: input.tags,
    due: input.due,
    reminders: input.reminders,
    recurrence: input.recurrence,
    completed: input.completed,
  };
  if (input.list !== undefined) wanted.list = input.list;
  // A PUT without a position leaves the task where it is in manual order.
  if (input.position !== undefined) wanted.position = input.position;
  const fields = input.position === undefined ? editable.filter((field) => field !== "position") : editable;
  const write = {
    shape: `replace:${fields.length}`,
    changes: () => changesOf(fields),
    values: {
      ...wanted,
      list: input.list ?? null,
      ...dueValues(input.due, personZone),
      remindersJson: JSON.stringify(input.reminders),
      ...recurrenceValues(input.recurrence),
    },
  };
  return conditionalWrite(db, write, userId, id, condition, sameFields(wanted), repeatableWhen(condition));
}

export function patchTask(
  db: Database,
  userId: string,
  id: string,
  patch: PatchTaskInput,
  condition: VersionCondition,
  personZone: string,
) {
  const wanted: Partial<Editable> = {};
  if (patch.title !== undefined) wanted.title = patch.title;
  if (patch.description !== undefined) wanted.description = patch.description ?? "";
  if (patch.priority !== undefined) wanted.priority = patch.priority ?? "none";
  if (patch.tags !== undefined) wanted.tags = patch.tags ?? [];
  if (patch.due !== undefined) wanted.due = patch.due;
  if (patch.reminders !== undefined) wanted.reminders = patch.reminders ?? [];
  if (patch.recurrence !== undefined) wanted.recurrence = patch.recurrence;
  if (patch.completed !== undefined) wanted.completed = patch.completed;
  if (patch.list) wanted.list = patch.list;
  if (patch.position) wanted.position = patch.position;

  const fields = editable.filter(
    (field) =>
      field in wanted || (field === "list" && patch.list === null) || (field === "position" && patch.position === null),
  );
  if (fields.length === 0) return unchanged(db, userId, id, condition);
  const values = {
    ...wanted,
    ...(fields.includes("list") ? { list: patch.list ?? null } : {}),
    ...(fields.includes("position") ? { position: patch.position ?? null } : {}),
    ...(patch.due === undefined ? {} : dueValues(patch.due, personZone)),
    ...(wanted.reminders === undefined ? {} : { remindersJson: JSON.stringify(wanted.reminders) }),
    ...(patch.recurrence === undefined ? {} : recurrenceValues(patch.recurrence)),
  };
  const write = { shape: `patch:${fields.join(",")}`, changes: () => changesOf(fields), values };
  return conditionalWrite(db, write, userId, id, condition, sameFields(wanted), repeatableWhen(condition));
}

/** A write that changes nothing (an empty merge patch): the task as it is, after the same If-Match check. */
async function unchanged(db: Database, userId: string, id: string, condition: VersionCondition): Promise<WriteResult> {
  const [row] = await withRetries("repeatable", () => readTaskStatement(db).execute({ userId, id }));
  if (!row) return { kind: "not_found" };
  if (condition !== "any" && !condition.includes(row.version)) return { kind: "stale", version: row.version };
  return { kind: "ok", body: asJsonText(row.body), version: row.version };
}

/**
 * Deletes a task. Repeated only when the database says the try was rolled back: a
 * repeat after a lost answer would find nothing and wrongly say "not found".
 *
 * With `undo` (a token the client chose, decision 034) the same statement keeps the row in
 * `deleted_tasks` under it, as a bulk delete does, so `restoreTasks` puts it back exactly; it
 * also prunes the user's deletions too old to restore. A repeat that finds the task gone keeps
 * nothing and touches no earlier copy: the copy the first try kept stays restorable.
 */
export async function deleteTask(
  db: Database,
  userId: string,
  id: string,
  condition: VersionCondition,
  undo?: string,
): Promise<{ outcome: "ok"; seq?: number } | { outcome: "not_found" } | { outcome: "stale"; version: number }> {
  const doomed = and(own(userId, id), matching(condition));
  const deletion =
    undo === undefined
      ? sql`
        WITH gone AS (DELETE FROM ${tasks} WHERE ${doomed} RETURNING ${tasks.id})
        ${tombstonesOf(userId, sql`SELECT id FROM gone`)}
        RETURNING task_id AS id`
      : sql`
        WITH pruned AS (
          DELETE FROM ${deletedTasks}
          WHERE ${deletedTasks.userId} = ${userId} AND ${deletedTasks.deletedAt} < now() - ${restorable}
        ), gone AS (
          DELETE FROM ${tasks} WHERE ${doomed} RETURNING *
        ), kept AS (
          INSERT INTO ${deletedTasks} (undo, user_id, task) SELECT ${undo}, gone.user_id, to_jsonb(gone) FROM gone
        ), buried AS (
          ${tombstonesOf(userId, sql`SELECT id FROM gone`)}
        )
        SELECT gone.id FROM gone`;
  const [advanced, deleted, , remaining] = await withRetries("once", () =>
    db.batch([
      advance(db, userId),
      db.execute<{ id: string }>(deletion),
      settle(db, userId),
      db.select({ version: tasks.version }).from(tasks).where(own(userId, id)),
    ]),
  );
  if (deleted.rows.length > 0) return { outcome: "ok", seq: advancedTo(advanced, true) };
  // Stale: the version it is at, for the 412's ETag (as every other write's 412 gives it).
  const [current] = remaining;
  return current ? { outcome: "stale", version: current.version } : { outcome: "not_found" };
}

/** Leaves a tombstone for each deleted task id (`ids`: a query answering `id`), at the write's sequence. */
function tombstonesOf(userId: string, ids: SQL) {
  return sql`
    INSERT INTO ${taskTombstones} (user_id, task_id, seq)
    SELECT ${userId}, deleted.id, ${currentSeq(userId)} FROM (${ids}) AS deleted
    ON CONFLICT (user_id, task_id) DO UPDATE SET seq = excluded.seq, deleted_at = now()`;
}

/**
 * Sets `completed` on the user's tasks that match the list's filters (and are among
 * `ids`, when given); tasks already in that state are left alone. Answers the ids it
 * changed, so a client can set exactly those back. A repeat after a lost answer changes
 * nothing more and reports only what it changed itself.
 */
export async function markTasks(
  db: Database,
  userId: string,
  filters: TaskFilters,
  completed: boolean,
  ids: string[] | undefined,
): Promise<{ ids: string[]; seq?: number }> {
  const [advanced, updated] = await withRetries("repeatable", () =>
    db.batch([
      advance(db, userId),
      db
        .update(tasks)
        .set({ completed, completedAt: completedAtFor(completed), ...bump, seq: currentSeq(userId) })
        .where(
          and(
            filtersOf(userId, filters),
            ne(tasks.completed, completed),
            ids ? inArray(tasks.id, ids) : undefined,
            // Recurring tasks are completed one occurrence at a time, never in bulk (decision 024).
            completed ? isNull(tasks.recurrenceRule) : undefined,
          ),
        )
        .returning({ id: tasks.id }),
      settle(db, userId),
    ]),
  );
  return { ids: updated.map((row) => row.id), seq: advancedTo(advanced, updated.length > 0) };
}

/**
 * How long a bulk delete, or a single delete given an undo token, can be undone; older
 * deletions are pruned by the user's next such delete or restore, and for everyone by the
 * Cron Trigger.
 */
const restorable = sql`interval '1 hour'`;

/**
 * Removes every person's deletions too old to restore. The one repository function
 * that is not scoped to a user: it is maintenance, run by the scheduled handler only.
 */
export async function pruneExpiredDeletions(db: Database): Promise<number> {
  const result = await db.delete(deletedTasks).where(sql`${deletedTasks.deletedAt} < now() - ${restorable}`);
  return result.rowCount ?? 0;
}

/**
 * Deletes the user's tasks that match the filters, keeping them in `deleted_tasks`
 * under a new undo token, and prunes the user's deletions too old to restore — one
 * statement. Repeatable: the token is chosen before the first try, so a repeat after
 * a lost answer files whatever it deletes under the same token.
 */
export async function clearTasks(
  db: Database,
  userId: string,
  filters: TaskFilters,
): Promise<{ ids: string[]; undo: string; seq?: number }> {
  const undo = crypto.randomUUID();
  const [advanced, { rows }] = await withRetries("repeatable", () =>
    db.batch([
      advance(db, userId),
      db.execute<{ id: string }>(sql`
        WITH pruned AS (
          DELETE FROM ${deletedTasks}
          WHERE ${deletedTasks.userId} = ${userId} AND ${deletedTasks.deletedAt} < now() - ${restorable}
        ), gone AS (
          DELETE FROM ${tasks} WHERE ${filtersOf(userId, filters)} RETURNING *
        ), kept AS (
          INSERT INTO ${deletedTasks} (undo, user_id, task) SELECT ${undo}, gone.user_id, to_jsonb(gone) FROM gone
        ), buried AS (
          ${tombstonesOf(userId, sql`SELECT id FROM gone`)}
        )
        SELECT gone.id FROM gone`),
      settle(db, userId),
    ]),
  );
  return { ids: rows.map((row) => row.id), undo, seq: advancedTo(advanced, rows.length > 0) };
}

/**
 * The tasks columns in table order, and what a restored row takes for each: its own value, one version later.
 * Generated columns (search, title key) are left to Postgres.
 */
const storedColumns = Object.values(taskColumns).filter((column) => !column.generated);
const columnNames = storedColumns.map((column) => column.name);
const restoredValues = (userId: string) =>
  storedColumns.map((column) =>
    column === tasks.version
      ? sql`r.version + 1`
      : column === tasks.updatedAt
        ? sql`now()`
        : column === tasks.seq
          ? currentSeq(userId)
          : column === tasks.list
            ? restoredList(userId)
            : column === tasks.position
              ? // A deletion kept from before positions (migration 0014) has none: where its creation puts it.
                sql`coalesce(r.position, brisk_task_position(r.created_at))`
              : sql`r.${sql.identifier(column.name)}`,
  );

/**
 * Undoes a bulk delete (or a single delete given a token): puts its tasks back under their ids, each one version later
 * (a client that held the old version sees the change), and forgets the deletion — one
 * batch, one transaction. An id taken again since is left as it is now. Answers every
 * task of the deletion as it is now; a repeat finds nothing left to restore.
 */
export async function restoreTasks(
  db: Database,
  userId: string,
  undo: string,
): Promise<{ restored: number; tasks: TaskOutput[]; seq?: number }> {
  const deletion = and(
    eq(deletedTasks.userId, userId),
    eq(deletedTasks.undo, undo),
    sql`${deletedTasks.deletedAt} >= now() - ${restorable}`,
  );
  const [advanced, inserted, , current] = await withRetries("repeatable", () =>
    db.batch([
      advance(db, userId),
      db.execute<{ id: string }>(sql`
        INSERT INTO ${tasks} (${sql.join(
          columnNames.map((name) => sql.identifier(name)),
          sql`, `,
        )})
        SELECT ${sql.join(restoredValues(userId), sql`, `)}
        FROM ${deletedTasks} CROSS JOIN LATERAL jsonb_populate_record(null::${tasks}, ${deletedTasks.task}) AS r
        WHERE ${deletion} AND r.user_id = ${userId}
        ON CONFLICT (id) DO NOTHING
        RETURNING id`),
      supersedeTombstones(db, userId),
      db
        .select()
        .from(tasks)
        .where(
          and(
            eq(tasks.userId, userId),
            inArray(
              tasks.id,
              db
                .select({ id: sql`(${deletedTasks.task} ->> 'id')::uuid` })
                .from(deletedTasks)
                .where(deletion),
            ),
          ),
        ),
      db
        .delete(deletedTasks)
        .where(
          and(
            eq(deletedTasks.userId, userId),
            or(eq(deletedTasks.undo, undo), sql`${deletedTasks.deletedAt} < now() - ${restorable}`),
          ),
        ),
      settle(db, userId),
    ]),
  );
  const restored = inserted.rows.length;
  return { restored, tasks: current.map(toTask), seq: advancedTo(advanced, restored > 0) };
}

function sameTags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((tag, i) => tag === b[i]);
}

/* ---------- listing ---------- */

/**
 * The value a list is ordered by, with the id as tie-breaker; nulls (no due date) always last.
 * `due` orders by instant, an all-day task at the start of its day in the viewer's zone `tz` (./due.ts).
 */
function sortKey(sort: ListQuery["sort"], order: ListQuery["order"], tz: unknown): { expression: SQL; type: SQL } {
  switch (sort) {
    case "created":
      return { expression: sql`${tasks.createdAt}`, type: sql`timestamptz` };
    case "updated":
      return { expression: sql`${tasks.updatedAt}`, type: sql`timestamptz` };
    case "title":
      return titleSortKey();
    case "manual":
      // Manual order: the position key byte-wise, as ./position.ts compares it (decision 030).
      return { expression: sql`${tasks.position} COLLATE "C"`, type: sql`text` };
    case "priority":
      return { expression: sql`${tasks.priority}`, type: sql`task_priority` };
    case "due":
      return {
        expression: sql`coalesce(${tasks.dueAt}, ${tasks.dueDate}::timestamp AT TIME ZONE ${tz}::text, ${order === "asc" ? sql`'infinity'` : sql`'-infinity'`}::timestamptz)`,
        type: sql`timestamptz`,
      };
  }
}

/**
 * The natural title order (docs/tasks-api.md "Sorting"): the stored key of task-text.ts's
 * `titleKey`, compared by code point, as the site's replica compares it.
 */
function titleSortKey(): { expression: SQL; type: SQL } {
  return { expression: sql`${tasks.titleKey} COLLATE "C"`, type: sql`text` };
}

export interface Cursor {
  /** The sort key of the last task on the previous page, as Postgres text. */
  key: string;
  id: string;
}

/**
 * `X-Total-Count` is exact up to this many tasks and `1000+` beyond: counting stops at
 * the first task past it, so a page's cost never grows with the list (docs/tasks-api.md).
 */
export const exactCountUpTo = 1000;

export interface ListPage {
  /** The page as the JSON array the API answers, written by Postgres. */
  body: JsonText<TaskOutput[]>;
  /** `X-Total-Count`: the tasks matching the filters, `"1000+"` past {@link exactCountUpTo}. */
  total: string;
  next: Cursor | undefined;
}

/** The values a filter condition compares with, by name: bound directly, or a prepared statement's placeholders. */
interface FilterValues {
  userId: string;
  tz: string;
  priority: string | undefined;
  tag: string | undefined;
  list: string | undefined;
  /** `q`'s words (task-text.ts `searchWords`), each as a `LIKE` pattern: `word0`, `word1`, … */
  [word: `word${number}`]: string;
}

function filterValues(userId: string, query: TaskFilters): FilterValues {
  return {
    userId,
    // The routes fill `tz` in from the person's zone; UTC only for a person who has none.
    tz: query.tz ?? "UTC",
    priority: query.priority,
    tag: query.tag,
    list: query.list,
    ...searchPatterns(query.q),
  };
}

/** `q` as one `LIKE` pattern per word, by placeholder name. */
function searchPatterns(q: string | undefined): Record<`word${number}`, string> {
  return Object.fromEntries(searchWords(q ?? "").map((word, i) => [`word${i}`, containsPattern(word)]));
}

/**
 * `q`: every word in the task's stored search text (title, description and tags, folded:
 * docs/tasks-api.md "Searching"), each `LIKE '%…%'`, served by the user's trigram index.
 */
function searchCondition(q: string | undefined, value: (name: `word${number}`) => unknown): SQL | undefined {
  const words = searchWords(q ?? "");
  return and(...words.map((_, i) => sql`${tasks.search} LIKE ${value(`word${i}`)}`));
}

/** What decides a filter condition's SQL text; the values it compares with are not part of it. */
const filterShape = (query: TaskFilters) =>
  `${query.status}:${query.priority ? "p" : ""}${query.tag ? "t" : ""}${query.list ? "l" : ""}q${searchWords(query.q ?? "").length}:${query.due ?? ""}`;

/**
 * The list's filters as one SQL condition, shared by the listing and the bulk changes.
 * `value` gives what each comparison takes: the value itself, or a placeholder.
 */
function filterCondition(query: TaskFilters, value: (name: keyof FilterValues) => unknown): SQL | undefined {
  // The rules of ./due.ts: all-day tasks (no instant) by calendar date in the viewer's zone,
  // timed ones by instant from the start of the viewer's days.
  const tz = sql`${value("tz")}::text`;
  const today = sql`(now() AT TIME ZONE ${tz})::date`;
  const startOf = (days: number) => sql`((${today} + ${sql.raw(String(days))})::timestamp AT TIME ZONE ${tz})`;
  const within = (days: number) =>
    sql`((${tasks.dueAt} IS NULL AND ${tasks.dueDate} >= ${today} AND ${tasks.dueDate} < ${today} + ${sql.raw(String(days))})
      OR (${tasks.dueAt} >= ${startOf(0)} AND ${tasks.dueAt} < ${startOf(days)}))`;
  const due = {
    overdue: and(
      sql`(${lt(tasks.dueAt, sql`now()`)} OR (${tasks.dueAt} IS NULL AND ${tasks.dueDate} < ${today}))`,
      eq(tasks.completed, false),
    ),
    today: within(1),
    week: within(7),
    none: isNull(tasks.dueDate),
  };
  return and(
    sql`${tasks.userId} = ${value("userId")}`,
    query.status === "all" ? undefined : eq(tasks.completed, query.status === "completed"),
    query.priority ? sql`${tasks.priority} = ${value("priority")}` : undefined,
    query.tag ? sql`${tasks.tags} @> ARRAY[${value("tag")}]::text[]` : undefined,
    query.list ? sql`${tasks.list} = ${value("list")}::uuid` : undefined,
    searchCondition(query.q, value),
    query.due ? due[query.due] : undefined,
  );
}

/** The filters as a condition with their values bound (the bulk changes, built per request). */
function filtersOf(userId: string, query: TaskFilters): SQL | undefined {
  const values = filterValues(userId, query);
  return filterCondition(query, (name) => values[name]);
}

/**
 * The capped count walks the page's own order, so Postgres stops in the index that serves the
 * page after 1 001 matches; unordered, a filter it expects to match often (overdue) was counted
 * by a sequential scan of every user's rows. Not for `q`: the trigram index finds the matches
 * faster than a walk that tests every task (docs/decisions/027-a-capped-total-and-honest-benchmarks.md).
 */
const countOrder = (query: TaskFilters, expression: SQL, dir: SQL) =>
  searchWords(query.q ?? "").length > 0 ? undefined : sql`ORDER BY ${expression} ${dir}, ${tasks.id} ${dir}`;

/**
 * How many of the person's tasks (after the cursor, in the page's order, other filters applied) a
 * search page tests before it turns to the trigram index: a word in at least 51 of them fills the
 * page from that walk (docs/decisions/036-search-cost-that-stays-flat.md).
 */
export const searchWalk = 2000;

/**
 * A search's page (the `page` CTE's rows) in one of two ways, chosen as it runs, not by the
 * planner's guess of how often the words occur (it multiplies their frequencies, and cannot see
 * that "call" and "dentist" go together):
 * - **walked**: the next {@link searchWalk} tasks in the page's order, each tested; it stops at
 *   the `limit + 1`st match. Those are the page whenever they are that many, or when the walk
 *   reached the end of the person's tasks.
 * - **gathered**: otherwise (a word in fewer than 1 task in 40), every match from the trigram
 *   index, sorted — few, because the word is rare.
 * The second branch's condition is an InitPlan that Postgres evaluates before running it, so
 * it never reads the index when the walk was enough. The walk's subquery outputs its sort key so
 * the outer `ORDER BY` is already satisfied (no sort, and it stops early).
 */
function searchPage(query: ListQuery, expression: SQL, dir: SQL, limit: SQL, after: SQL | undefined): SQL {
  const filters = filterCondition(query, (name) => sql.placeholder(name));
  const others = filterCondition({ ...query, q: undefined }, (name) => sql.placeholder(name));
  const words = searchCondition(query.q, (name) => sql.placeholder(name));
  const walk = sql.raw(String(searchWalk));
  // The walk's rows under the table's name, so the task's fields and the search words read them as they read the table.
  const window = sql`(SELECT *, ${expression} AS walk_key FROM ${tasks} WHERE ${and(others, after)}
      ORDER BY ${expression} ${dir}, ${tasks.id} ${dir} LIMIT ${walk}) AS ${tasks}`;
  return sql`
    WITH walked AS MATERIALIZED (
      SELECT row_to_json(task)::text AS task_json, walk_key::text AS sort_key, ${tasks.id}::text AS task_id,
        row_number() OVER (ORDER BY walk_key ${dir}, ${tasks.id} ${dir}) AS n
      FROM ${window} CROSS JOIN LATERAL (SELECT ${taskFields}) AS task
      WHERE ${words}
      ORDER BY walk_key ${dir}, ${tasks.id} ${dir}
      LIMIT ${limit} + 1
    ), enough AS MATERIALIZED (
      -- The walk's tasks are the page: it found a full page, or it saw all the tasks there are.
      SELECT (SELECT count(*) FROM walked) > ${limit}
        OR (SELECT count(*) FROM (SELECT FROM ${tasks} WHERE ${and(others, after)}
              ORDER BY ${expression} ${dir}, ${tasks.id} ${dir} LIMIT ${walk}) AS seen) < ${walk} AS yes
    )
    SELECT * FROM walked WHERE (SELECT yes FROM enough)
    UNION ALL
    (SELECT row_to_json(task)::text, (${expression})::text, ${tasks.id}::text,
        row_number() OVER (ORDER BY ${expression} ${dir}, ${tasks.id} ${dir})
      FROM ${tasks} CROSS JOIN LATERAL (SELECT ${taskFields}) AS task
      WHERE ${and(filters, after)} AND NOT (SELECT yes FROM enough)
      ORDER BY ${expression} ${dir}, ${tasks.id} ${dir}
      LIMIT ${limit} + 1)`;
}

/**
 * The list statement of one shape (filters present × sort × order × cursor present),
 * built once per database client and filled in per request, as GET and PATCH are.
 * One row answers the page whatever it holds: the page's tasks as one JSON array
 * (Postgres writes each task, so no row is mapped here), where the next page starts,
 * and the total — counted over at most 1 001 matching tasks, once, not per row.
 * Pages are keyset-paginated on (sort key, id), so inserts and deletes between pages
 * never repeat or skip a task that stays.
 */
function listStatement(db: Database, query: ListQuery, hasCursor: boolean) {
  const shape = `list:${filterShape(query)}:${query.sort}:${query.order}:${hasCursor ? "after" : "first"}`;
  return prepared(db, shape, () => {
    const filters = filterCondition(query, (name) => sql.placeholder(name));
    const { expression, type } = sortKey(query.sort, query.order, sql.placeholder("tz"));
    const dir = query.order === "asc" ? sql`ASC` : sql`DESC`;
    const limit = sql`${sql.placeholder("limit")}::integer`;
    const after = hasCursor
      ? sql`(${expression}, ${tasks.id}) ${query.order === "asc" ? sql`>` : sql`<`} (${sql.placeholder("cursorKey")}::${type}, ${sql.placeholder("cursorId")}::uuid)`
      : undefined;
    const search = searchWords(query.q ?? "").length > 0;
    const page = db
      .$with("page", {
        task: sql<string>`task_json`.as("task_json"),
        sortKey: sql<string>`sort_key`.as("sort_key"),
        id: sql<string>`task_id`.as("task_id"),
        n: sql<number>`n`.as("n"),
      })
      .as(
        search
          ? searchPage(query, expression, dir, limit, after)
          : sql`
        SELECT row_to_json(task)::text AS task_json, (${expression})::text AS sort_key, ${tasks.id}::text AS task_id,
          row_number() OVER (ORDER BY ${expression} ${dir}, ${tasks.id} ${dir}) AS n
        FROM ${tasks} CROSS JOIN LATERAL (SELECT ${taskFields}) AS task
        WHERE ${and(filters, after)}
        ORDER BY ${expression} ${dir}, ${tasks.id} ${dir}
        LIMIT ${limit} + 1`,
      );
    const last = sql`${page.n} = ${limit}`;
    return db
      .with(page)
      .select({
        body: sql<string>`coalesce('[' || string_agg(${page.task}, ',' ORDER BY ${page.n}) FILTER (WHERE ${page.n} <= ${limit}) || ']', '[]')`,
        more: sql<boolean>`count(*) > ${limit}`,
        lastKey: sql<string | null>`min(${page.sortKey}) FILTER (WHERE ${last})`,
        lastId: sql<string | null>`min(${page.id}) FILTER (WHERE ${last})`,
        total:
          sql<number>`(SELECT count(*) FROM (SELECT FROM ${tasks} WHERE ${filters} ${countOrder(query, expression, dir)} LIMIT ${exactCountUpTo + 1}) AS capped)`.mapWith(
            Number,
          ),
      })
      .from(page)
      .prepare(`list_${shape}`);
  });
}

export async function listTasks(db: Database, userId: string, query: ListQuery, cursor?: Cursor): Promise<ListPage> {
  const statement = listStatement(db, query, cursor !== undefined);
  const values = { ...filterValues(userId, query), limit: query.limit, cursorKey: cursor?.key, cursorId: cursor?.id };
  const [row] = await withRetries("repeatable", () => statement.execute(values));
  const total = row?.total ?? 0;
  return {
    body: asJsonText(row?.body ?? "[]"),
    total: total > exactCountUpTo ? `${exactCountUpTo}+` : String(total),
    next: row?.more && row.lastKey !== null && row.lastId !== null ? { key: row.lastKey, id: row.lastId } : undefined,
  };
}

/* ---------- the change feed ---------- */

/**
 * A place in the user's change sequence: everything through `seq`, or, within `seq`,
 * through the task `id`. A full sync paged in several reads also carries `base`, the
 * sequence it began at: deletions up to it concern tasks the client never had.
 */
export interface ChangePosition {
  seq: number;
  id?: string;
  base?: number;
}

export interface ChangePage {
  /** The tasks changed, as they are now: a JSON array written by Postgres. */
  changes: JsonText<TaskOutput[]>;
  /** The ids deleted: a JSON array written by Postgres. */
  deleted: JsonText<string[]>;
  /** The person's lists changed (all on a full sync) and the ids of lists deleted (docs/decisions/025-lists.md). */
  lists: JsonText<unknown[]>;
  deletedLists: JsonText<string[]>;
  /** Where the next read starts. */
  next: ChangePosition;
  more: boolean;
  /** The sequence is no longer complete after `since`: a tombstone it needs was pruned, or it was never issued. */
  gone: boolean;
}

type FeedShape = "all" | "after" | "within";

/**
 * The feed statement of one shape (no cursor, after a sequence, within one), built once
 * per database client. One row answers: the user's sequence and pruning mark (an
 * aggregate over them always yields a row, even before the user's first write), the
 * changed tasks and the deleted ids as JSON arrays in (sequence, id) order, and the
 * last change of the page.
 */
function feedStatement(db: Database, shape: FeedShape) {
  return prepared(db, `feed:${shape}`, () => {
    const userId = sql.placeholder("userId");
    const limit = sql`${sql.placeholder("limit")}::integer`;
    const after = (table: typeof tasks | typeof taskTombstones, id: SQL) =>
      shape === "all"
        ? sql`true`
        : shape === "after"
          ? sql`${table.seq} > ${sql.placeholder("seq")}::bigint`
          : sql`(${table.seq}, ${id}) > (${sql.placeholder("seq")}::bigint, ${sql.placeholder("id")}::uuid)`;
    const page = db
      .$with("page", {
        seq: sql<number>`change_seq`.as("change_seq"),
        id: sql<string>`change_id`.as("change_id"),
        gone: sql<boolean>`change_gone`.as("change_gone"),
        n: sql<number>`n`.as("n"),
      })
      .as(sql`
        SELECT change_seq, change_id, change_gone, row_number() OVER (ORDER BY change_seq, change_id) AS n
        FROM (
          (SELECT ${tasks.seq} AS change_seq, ${tasks.id} AS change_id, false AS change_gone FROM ${tasks}
           WHERE ${tasks.userId} = ${userId} AND ${after(tasks, sql`${tasks.id}`)}
           ORDER BY ${tasks.seq}, ${tasks.id} LIMIT ${limit} + 1)
          ${
            shape === "all"
              ? sql``
              : sql`UNION ALL
          (SELECT ${taskTombstones.seq}, ${taskTombstones.taskId}, true FROM ${taskTombstones}
           WHERE ${taskTombstones.userId} = ${userId} AND ${after(taskTombstones, sql`${taskTombstones.taskId}`)}
           ORDER BY ${taskTombstones.seq}, ${taskTombstones.taskId} LIMIT ${limit} + 1)`
          }
        ) AS changed
        ORDER BY change_seq, change_id
        LIMIT ${limit} + 1`);
    const shown = sql`${page.n} <= ${limit}`;
    const last = sql`${page.n} = ${limit}`;
    return db
      .with(page)
      .select({
        current:
          sql<number>`(SELECT coalesce(max(${taskSequences.seq}), 0) FROM ${taskSequences} WHERE ${taskSequences.userId} = ${userId})`.mapWith(
            Number,
          ),
        prunedThrough:
          sql<number>`(SELECT coalesce(max(${taskSequences.prunedThrough}), 0) FROM ${taskSequences} WHERE ${taskSequences.userId} = ${userId})`.mapWith(
            Number,
          ),
        lists: sql<string>`${listsJsonSql(sql`${userId}`, shape === "all" ? undefined : sql`${sql.placeholder("seq")}::bigint`)}`,
        deletedLists: sql<string>`${deletedListsJsonSql(sql`${userId}`, shape === "all" ? undefined : sql`${sql.placeholder("seq")}::bigint`)}`,
        changes: sql<string>`coalesce('[' || string_agg(row_to_json(task)::text, ',' ORDER BY ${page.n}) FILTER (WHERE ${shown} AND ${tasks.id} IS NOT NULL) || ']', '[]')`,
        deleted: sql<string>`coalesce('[' || string_agg(to_json(${page.id})::text, ',' ORDER BY ${page.n}) FILTER (WHERE ${shown} AND ${page.gone}) || ']', '[]')`,
        more: sql<boolean>`count(*) FILTER (WHERE NOT ${shown}) > 0`,
        lastSeq: sql<number | null>`min(${page.seq}) FILTER (WHERE ${last})`.mapWith(Number),
        lastId: sql<string | null>`min(${page.id}::text) FILTER (WHERE ${last})`,
      })
      .from(page)
      .leftJoin(tasks, and(sql`${tasks.userId} = ${userId}`, sql`${tasks.id} = ${page.id}`, sql`NOT ${page.gone}`))
      .leftJoin(sql`LATERAL (SELECT ${taskFields}) AS task`, sql`true`)
      .prepare(`feed_${shape}`);
  });
}

/**
 * The user's tasks changed and ids deleted after `since` (everything live without it),
 * ordered by (sequence, id) — one statement, so one snapshot: every change numbered up
 * to the sequence it reads has committed (the sequence's lock orders them), and nothing
 * later is visible, so the answer's cursor never skips a change that commits afterwards.
 */
export async function readChanges(
  db: Database,
  userId: string,
  since: ChangePosition | undefined,
  limit: number,
): Promise<ChangePage> {
  const shape: FeedShape = !since ? "all" : since.id === undefined ? "after" : "within";
  const statement = feedStatement(db, shape);
  const [row] = await withRetries("repeatable", () =>
    statement.execute({ userId, limit, seq: since?.seq, id: since?.id }),
  );
  const current = row?.current ?? 0;
  // The deletions this client may still need are those after `since` (or after the start of its full sync).
  const needsAfter = since && Math.max(since.seq, since.base ?? 0);
  const gone =
    since !== undefined &&
    needsAfter !== undefined &&
    (needsAfter < (row?.prunedThrough ?? 0) || needsAfter > current || since.seq > current);
  const more = row?.more ?? false;
  const last = more && row?.lastSeq != null && row.lastId != null ? { seq: row.lastSeq, id: row.lastId } : undefined;
  return {
    changes: asJsonText(row?.changes ?? "[]"),
    deleted: asJsonText(row?.deleted ?? "[]"),
    lists: asJsonText(row?.lists ?? "[]"),
    deletedLists: asJsonText(row?.deletedLists ?? "[]"),
    next: last ? { ...last, base: since ? since.base : current } : { seq: current },
    more,
    gone,
  };
}

/** How long a deleted task's tombstone stays in the feed (docs/tasks-api.md "The change feed"). */
const tombstoneRetention = sql`interval '30 days'`;

/**
 * Removes every person's task and list tombstones older than the retention and records, per person,
 * the highest sequence removed: a feed cursor below it answers "sync from scratch". Not
 * scoped to a user: maintenance, run by the scheduled handler only.
 */
export async function pruneTombstones(db: Database): Promise<number> {
  const { rows } = await db.execute<{ pruned: number }>(sql`
    WITH pruned_tasks AS (
      DELETE FROM ${taskTombstones} WHERE ${taskTombstones.deletedAt} < now() - ${tombstoneRetention}
      RETURNING user_id, seq
    ), pruned_lists AS (
      DELETE FROM ${listTombstones} WHERE ${listTombstones.deletedAt} < now() - ${tombstoneRetention}
      RETURNING user_id, seq
    ), pruned AS (
      SELECT user_id, seq FROM pruned_tasks UNION ALL SELECT user_id, seq FROM pruned_lists
    ), per_user AS (
      SELECT user_id, max(seq) AS seq, count(*) AS n FROM pruned GROUP BY user_id
    ), recorded AS (
      UPDATE ${taskSequences} SET pruned_through = greatest(${taskSequences.prunedThrough}, per_user.seq)
      FROM per_user WHERE ${taskSequences.userId} = per_user.user_id
    )
    SELECT coalesce(sum(n), 0)::integer AS pruned FROM per_user`);
  return Number(rows[0]?.pruned ?? 0);
}
