import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { withRetries } from "../db/retry.ts";
import {
  advance,
  currentSeq,
  dueColumns,
  isoText,
  settle,
  supersedeTombstones,
  taskFields,
} from "../tasks/tasks.repo.ts";
import { tasks } from "../tasks/tasks.schema.ts";
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
  task: ImportedTaskInput & { id: string };
  otherwiseId: string;
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
  rows: ImportRow[],
  personZone: string,
): Promise<{ imported: number; seq?: number }> {
  if (rows.length === 0) return { imported: 0 };
  const inserts = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const values = rows.slice(start, start + rowsPerStatement).map(({ task, otherwiseId }) => {
      const { id, due, createdAt, updatedAt, completedAt, version, ...fields } = task;
      const at = (value: string | undefined | null) => (value ? sql`${value}::timestamptz` : sql`now()`);
      return {
        ...fields,
        ...dueColumns(due, personZone),
        id: sql`CASE WHEN EXISTS (SELECT 1 FROM ${tasks} WHERE ${tasks.id} = ${id}::uuid AND ${tasks.userId} <> ${userId})
          THEN ${otherwiseId}::uuid ELSE ${id}::uuid END`,
        userId,
        completedAt: task.completed ? at(completedAt) : null,
        createdAt: at(createdAt),
        updatedAt: at(updatedAt),
        version: version ?? 1,
        seq: currentSeq(userId),
      };
    });
    inserts.push(db.insert(tasks).values(values).onConflictDoNothing({ target: tasks.id }).returning({ id: tasks.id }));
  }
  const [first, ...rest] = inserts;
  if (!first) return { imported: 0 };
  // Repeatable: with every id fixed, a repeated batch inserts nothing the first one did.
  const [advanced, ...written] = await withRetries("repeatable", () =>
    db.batch([advance(db, userId), first, ...rest, supersedeTombstones(db, userId), settle(db, userId)]),
  );
  const imported = (written.slice(0, inserts.length) as { id: string }[][]).reduce((n, ids) => n + ids.length, 0);
  return imported > 0 ? { imported, seq: advanced[0]?.seq } : { imported };
}
