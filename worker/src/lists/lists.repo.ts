import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { sqlStateOf } from "../db/errors.ts";
import { withRetries } from "../db/retry.ts";
import { asJsonText, type JsonText } from "../json-text.ts";
import { advance, currentSeq, settle } from "../tasks/change-sequence.ts";
import type { VersionCondition } from "../tasks/conditional-write.ts";
import { tasks, taskTombstones } from "../tasks/tasks.tables.ts";
import type { CreateListInput, ListOutput, PatchListInput } from "./lists.schemas.ts";
import { inboxOf, listsJsonSql } from "./lists.sql.ts";
import { lists, listTombstones } from "./lists.tables.ts";

/**
 * The only code that touches the lists table (docs/decisions/025-lists.md). As for tasks,
 * every function is scoped to the user and is one database round trip (one statement or
 * one batch, which Neon runs as one transaction); every write advances the person's
 * change sequence (decision 012) so the change feed and the live channel carry it.
 */

type ListRow = typeof lists.$inferSelect;

export function toList(row: ListRow): ListOutput {
  return {
    id: row.id,
    name: row.name,
    colour: row.colour,
    position: row.position,
    inbox: row.inbox,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}

const own = (userId: string, id: string) => and(eq(lists.userId, userId), eq(lists.id, id));

function matching(condition: VersionCondition): SQL | undefined {
  if (condition === "any") return undefined;
  return condition.length === 0 ? sql`false` : inArray(lists.version, condition);
}

export async function listLists(db: Database, userId: string): Promise<JsonText<ListOutput[]>> {
  const { rows } = await withRetries("repeatable", () =>
    db.execute<{ body: string }>(sql`SELECT ${listsJsonSql(sql`${userId}`, undefined)} AS body`),
  );
  return asJsonText(rows[0]?.body ?? "[]");
}

export async function getList(db: Database, userId: string, id: string): Promise<ListOutput | undefined> {
  const [row] = await withRetries("repeatable", () => db.select().from(lists).where(own(userId, id)));
  return row && toList(row);
}

export type CreateListResult =
  | { kind: "created"; list: ListOutput; seq: number }
  | { kind: "replayed"; list: ListOutput }
  | { kind: "conflict" }
  | { kind: "no_account" };

/**
 * Creates a list; with a client-chosen id, idempotently (the same body again answers the
 * stored list, another body under that id is a conflict). Without a position it goes after
 * the person's last list: the last key with a digit added is a valid key just after it.
 */
export async function createList(db: Database, userId: string, input: CreateListInput): Promise<CreateListResult> {
  const id = input.id ?? crypto.randomUUID();
  const position =
    input.position ??
    sql`(SELECT coalesce(max(${lists.position} COLLATE "C") || 'V', 'a0') FROM ${lists} WHERE ${lists.userId} = ${userId})`;
  let written: [unknown, ListRow[], unknown, unknown, ListRow[]];
  try {
    written = await withRetries("repeatable", () =>
      db.batch([
        advance(db, userId),
        db
          .insert(lists)
          .values({ id, userId, name: input.name, colour: input.colour, position, seq: currentSeq(userId) })
          .onConflictDoNothing({ target: lists.id })
          .returning(),
        db
          .delete(listTombstones)
          .where(
            and(
              eq(listTombstones.userId, userId),
              eq(listTombstones.listId, id),
              sql`EXISTS (SELECT 1 FROM ${lists} WHERE ${own(userId, id)} AND ${lists.seq} = ${currentSeq(userId)})`,
            ),
          ),
        settle(db, userId),
        db.select().from(lists).where(own(userId, id)),
      ]),
    );
  } catch (error) {
    if (sqlStateOf(error) === "23503") return { kind: "no_account" };
    throw error;
  }
  const [, inserted, , , existing] = written;
  const created = inserted[0];
  if (created) return { kind: "created", list: toList(created), seq: created.seq };
  const stored = existing[0];
  if (
    stored &&
    !stored.inbox &&
    stored.name === input.name &&
    stored.colour === input.colour &&
    (input.position === undefined || stored.position === input.position)
  ) {
    return { kind: "replayed", list: toList(stored) };
  }
  return { kind: "conflict" };
}

export type ListWriteResult =
  | { kind: "ok"; list: ListOutput; seq?: number }
  | { kind: "not_found" }
  | { kind: "stale"; version: number };

/** Changes a list's name, colour or position, if `If-Match` allows. */
export async function patchList(
  db: Database,
  userId: string,
  id: string,
  patch: PatchListInput,
  condition: VersionCondition,
): Promise<ListWriteResult> {
  const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  if (Object.keys(changes).length === 0) {
    const list = await getList(db, userId, id);
    if (!list) return { kind: "not_found" };
    if (condition !== "any" && !condition.includes(list.version)) return { kind: "stale", version: list.version };
    return { kind: "ok", list };
  }
  const [advanced, updated, , current] = await withRetries("once", () =>
    db.batch([
      advance(db, userId),
      db
        .update(lists)
        .set({
          ...changes,
          version: sql`${lists.version} + 1`,
          updatedAt: sql`now()`,
          seq: currentSeq(userId),
        })
        .where(and(own(userId, id), matching(condition)))
        .returning(),
      settle(db, userId),
      db.select().from(lists).where(own(userId, id)),
    ]),
  );
  const written = updated[0];
  if (written) return { kind: "ok", list: toList(written), seq: advanced[0]?.seq };
  const stored = current[0];
  return stored ? { kind: "stale", version: stored.version } : { kind: "not_found" };
}

export type DeleteListResult =
  | { kind: "ok"; moved: number; deleted: number; seq?: number }
  | { kind: "not_found" }
  | { kind: "inbox" }
  | { kind: "stale"; version: number };

/**
 * Deletes a list (never the Inbox) with its tasks moved to the Inbox or deleted (leaving
 * tombstones for the feed): one batch, one transaction. The person's sequence lock, taken
 * first, orders it with every other write of theirs, so no task can enter the list between
 * its tasks leaving and the list going.
 */
export async function deleteList(
  db: Database,
  userId: string,
  id: string,
  mode: "move" | "delete",
  condition: VersionCondition,
): Promise<DeleteListResult> {
  const deletable = sql`EXISTS (SELECT 1 FROM ${lists} WHERE ${and(own(userId, id), sql`NOT ${lists.inbox}`, matching(condition))})`;
  const ofList = and(eq(tasks.userId, userId), eq(tasks.list, id), deletable);
  const seq = currentSeq(userId);
  const tasksStatement =
    mode === "move"
      ? db.execute<{ id: string }>(sql`
          UPDATE ${tasks} SET list_id = ${inboxOf(userId)}, version = version + 1, updated_at = now(), seq = ${seq}
          WHERE ${ofList} RETURNING id`)
      : db.execute<{ id: string }>(sql`
          WITH gone AS (DELETE FROM ${tasks} WHERE ${ofList} RETURNING id)
          INSERT INTO ${taskTombstones} (user_id, task_id, seq)
          SELECT ${userId}, gone.id, ${seq} FROM gone
          ON CONFLICT (user_id, task_id) DO UPDATE SET seq = excluded.seq, deleted_at = now()
          RETURNING task_id AS id`);
  const [advanced, affected, gone, , current] = await withRetries("once", () =>
    db.batch([
      advance(db, userId),
      tasksStatement,
      db.execute<{ id: string }>(sql`
        WITH gone AS (
          DELETE FROM ${lists} WHERE ${and(own(userId, id), sql`NOT ${lists.inbox}`, matching(condition))} RETURNING id
        )
        INSERT INTO ${listTombstones} (user_id, list_id, seq)
        SELECT ${userId}, gone.id, ${seq} FROM gone
        ON CONFLICT (user_id, list_id) DO UPDATE SET seq = excluded.seq, deleted_at = now()
        RETURNING list_id AS id`),
      settle(db, userId),
      db.select({ inbox: lists.inbox, version: lists.version }).from(lists).where(own(userId, id)),
    ]),
  );
  if (gone.rows.length > 0) {
    const count = affected.rows.length;
    return {
      kind: "ok",
      moved: mode === "move" ? count : 0,
      deleted: mode === "delete" ? count : 0,
      seq: advanced[0]?.seq,
    };
  }
  const stored = current[0];
  if (!stored) return { kind: "not_found" };
  if (stored.inbox) return { kind: "inbox" };
  return { kind: "stale", version: stored.version };
}
