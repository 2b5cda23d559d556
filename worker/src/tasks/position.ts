/**
 * Manual order (docs/decisions/030-manual-task-order.md), written once: the Worker sorts
 * `sort=manual` by these rules in SQL, the site (web/src/lib/task-view.ts) sorts its replica
 * with them, and computes a move with ./position-move.ts (apart, so the key library loads only when
 * a task is moved). A task's `position` is
 * a fractional-indexing key (github.com/rocicorp/fractional-indexing, as a list's: decision
 * 025), compared byte-wise (Postgres: `COLLATE "C"`), the id breaking a tie. A move changes
 * the moved task's key only: no other task is renumbered.
 */

export interface Placed {
  id: string;
  position: string;
}

/** The longest key the API takes (the `Position` schema; a move re-spaces long before: position-move.ts). */
export const positionKeyCap = 100;

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Manual order: by key, byte-wise (keys are ASCII), then by id — the server's `ORDER BY position COLLATE "C", id`. */
export function comparePlaced(a: Placed, b: Placed): number {
  return byteOrder(a.position, b.position) || byteOrder(a.id, b.id);
}

/** The largest integer part after the head `g`: seven base-62 digits. */
const topKeySpan = 62 ** 7 - 1;
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Where a new task goes when its create names no position: at the top, above every task made
 * before it — a key of head `g` and seven base-62 digits counting down with the milliseconds
 * since 1970 (until the year 2081; earlier instants than 1970 share the last key). One
 * fixed-length key per instant, so creates never lengthen keys, and one rule for a create, an
 * import (its tasks' creation times) and the migration's backfill. Postgres holds the same rule
 * as `brisk_task_position(timestamptz)` (the tasks-positions migration), compared with this one
 * by worker/src/tasks/tasks-position.test.ts.
 */
export function newTaskPosition(createdAt: number): string {
  let n = Math.max(0, Math.min(topKeySpan, topKeySpan - Math.floor(createdAt)));
  let digits = "";
  for (let i = 0; i < 7; i++) {
    digits = base62[n % 62] + digits;
    n = Math.floor(n / 62);
  }
  return `g${digits}`;
}
