import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { lists, listTombstones } from "../lists/lists.tables.ts";
import { taskSequences, tasks, taskTombstones } from "./tasks.tables.ts";

/**
 * The person's change sequence (docs/decisions/012-change-sequence-and-tombstones.md): the
 * statements a write batch begins and ends with, and the tombstones a deletion leaves. The
 * task repository, the lists repository and the import all number their writes with these.
 */

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
 * The last statement of every write batch (tasks, lists, an import): gives the number back
 * when the batch changed nothing — no task, list or tombstone of either carries it. The lock
 * was held throughout, so no one can have seen it; a write that changes nothing never
 * advances the sequence.
 */
export function settle(db: Database, userId: string) {
  const carriesNone = (table: typeof tasks | typeof taskTombstones | typeof lists | typeof listTombstones) =>
    sql`NOT EXISTS (SELECT 1 FROM ${table} WHERE ${table.userId} = ${userId} AND ${table.seq} = ${taskSequences.seq})`;
  return db
    .update(taskSequences)
    .set({ seq: sql`${taskSequences.seq} - 1` })
    .where(and(eq(taskSequences.userId, userId), ...[tasks, taskTombstones, lists, listTombstones].map(carriesNone)));
}

/** A task written under an id again (created, restored) is no longer deleted: its tombstone goes. */
export function supersedeTombstones(db: Database, userId: string) {
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

/** The sequence a write batch advanced to, when it changed something. */
export const advancedTo = (advanced: { seq: number }[], changed: boolean) => (changed ? advanced[0]?.seq : undefined);

/** Leaves a tombstone for each deleted task id (`ids`: a query answering `id`), at the write's sequence. */
export function tombstonesOf(userId: string, ids: SQL) {
  return sql`
    INSERT INTO ${taskTombstones} (user_id, task_id, seq)
    SELECT ${userId}, deleted.id, ${currentSeq(userId)} FROM (${ids}) AS deleted
    ON CONFLICT (user_id, task_id) DO UPDATE SET seq = excluded.seq, deleted_at = now()`;
}
