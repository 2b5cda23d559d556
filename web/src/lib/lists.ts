import type { Changes, List, Task } from "./api-client.ts";

/**
 * The person's lists in the browser (docs/web.md "Lists", docs/decisions/025-lists.md): held in the
 * replica beside the tasks, from the same change feed (`lists`, `deletedLists`), and the pure rules
 * the sidebar follows — their order, the active counts, a new list's position.
 */

export const listColours = [
  "grey",
  "red",
  "orange",
  "yellow",
  "green",
  "blue",
  "purple",
  "pink",
] as const satisfies readonly List["colour"][];
type _EveryColour = Exclude<List["colour"], (typeof listColours)[number]> extends never ? true : never;
export const everyColourListed: _EveryColour = true;

/** The lists after some feed pages, oldest first: changed lists as they are now, deleted ones gone. */
export function mergeLists(
  held: Record<string, List>,
  pages: readonly Pick<Changes, "lists" | "deletedLists">[],
): Record<string, List> {
  const lists = { ...held };
  for (const page of pages) {
    for (const list of page.lists ?? []) {
      const before = lists[list.id];
      if (!before || before.version <= list.version) lists[list.id] = list;
    }
    for (const id of page.deletedLists ?? []) delete lists[id];
  }
  return lists;
}

/** By position, byte-wise (as the server sorts them), the id breaking a tie. */
export const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The lists in the sidebar's order: the Inbox first, then by position. */
export function orderedLists(lists: Record<string, List> | undefined): List[] {
  return Object.values(lists ?? {}).sort(
    (a, b) => Number(b.inbox) - Number(a.inbox) || byteOrder(a.position, b.position) || byteOrder(a.id, b.id),
  );
}

/** Which list a task is in: a task created here before the server answered (no list yet) is in the Inbox. */
export function listOf(task: Pick<Task, "list">, inboxId: string | undefined): string | undefined {
  return task.list || inboxId;
}

/** Active (not completed) tasks per list id. */
export function activeCounts(tasks: readonly Task[], inboxId: string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const task of tasks) {
    if (task.completed) continue;
    const list = listOf(task, inboxId);
    if (list) counts.set(list, (counts.get(list) ?? 0) + 1);
  }
  return counts;
}

/** A list id as the URL carries it (`?list=`): a UUID, or nothing. */
export function listParam(value: string | null): string | null {
  return value && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
    ? value.toLowerCase()
    : null;
}
