import fc from "fast-check";
import { generateNKeysBetween } from "fractional-indexing";
import { describe, expect, it } from "vitest";
import { isPositionKey } from "../lists/lists.schemas.ts";
import { comparePlaced, type Placed, positionKeyCap } from "./position.ts";
import { moveKeys, moveWritesAtMost, respaceAbove } from "./position-move.ts";

/**
 * Moves in manual order from one client, with no server: whatever the moves — random ones, or
 * hundreds into the same gap — each keeps every key a valid key within the cap, writes at most
 * moveWritesAtMost tasks, and gives exactly the order the person asked for.
 */

/** Applies one move of the task at `from` to `to` (among the others) and checks it; answers the new list. */
function moveAndCheck(list: Placed[], from: number, to: number): Placed[] {
  const moved = list[from] as Placed;
  const others = list.filter((task) => task.id !== moved.id);
  const writes = moveKeys(others, to, moved.id);
  expect(writes.length).toBeLessThanOrEqual(moveWritesAtMost);
  expect(writes.some((task) => task.id === moved.id)).toBe(true);
  const written = new Map(writes.map((task) => [task.id, task.position]));
  const next = list.map((task) => ({ id: task.id, position: written.get(task.id) ?? task.position }));
  next.sort(comparePlaced);
  for (const task of writes) expect(isPositionKey(task.position) && task.position.length <= positionKeyCap).toBe(true);
  const wanted = [...others.slice(0, to), moved].concat(others.slice(to)).map((task) => task.id);
  expect(next.map((task) => task.id)).toEqual(wanted);
  return next;
}

function listOf(size: number): Placed[] {
  return generateNKeysBetween(null, null, size).map((position, i) => ({
    id: `t${String(i).padStart(3, "0")}`,
    position,
  }));
}

describe("moving in manual order", () => {
  it("keeps keys short over 500 moves into the same gap, each writing at most moveWritesAtMost tasks", () => {
    for (const size of [3, 5, 40]) {
      let list = listOf(size);
      const anchor = list[Math.floor(size / 2)] as Placed;
      let longest = 0;
      for (let i = 0; i < 500; i++) {
        // Another task each time (the anchor's last neighbour below it, or the top one), put just after the anchor.
        const at = list.findIndex((task) => task.id === anchor.id);
        const from = i % 2 === 0 ? (at + 1) % size : at === 0 ? size - 1 : 0;
        list = moveAndCheck(list, from, from < at ? at : at + 1);
        longest = Math.max(longest, ...list.map((task) => task.position.length));
      }
      expect(longest).toBeLessThanOrEqual(respaceAbove + 1);
    }
  });

  it("keeps keys within the cap over 500 moves of the list's ends into its middle", () => {
    // The hardest case for a window of neighbours (docs/decisions/038-re-spacing-manual-order.md):
    // every new key lies between the old ones, so the list's whole span shrinks with each move.
    let list = listOf(40);
    for (let i = 0; i < 500; i++) list = moveAndCheck(list, i % 2 === 0 ? list.length - 1 : 0, 20);
    expect(Math.max(...list.map((task) => task.position.length))).toBeLessThanOrEqual(positionKeyCap);
  });

  it("keeps keys within the cap and the order asked for, whatever the moves", () => {
    const moves = fc.array(fc.record({ from: fc.nat(), to: fc.nat(), times: fc.integer({ min: 1, max: 40 }) }), {
      minLength: 1,
      maxLength: 40,
    });
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), moves, (size, steps) => {
        let list = listOf(size);
        for (const step of steps) {
          for (let i = 0; i < step.times; i++) list = moveAndCheck(list, step.from % size, step.to % size);
        }
      }),
      { numRuns: 200 },
    );
  });
});
