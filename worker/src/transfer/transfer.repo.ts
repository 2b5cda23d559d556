import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { withRetries } from "../db/retry.ts";
import { inboxOf, listsJsonSql } from "../lists/lists.sql.ts";
import { lists, listTombstones } from "../lists/lists.tables.ts";
import { advance, currentSeq, settle, supersedeTombstones } from "../tasks/change-sequence.ts";
import { dueColumns } from "../tasks/editable-fields.ts";
import { isoText, taskFields } from "../tasks/task-json.ts";
import { tasks } from "../tasks/tasks.tables.ts";
import type { ListRef, NewList, OwnList } from "./import-lists.ts";
import type { ImportedTaskInput } from "./transfer.schemas.ts";

/**
 * Export and import's database work: one statement for an export, one batch (one
 * transaction) for an import. Every statement is scoped to the user.
 */

/**
 * Every part of a Brisk export, by its key in the file: a JSON array that Postgres writes
 * for the user. A new kind of data (lists, …) is one more entry here — and its import in
 * {@link importTasks}'s batch.
 */
const exportSections: Record<string, (userId: string) => SQL> = {
  // Each list exactly as the list API answers it, the Inbox included, in the person's order.
  lists: (userId) => listsJsonSql(sql`${userId}`, undefined),
  // Each task exactly as the task API answers it (the same `taskFields`), oldest first.
  tasks: (
    userId,
  ) => sql`(SELECT coalesce('[' || string_agg(row_to_json(task)::text, ',' ORDER BY ${tasks.createdAt}, ${tasks.id}) || ']', '[]')
    FROM ${tasks} CROSS JOIN LATERAL (SELECT ${taskFields}) AS task WHERE ${tasks.userId} = ${userId})`,
};

/**
 * The user's whole export as Brisk's JSON file, written by Postgres in one statement (one
 * snapshot: the sections agree with each other).
 */
export async function exportFile(db: Database, userId: string): Promise<string> {
  const names = Object.keys(exportSections);
  const columns = sql.join(
    names.map((name) => sql`${exportSections[name]?.(userId)}::text AS ${sql.identifier(name)}`),
    sql`, `,
  );
  const { rows } = await withRetries("repeatable", () =>
    db.execute<Record<string, string>>(sql`SELECT ${isoText(sql`now()`)} AS exported_at, ${columns}`),
  );
  const row = rows[0] ?? {};
  const sections = names.map((name) => `,${JSON.stringify(name)}:${row[name] ?? "[]"}`).join("");
  return `{"format":"brisk","version":1,"exportedAt":${JSON.stringify(row.exported_at)}${sections}}`;
}

/** A task to import, validated, with the id it takes and the one it takes when another person's task holds that id. */
export interface ImportRow {
  task: Omit<ImportedTaskInput, "list"> & { id: string };
  /** Its list (import-lists.ts). */
  list: ListRef;
  otherwiseId: string;
}

/** The importer's lists, read before the file is (the tasks' lists resolve against them). */
export async function importerLists(db: Database, userId: string): Promise<OwnList[]> {
  return withRetries("repeatable", () =>
    db
      .select({ id: lists.id, name: lists.name, inbox: lists.inbox, position: lists.position })
      .from(lists)
      .where(eq(lists.userId, userId)),
  );
}

/** `id`, or `otherwiseId` when another person's row in `table` holds `id` (the same choice in every statement of the batch). */
function idFor(table: typeof tasks | typeof lists, userId: string, id: string, otherwiseId: string) {
  return sql`CASE WHEN EXISTS (SELECT 1 FROM ${table} WHERE ${table.id} = ${id}::uuid AND ${table.userId} <> ${userId})
    THEN ${otherwiseId}::uuid ELSE ${id}::uuid END`;
}

function listOf(userId: string, ref: ListRef) {
  if (ref === "inbox") return inboxOf(userId);
  return ref.otherwiseId ? idFor(lists, userId, ref.id, ref.otherwiseId) : sql`${ref.id}::uuid`;
}

/** Rows per INSERT: Postgres takes at most 65 535 parameters per statement, and a row has about 25. */
const rowsPerStatement = 500;

/**
 * Adds the tasks that are not there yet, all or nothing: one batch, which Neon runs as one
 * transaction. A task whose id this user already has is skipped (that is what makes
 * importing the same file twice add nothing); an id that another person's task holds is
 * replaced by the row's `otherwiseId`, derived from this user and the id, so the copy is
 * still recognised on a second import. The batch advances the change sequence once, like
 * any write, so the tasks reach the feed and the live channel.
 */
export async function importTasks(
  db: Database,
  userId: string,
  { rows, lists: newLists }: { rows: ImportRow[]; lists: NewList[] },
  personZone: string,
): Promise<{ imported: number; seq?: number }> {
  if (rows.length === 0 && newLists.length === 0) return { imported: 0 };
  const at = (value: string | undefined | null) => (value ? sql`${value}::timestamptz` : sql`now()`);
  // The lists first: the tasks after them name them.
  const listStatements = newLists.length === 0 ? [] : [insertLists(db, userId, newLists, at)];
  const chunks: ImportRow[][] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement)
    chunks.push(rows.slice(start, start + rowsPerStatement));
  const inserts = chunks.map((chunk) => {
    const values = chunk.map(({ task, list, otherwiseId }) => {
      const { id, due, createdAt, updatedAt, completedAt, version, recurrence, completions, ...fields } = task;
      return {
        ...fields,
        ...dueColumns(due, personZone),
        recurrenceRule: recurrence?.rule ?? null,
        recurrenceFrom: recurrence?.from ?? null,
        // COUNT counts completed occurrences; a file carries the latest completions only (at most 20).
        recurrenceDone: recurrence ? (completions?.length ?? 0) : 0,
        completions: sql`${JSON.stringify(completions ?? [])}::jsonb`,
        // Reminders already past when the file is read are not mailed by the copy.
        remindedThrough: sql`now()`,
        id: idFor(tasks, userId, id, otherwiseId),
        list: listOf(userId, list),
        // A file without positions (CSV, Todoist, an older export): each task where a create at its
        // creation time would have put it, so the newest are at the top (decision 030).
        position: fields.position ?? sql`brisk_task_position(${at(createdAt)})`,
        userId,
        completedAt: task.completed ? at(completedAt) : null,
        createdAt: at(createdAt),
        updatedAt: at(updatedAt),
        version: version ?? 1,
        seq: currentSeq(userId),
      };
    });
    return db.insert(tasks).values(values).onConflictDoNothing({ target: tasks.id }).returning({ id: tasks.id });
  });
  // Repeatable: with every id fixed, a repeated batch inserts nothing the first one did.
  const [advanced, ...written] = await withRetries("repeatable", () =>
    db.batch([
      advance(db, userId),
      ...listStatements,
      ...inserts,
      supersedeTombstones(db, userId),
      supersedeListTombstones(db, userId),
      settle(db, userId),
    ]),
  );
  const [createdLists = []] = written.slice(0, listStatements.length) as { id: string }[][];
  const insertedTasks = written.slice(listStatements.length, listStatements.length + inserts.length) as {
    id: string;
  }[][];
  const imported = insertedTasks.reduce((n, ids) => n + ids.length, 0);
  return imported + createdLists.length > 0 ? { imported, seq: advanced[0]?.seq } : { imported };
}

/** The lists not there yet; one whose id this user already has is skipped (as a task is). */
function insertLists(db: Database, userId: string, newLists: NewList[], at: (value: string | undefined | null) => SQL) {
  const values = newLists.map((list) => ({
    id: idFor(lists, userId, list.id, list.otherwiseId),
    userId,
    name: list.name,
    colour: list.colour,
    position: list.position,
    createdAt: at(list.createdAt),
    updatedAt: at(list.updatedAt),
    version: list.version ?? 1,
    seq: currentSeq(userId),
  }));
  return db.insert(lists).values(values).onConflictDoNothing({ target: lists.id }).returning({ id: lists.id });
}

/** A list imported under an id it once had here is no longer deleted: its tombstone goes (as createList does). */
function supersedeListTombstones(db: Database, userId: string) {
  return db
    .delete(listTombstones)
    .where(
      and(
        eq(listTombstones.userId, userId),
        sql`${listTombstones.listId} IN (SELECT ${lists.id} FROM ${lists} WHERE ${lists.userId} = ${userId} AND ${lists.seq} = ${currentSeq(userId)})`,
      ),
    );
}
