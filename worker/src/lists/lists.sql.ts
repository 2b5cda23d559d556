import { type SQL, sql } from "drizzle-orm";
import { constraintOf, sqlStateOf } from "../db/errors.ts";
import { problem } from "../problems.ts";
import { lists, listTombstones } from "./lists.tables.ts";

/**
 * What the task code needs from lists (docs/decisions/025-lists.md), apart from the
 * lists repository so the two repositories do not import each other.
 */

const isoText = (column: SQL | typeof lists.createdAt) =>
  sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A list as the API answers it, as JSON written by Postgres (for the listing and the change feed). */
export const listJson = sql`json_build_object('id', ${lists.id}, 'name', ${lists.name}, 'colour', ${lists.colour},
  'position', ${lists.position}, 'inbox', ${lists.inbox}, 'createdAt', ${isoText(lists.createdAt)},
  'updatedAt', ${isoText(lists.updatedAt)}, 'version', ${lists.version})`;

/** The person's lists in their order: by position, byte-wise, the id breaking a tie. */
const listOrder = sql`${lists.position} COLLATE "C", ${lists.id}`;

/** The user's lists as a JSON array (a SQL expression), all of them or those changed after the placeholder `seq`. */
export function listsJsonSql(userId: SQL, after: SQL | undefined): SQL {
  return sql`(SELECT coalesce(json_agg(${listJson} ORDER BY ${listOrder}), '[]')::text FROM ${lists}
    WHERE ${lists.userId} = ${userId}${after ? sql` AND ${lists.seq} > ${after}` : sql``})`;
}

/** The ids of the user's lists deleted after `after`, as a JSON array (a SQL expression). */
export function deletedListsJsonSql(userId: SQL, after: SQL | undefined): SQL {
  if (!after) return sql`'[]'`;
  return sql`(SELECT coalesce(json_agg(${listTombstones.listId} ORDER BY ${listTombstones.seq}, ${listTombstones.listId}), '[]')::text
    FROM ${listTombstones} WHERE ${listTombstones.userId} = ${userId} AND ${listTombstones.seq} > ${after})`;
}

/** The user's Inbox id, as a SQL expression (every account has one: a trigger creates it with the account). */
export const inboxOf = (userId: SQL | string) =>
  sql`(SELECT ${lists.id} FROM ${lists} WHERE ${lists.userId} = ${userId} AND ${lists.inbox})`;

/**
 * The list a task write lands in: the one named, unless the person deleted it (its tombstone is
 * theirs) — then the Inbox. A create or move queued on a device while another device deleted the
 * list still lands, visibly, instead of being refused and lost (docs/decisions/025-lists.md). An
 * unknown or another person's id stays as named, for the foreign key to refuse like any other.
 */
export const listOrInbox = (userId: SQL | string, list: SQL) =>
  sql`CASE WHEN EXISTS (SELECT 1 FROM ${listTombstones} WHERE ${listTombstones.userId} = ${userId} AND ${listTombstones.listId} = ${list})
    THEN ${inboxOf(userId)} ELSE ${list} END`;

/** The constraint that keeps a task in one of its owner's lists (worker/src/tasks/tasks.tables.ts). */
export const taskListConstraint = "tasks_list_fk";

/** Whether a task write was refused because its `list` is not one of the person's lists. */
export const isUnknownList = (error: unknown) =>
  sqlStateOf(error) === "23503" && constraintOf(error) === taskListConstraint;

/**
 * A task write naming a list that is not one of the person's (unknown, deleted, or another
 * person's — the same answer, so it tells nothing about others' ids): 422 on `list`.
 */
export function refuseUnknownList(error: unknown): never {
  if (!isUnknownList(error)) throw error;
  const message = "The list must be one of your lists";
  throw problem("validation_failed", {
    detail: "Some fields are not valid.",
    extensions: { errors: [{ path: "list", message }] },
  });
}

/**
 * The change feed's list members, each only when it has something (so an answer without list
 * changes reads as before lists existed): `"lists":[…],"deletedLists":[…],` or less.
 */
export function listChanges(page: { lists: string; deletedLists: string }): string {
  return (
    (page.lists === "[]" ? "" : `"lists":${page.lists},`) +
    (page.deletedLists === "[]" ? "" : `"deletedLists":${page.deletedLists},`)
  );
}

/** A restored task's list (`r` is the deleted task's record): its list if that still exists, else the Inbox. */
export const restoredList = (userId: string) =>
  sql`coalesce((SELECT ${lists.id} FROM ${lists} WHERE ${lists.userId} = ${userId} AND ${lists.id} = r.list_id), ${inboxOf(userId)})`;
