import { generateKeyBetween } from "fractional-indexing";
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
