import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gt,
  ilike,
  inArray,
  isNull,
  lt,
  ne,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { type Repeatability, withRetries } from "../db/retry.ts";
import { deletedTasks, tasks } from "./tasks.schema.ts";
import type {
  CreateTaskInput,
  ListQuery,
  PatchTaskInput,
  ReplaceTaskInput,
  TaskFilters,
  TaskOutput,
} from "./tasks.schemas.ts";

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
    dueAt: row.dueAt?.toISOString() ?? null,
    tags: row.tags,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}

/** The result of a conditional write: done, no such task for this user, or `If-Match` was stale. */
export type WriteResult = { kind: "ok"; task: TaskOutput } | { kind: "not_found" } | { kind: "stale"; version: number };

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

const placeholder = <Name extends string>(name: Name) => sql`${sql.placeholder(name)}`;
const ownPlaceholders = and(eq(tasks.userId, sql.placeholder("userId")), eq(tasks.id, sql.placeholder("id")));

function getTaskStatement(db: Database) {
  return prepared(db, "get", () => db.select().from(tasks).where(ownPlaceholders).prepare("get_task"));
}

/** Changes to a task's columns: values, or SQL (placeholders and expressions). */
type Changes = { [Column in keyof typeof tasks.$inferInsert]?: SQL };

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
function conditionalWriteStatement(db: Database, shape: string, changes: () => Changes, condition: ConditionShape) {
  return prepared(db, `write:${shape}:${condition}`, () => {
    const updated = db.$with("updated").as(
      db
        .update(tasks)
        .set({ ...changes(), ...bump })
        .where(and(ownPlaceholders, versionFilter[condition]))
        .returning(),
    );
    // The CTE's columns, by the table's field names ("updated"."title", …); same types as the table's.
    const written = Object.fromEntries(
      Object.keys(taskColumns).map((name) => [name, updated[name as keyof typeof taskColumns]]),
    ) as unknown as typeof taskColumns;
    return db
      .with(updated)
      .select({ before: taskColumns, written })
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
async function conditionalWrite(
  db: Database,
  /** The statement's shape (its key), its SET (built only with the statement) and the placeholders' values. */
  write: { shape: string; changes: () => Changes; values: Record<string, unknown> },
  userId: string,
  id: string,
  condition: VersionCondition,
  alreadyApplied: ((task: TaskOutput) => boolean) | undefined,
  repeatability: Repeatability,
): Promise<WriteResult> {
  let repeatedAfterLostAnswer = false;
  const statement = conditionalWriteStatement(db, write.shape, write.changes, conditionShape(condition));
  const values = { ...write.values, userId, id, versions: condition === "any" ? [] : condition };
  const [row] = await withRetries(
    repeatability,
    () => statement.execute(values),
    (failure) => {
      if (failure !== "not-applied") repeatedAfterLostAnswer = true;
    },
  );
  if (!row) return { kind: "not_found" };
  if (row.written?.id) return { kind: "ok", task: toTask(row.written) };
  let task = toTask(row.before);
  if (condition === "any" || condition.includes(task.version)) {
    // The write waited for a concurrent one and then found the task changed or gone, which
    // this statement's snapshot cannot show: read it as it is now (a race's second round trip).
    const now = await getTask(db, userId, id);
    if (!now) return { kind: "not_found" };
    task = now;
  }
  const ownEarlierTry =
    repeatedAfterLostAnswer &&
    condition !== "any" &&
    condition.length === 1 &&
    task.version === (condition[0] ?? 0) + 1 &&
    alreadyApplied?.(task);
  return ownEarlierTry ? { kind: "ok", task } : { kind: "stale", version: task.version };
}

export async function getTask(db: Database, userId: string, id: string): Promise<TaskOutput | undefined> {
  const [row] = await withRetries("repeatable", () => getTaskStatement(db).execute({ userId, id }));
  return row && toTask(row);
}

export type CreateResult =
  | { kind: "created"; task: TaskOutput }
  | { kind: "replayed"; task: TaskOutput }
  | { kind: "conflict" };

/**
 * Creates a task. With a client-chosen id the create is idempotent: replaying the
 * same body returns the task already stored; another body under that id is a conflict.
 */
export async function createTask(db: Database, userId: string, input: CreateTaskInput): Promise<CreateResult> {
  const id = input.id ?? crypto.randomUUID();
  const values = { ...input, id, userId, completedAt: input.completed ? sql`now()` : null };
  // Repeatable: with the id fixed, a repeated insert does nothing and the read finds the first one.
  const [inserted, existing] = await withRetries("repeatable", () =>
    db.batch([
      db
        .insert(tasks)
        .values({ ...values, dueAt: input.dueAt === null ? null : new Date(input.dueAt) })
        .onConflictDoNothing({ target: tasks.id })
        .returning(),
      db.select().from(tasks).where(own(userId, id)),
    ]),
  );
  const created = inserted[0];
  if (created) return { kind: "created", task: toTask(created) };
  const stored = existing[0];
  if (stored && sameContent(toTask(stored), input)) return { kind: "replayed", task: toTask(stored) };
  return { kind: "conflict" };
}

function sameContent(task: TaskOutput, input: CreateTaskInput): boolean {
  return (
    task.title === input.title &&
    task.description === input.description &&
    task.completed === input.completed &&
    task.priority === input.priority &&
    task.dueAt === input.dueAt &&
    sameTags(task.tags, input.tags)
  );
}

/** `completed_at` follows `completed`: set when a task becomes complete, kept while it stays so, cleared otherwise. */
const completedAtFor = (completed: SQL | boolean) =>
  sql`CASE WHEN ${completed} THEN coalesce(${tasks.completedAt}, now()) ELSE NULL END`;

const bump = { version: sql`${tasks.version} + 1`, updatedAt: sql`now()` };

/** Absolute writes are safe to repeat when conditional on a version: a repeat finds its own try (see conditionalWrite). */
const repeatableWhen = (condition: VersionCondition): Repeatability => (condition === "any" ? "once" : "repeatable");

type Editable = Pick<TaskOutput, "title" | "description" | "priority" | "tags" | "dueAt" | "completed">;
const editable = ["title", "description", "priority", "tags", "dueAt", "completed"] as const;

/** The SET of a write of these fields, each from the placeholder of its name. */
function changesOf(fields: readonly (keyof Editable)[]): Changes {
  const changes: Changes = {};
  for (const field of fields) changes[field] = placeholder(field);
  if (fields.includes("completed")) changes.completedAt = completedAtFor(placeholder("completed"));
  return changes;
}

const sameFields = (wanted: Partial<Editable>) => (task: TaskOutput) =>
  Object.entries(wanted).every(([field, value]) =>
    field === "tags" ? sameTags(task.tags, value as string[]) : task[field as keyof TaskOutput] === value,
  );

export function replaceTask(
  db: Database,
  userId: string,
  id: string,
  input: ReplaceTaskInput,
  condition: VersionCondition,
) {
  const wanted: Editable = {
    title: input.title,
    description: input.description,
    priority: input.priority,
    tags: input.tags,
    dueAt: input.dueAt,
    completed: input.completed,
  };
  const write = { shape: "replace", changes: () => changesOf(editable), values: wanted };
  return conditionalWrite(db, write, userId, id, condition, sameFields(wanted), repeatableWhen(condition));
}

export function patchTask(
  db: Database,
  userId: string,
  id: string,
  patch: PatchTaskInput,
  condition: VersionCondition,
) {
  const wanted: Partial<Editable> = {};
  if (patch.title !== undefined) wanted.title = patch.title;
  if (patch.description !== undefined) wanted.description = patch.description ?? "";
  if (patch.priority !== undefined) wanted.priority = patch.priority ?? "none";
  if (patch.tags !== undefined) wanted.tags = patch.tags ?? [];
  if (patch.dueAt !== undefined) wanted.dueAt = patch.dueAt;
  if (patch.completed !== undefined) wanted.completed = patch.completed;

  const fields = editable.filter((field) => field in wanted);
  const write = { shape: `patch:${fields.join(",")}`, changes: () => changesOf(fields), values: wanted };
  return conditionalWrite(db, write, userId, id, condition, sameFields(wanted), repeatableWhen(condition));
}

const toggle = sql`NOT ${tasks.completed}`;

/** Sets `completed`, or flips it when `completed` is "toggle" (a flip can never be told from its repeat). */
export function setCompleted(
  db: Database,
  userId: string,
  id: string,
  completed: boolean | "toggle",
  condition: VersionCondition,
) {
  if (completed === "toggle") {
    const changes = () => ({ completed: toggle, completedAt: completedAtFor(toggle) });
    const write = { shape: "toggle", changes, values: {} };
    return conditionalWrite(db, write, userId, id, condition, undefined, "once");
  }
  const write = { shape: "completed", changes: () => changesOf(["completed"]), values: { completed } };
  return conditionalWrite(db, write, userId, id, condition, sameFields({ completed }), repeatableWhen(condition));
}

/**
 * Deletes a task. Repeated only when the database says the try was rolled back: a
 * repeat after a lost answer would find nothing and wrongly say "not found".
 */
export async function deleteTask(
  db: Database,
  userId: string,
  id: string,
  condition: VersionCondition,
): Promise<WriteResult["kind"]> {
  const [deleted, remaining] = await withRetries("once", () =>
    db.batch([
      db
        .delete(tasks)
        .where(and(own(userId, id), matching(condition)))
        .returning({ id: tasks.id }),
      db.select({ version: tasks.version }).from(tasks).where(own(userId, id)),
    ]),
  );
  if (deleted.length > 0) return "ok";
  return remaining.length > 0 ? "stale" : "not_found";
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
): Promise<string[]> {
  const updated = await withRetries("repeatable", () =>
    db
      .update(tasks)
      .set({ completed, completedAt: completedAtFor(completed), ...bump })
      .where(and(filtersOf(userId, filters), ne(tasks.completed, completed), ids ? inArray(tasks.id, ids) : undefined))
      .returning({ id: tasks.id }),
  );
  return updated.map((row) => row.id);
}

/** How long a bulk delete can be undone; older deletions are pruned by the user's next bulk delete or restore. */
const restorable = sql`interval '1 hour'`;

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
): Promise<{ ids: string[]; undo: string }> {
  const undo = crypto.randomUUID();
  const { rows } = await withRetries("repeatable", () =>
    db.execute<{ id: string }>(sql`
      WITH pruned AS (
        DELETE FROM ${deletedTasks}
        WHERE ${deletedTasks.userId} = ${userId} AND ${deletedTasks.deletedAt} < now() - ${restorable}
      ), gone AS (
        DELETE FROM ${tasks} WHERE ${filtersOf(userId, filters)} RETURNING *
      ), kept AS (
        INSERT INTO ${deletedTasks} (undo, user_id, task) SELECT ${undo}, gone.user_id, to_jsonb(gone) FROM gone
      )
      SELECT gone.id FROM gone`),
  );
  return { ids: rows.map((row) => row.id), undo };
}

/** The tasks columns in table order, and what a restored row takes for each: its own value, one version later. */
const columnNames = Object.values(taskColumns).map((column) => column.name);
const restoredValues = Object.values(taskColumns).map((column) =>
  column === tasks.version
    ? sql`r.version + 1`
    : column === tasks.updatedAt
      ? sql`now()`
      : sql`r.${sql.identifier(column.name)}`,
);

/**
 * Undoes a bulk delete: puts its tasks back under their ids, each one version later
 * (a client that held the old version sees the change), and forgets the deletion — one
 * batch, one transaction. An id taken again since is left as it is now. Answers every
 * task of the deletion as it is now; a repeat finds nothing left to restore.
 */
export async function restoreTasks(
  db: Database,
  userId: string,
  undo: string,
): Promise<{ restored: number; tasks: TaskOutput[] }> {
  const deletion = and(
    eq(deletedTasks.userId, userId),
    eq(deletedTasks.undo, undo),
    sql`${deletedTasks.deletedAt} >= now() - ${restorable}`,
  );
  const [inserted, current] = await withRetries("repeatable", () =>
    db.batch([
      db.execute<{ id: string }>(sql`
        INSERT INTO ${tasks} (${sql.join(
          columnNames.map((name) => sql.identifier(name)),
          sql`, `,
        )})
        SELECT ${sql.join(restoredValues, sql`, `)}
        FROM ${deletedTasks} CROSS JOIN LATERAL jsonb_populate_record(null::${tasks}, ${deletedTasks.task}) AS r
        WHERE ${deletion} AND r.user_id = ${userId}
        ON CONFLICT (id) DO NOTHING
        RETURNING id`),
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
    ]),
  );
  return { restored: inserted.rows.length, tasks: current.map(toTask) };
}

function sameTags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((tag, i) => tag === b[i]);
}

/* ---------- listing ---------- */

/** The value a list is ordered by, with the id as tie-breaker; nulls (no due date) always last. */
function sortKey(sort: ListQuery["sort"], order: ListQuery["order"]): { expression: SQL; type: SQL } {
  switch (sort) {
    case "created":
      return { expression: sql`${tasks.createdAt}`, type: sql`timestamptz` };
    case "updated":
      return { expression: sql`${tasks.updatedAt}`, type: sql`timestamptz` };
    case "title":
      return { expression: sql`lower(${tasks.title}) COLLATE "C"`, type: sql`text` };
    case "priority":
      return { expression: sql`${tasks.priority}`, type: sql`task_priority` };
    case "due":
      return {
        expression: sql`coalesce(${tasks.dueAt}, ${order === "asc" ? sql`'infinity'` : sql`'-infinity'`}::timestamptz)`,
        type: sql`timestamptz`,
      };
  }
}

export interface Cursor {
  /** The sort key of the last task on the previous page, as Postgres text. */
  key: string;
  id: string;
}

export interface ListPage {
  tasks: TaskOutput[];
  total: number;
  next: Cursor | undefined;
}

/** The list's filters as one SQL condition, shared by the listing and the bulk changes. */
function filtersOf(userId: string, query: TaskFilters): SQL | undefined {
  const startOfToday = sql`date_trunc('day', now(), ${query.tz})`;
  const daysAhead = (days: number) =>
    sql`((${startOfToday} AT TIME ZONE ${query.tz}) + make_interval(days => ${days})) AT TIME ZONE ${query.tz}`;
  const due = {
    overdue: and(lt(tasks.dueAt, sql`now()`), eq(tasks.completed, false)),
    today: and(sql`${tasks.dueAt} >= ${startOfToday}`, sql`${tasks.dueAt} < ${daysAhead(1)}`),
    week: and(sql`${tasks.dueAt} >= ${startOfToday}`, sql`${tasks.dueAt} < ${daysAhead(7)}`),
    none: isNull(tasks.dueAt),
  };
  const search = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  return and(
    eq(tasks.userId, userId),
    query.status === "all" ? undefined : eq(tasks.completed, query.status === "completed"),
    query.priority ? eq(tasks.priority, query.priority) : undefined,
    query.tag ? sql`${tasks.tags} @> ARRAY[${query.tag}]::text[]` : undefined,
    search ? or(ilike(tasks.title, search), ilike(tasks.description, search)) : undefined,
    query.due ? due[query.due] : undefined,
  );
}

/**
 * One page of the user's tasks and the number matching the filters, in one
 * statement: the count is an uncorrelated subquery evaluated once. Pages are
 * keyset-paginated on (sort key, id), so inserts and deletes between pages never
 * repeat or skip a task that stays. Only a page past the end (a cursor beyond the
 * last task) returns no row to carry the count, and costs a second round trip.
 */
export async function listTasks(db: Database, userId: string, query: ListQuery, cursor?: Cursor): Promise<ListPage> {
  const filters = filtersOf(userId, query);
  const { expression, type } = sortKey(query.sort, query.order);
  const direction = query.order === "asc" ? asc : desc;
  const after = cursor
    ? (query.order === "asc" ? gt : lt)(
        sql`(${expression}, ${tasks.id})`,
        sql`(${cursor.key}::${type}, ${cursor.id}::uuid)`,
      )
    : undefined;

  const rows = await withRetries("repeatable", () =>
    db
      .select({
        task: tasks,
        sortKey: sql<string>`(${expression})::text`,
        total: sql<number>`(SELECT count(*) FROM ${tasks} WHERE ${filters})`.mapWith(Number),
      })
      .from(tasks)
      .where(and(filters, after))
      .orderBy(direction(expression), direction(tasks.id))
      .limit(query.limit + 1),
  );

  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  let total = rows[0]?.total;
  if (total === undefined) {
    total = cursor
      ? ((
          await db
            .select({ n: sql<number>`count(*)`.mapWith(Number) })
            .from(tasks)
            .where(filters)
        )[0]?.n ?? 0)
      : 0;
  }
  return {
    tasks: page.map((row) => toTask(row.task)),
    total,
    next: rows.length > query.limit && last ? { key: last.sortKey, id: last.task.id } : undefined,
  };
}
