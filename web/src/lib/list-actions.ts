import { generateKeyBetween } from "fractional-indexing";
import { api, call, type List } from "./api-client.ts";
import { byteOrder } from "./lists.ts";
import { queryClient, type Replica, refreshReplica, replicaKey } from "./replica.ts";

/**
 * The list writes (docs/web.md "Lists"): sent at once — unlike task changes they are not queued
 * for offline use — and put into the replica when answered; the feed then brings the tasks a
 * deletion moved or removed.
 */

function putList(userId: string, list: List): void {
  queryClient.setQueryData<Replica>(replicaKey(userId), (replica) => {
    if (!replica) return replica;
    const held = replica.lists?.[list.id];
    if (held && held.version > list.version) return replica;
    return { ...replica, lists: { ...replica.lists, [list.id]: list } };
  });
}

export async function createList(
  userId: string,
  fields: { name: string; colour: List["colour"]; position: string },
): Promise<List> {
  const body = { id: crypto.randomUUID(), ...fields };
  const { data } = await call(() => api.POST("/api/{userId}/lists", { params: { path: { userId } }, body }));
  putList(userId, data);
  return data;
}

export async function updateList(
  userId: string,
  list: List,
  patch: { name?: string; colour?: List["colour"]; position?: string },
): Promise<List> {
  const { data } = await call(() =>
    api.PATCH("/api/{userId}/lists/{id}", {
      params: { path: { userId, id: list.id } },
      body: patch,
      headers: { "If-Match": `"${list.version}"` },
    }),
  );
  putList(userId, data);
  return data;
}

export async function deleteList(userId: string, list: List, tasks: "move" | "delete"): Promise<void> {
  await call(() =>
    api.DELETE("/api/{userId}/lists/{id}", {
      params: { path: { userId, id: list.id }, query: { tasks } },
      headers: { "If-Match": `"${list.version}"` },
    }),
  );
  queryClient.setQueryData<Replica>(replicaKey(userId), (replica) => {
    if (!replica?.lists) return replica;
    const { [list.id]: _gone, ...lists } = replica.lists;
    return { ...replica, lists };
  });
  // The tasks it moved or deleted come with the feed.
  void refreshReplica(userId);
}

/** The position of a list added after every other one (a fractional-indexing key: no other list changes). */
export function positionAfter(lists: readonly List[]): string {
  const last =
    lists
      .map((list) => list.position)
      .sort(byteOrder)
      .at(-1) ?? null;
  return generateKeyBetween(last, null);
}
