import { generateKeyBetween, generateNKeysBetween } from "fractional-indexing";
import type { Placed } from "./position.ts";

/**
 * The key that puts a task at `index` among `others` (the tasks in manual order, the moved one
 * left out): just after the task before that place, and before the first key after it that is
 * greater. Two tasks can hold equal keys (two devices moved to the same place at once); a task
 * moved between equals goes after every one of them — still after the task it was put after,
 * never in front of it — so a key is always made between two distinct keys.
 */
export function positionAt(others: readonly Placed[], index: number): string {
  const before = index > 0 ? (others[index - 1]?.position ?? null) : null;
  const after = others.slice(Math.max(index, 0)).find((task) => before === null || task.position > before);
  return generateKeyBetween(before, after?.position ?? null);
}

/**
 * Keys grow about one character per move into the same gap (decision 030). A move whose key would
 * be longer than this re-spaces a few neighbours instead (docs/decisions/038-re-spacing-manual-order.md).
 */
export const respaceAbove = 24;
/** The most tasks one move writes: the moved one and the neighbours it re-spaces. */
export const moveWritesAtMost = 15;
/** Re-spaced keys this short leave room for ~10 more moves into one gap before the next re-spacing. */
const roomyKey = respaceAbove - 10;

/**
 * The keys a move of `moved` to `index` among `others` writes. Usually the moved task's alone
 * ({@link positionAt}). When that key would be longer than {@link respaceAbove}, a window of the
 * moved task and its neighbours gets new, evenly spread keys (`generateNKeysBetween`) between the
 * keys just outside it: the narrowest window that gives short keys, else the one that gives the
 * shortest — at most {@link moveWritesAtMost} tasks, never the whole list. Neighbours whose key
 * comes out the same are left out. Every other task keeps its place in the order.
 */
export function moveKeys(others: readonly Placed[], index: number, moved: string): Placed[] {
  const position = positionAt(others, index);
  if (position.length <= respaceAbove) return [{ id: moved, position }];
  const order = [...others.slice(0, index), { id: moved, position }, ...others.slice(index)];
  let best: Placed[] = [{ id: moved, position }];
  let bestLength = position.length;
  search: for (let size = 3; size <= Math.min(moveWritesAtMost, order.length); size += 2) {
    for (let start = Math.max(0, index - size + 1); start <= index && start + size <= order.length; start++) {
      const end = start + size;
      const low = order[start - 1]?.position ?? null;
      const high = order[end]?.position ?? null;
      // Equal keys on both sides of the window (a run of ties): no key fits between.
      if (low !== null && high !== null && low >= high) continue;
      const keys = generateNKeysBetween(low, high, size);
      const longest = Math.max(...keys.map((key) => key.length));
      if (longest < bestLength) {
        best = order.slice(start, end).map((task, i) => ({ id: task.id, position: keys[i] as string }));
        bestLength = longest;
      }
      if (longest <= roomyKey) break search;
    }
  }
  const before = new Map(others.map((task) => [task.id, task.position]));
  return best.filter((task) => task.id === moved || before.get(task.id) !== task.position);
}
