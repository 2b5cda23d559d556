import { and, eq, getTableColumns, inArray, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { sqlStateOf } from "../db/errors.ts";
import { placeholder, prepared } from "../db/prepared.ts";
import { withRetries } from "../db/retry.ts";
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
import { advance, advancedTo, currentSeq, settle, supersedeTombstones, tombstonesOf } from "./change-sequence.ts";
import {
  bump,
  conditionalWrite,
  ownPlaceholders,
  readTaskStatement,
  repeatableWhen,
  type VersionCondition,
  type WriteResult,
} from "./conditional-write.ts";
import { sameDue } from "./due.ts";
import {
  changesOf,
  completedAtFor,
  dueValues,
  type Editable,
  editable,
  placeholderColumns,
  recurrenceValues,
  sameFields,
  sameRecurrence,
  sameTags,
} from "./editable-fields.ts";
import { sameReminders } from "./reminders.ts";
import { taskFields, toTask, writeAnswer } from "./task-json.ts";
import {
  type Cursor,
  exactCountUpTo,
  filtersOf,
  filterValues,
  type ListPage,
  listStatement,
} from "./tasks.list-query.ts";
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
 * The task repository: the functions the routes call, each taking the user id and scoping
 * every statement to it, so no route can reach another user's rows. With the modules beside it
 * (conditional-write.ts, tasks.list-query.ts, editable-fields.ts, task-json.ts,
 * change-sequence.ts) it is the only code that touches the tasks table.
 * Every function is one database round trip: a single statement, or one batch
 * (which Neon runs as one transaction), that also tells a write that matched
 * nothing apart as "not found" or "stale". A transient failure repeats the round
 * trip when that is safe (see db/retry.ts): reads and writes that are safe to
 * repeat by construction.
 */

const own = (userId: string, id: string) => and(eq(tasks.userId, userId), eq(tasks.id, id));

function matching(condition: VersionCondition): SQL | undefined {
  if (condition === "any") return undefined;
  return condition.length === 0 ? sql`false` : inArray(tasks.version, condition);
}

const taskColumns = getTableColumns(tasks);

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
  // Repeatable: a repeat after a lost answer finds nothing more to remove (and counts only what it removed).
  const result = await withRetries("repeatable", () =>
    db.delete(deletedTasks).where(sql`${deletedTasks.deletedAt} < now() - ${restorable}`),
  );
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
        task: sql<string | null>`change_task`.as("change_task"),
        n: sql<number>`n`.as("n"),
      })
      // Each changed task's JSON is written where the walk of the sequence index finds its row: joined
      // afterwards by id, every task of the page cost a descent of the primary key as well (~4 pages a
      // task, 818 for a full sync's 200; docs/decisions/042-an-overdue-count-in-the-index.md).
      .as(sql`
        SELECT change_seq, change_id, change_gone, change_task, row_number() OVER (ORDER BY change_seq, change_id) AS n
        FROM (
          (SELECT ${tasks.seq} AS change_seq, ${tasks.id} AS change_id, false AS change_gone,
             row_to_json(task)::text AS change_task
           FROM ${tasks} CROSS JOIN LATERAL (SELECT ${taskFields}) AS task
           WHERE ${tasks.userId} = ${userId} AND ${after(tasks, sql`${tasks.id}`)}
           ORDER BY ${tasks.seq}, ${tasks.id} LIMIT ${limit} + 1)
          ${
            shape === "all"
              ? sql``
              : sql`UNION ALL
          (SELECT ${taskTombstones.seq}, ${taskTombstones.taskId}, true, NULL FROM ${taskTombstones}
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
        changes: sql<string>`coalesce('[' || string_agg(${page.task}, ',' ORDER BY ${page.n}) FILTER (WHERE ${shown} AND NOT ${page.gone}) || ']', '[]')`,
        deleted: sql<string>`coalesce('[' || string_agg(to_json(${page.id})::text, ',' ORDER BY ${page.n}) FILTER (WHERE ${shown} AND ${page.gone}) || ']', '[]')`,
        more: sql<boolean>`count(*) FILTER (WHERE NOT ${shown}) > 0`,
        lastSeq: sql<number | null>`min(${page.seq}) FILTER (WHERE ${last})`.mapWith(Number),
        lastId: sql<string | null>`min(${page.id}::text) FILTER (WHERE ${last})`,
      })
      .from(page)
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
  // Repeatable: a repeat removes only what is still too old, and `greatest` keeps the marks a first try recorded.
  const { rows } = await withRetries("repeatable", () =>
    db.execute<{ pruned: number }>(sql`
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
    SELECT coalesce(sum(n), 0)::integer AS pruned FROM per_user`),
  );
  return Number(rows[0]?.pruned ?? 0);
}
