import { generateKeyBetween } from "fractional-indexing";
import { api, call, type List } from "./api-client.ts";
import { byteOrder } from "./lists.ts";
import { changeTasks, queryClient, type Replica, refreshReplica, removeTasks, replicaKey } from "./replica.ts";

/**
 * The list requests the outbox sends (lib/outbox.ts, docs/web.md "Lists"): list writes are
 * queued like task changes and replayed in order — a create under the list's client id (the
 * server answers a replay with the stored list), an update or delete with `If-Match` of the
 * version it was made on. What an answer means for the replica is done here too.
 */

export type ListFields = Pick<List, "name" | "colour" | "position">;
export type ListPatch = Partial<ListFields>;
export type NewList = ListFields & { id: string };

export async function postList(userId: string, body: NewList): Promise<List> {
  const { data } = await call(() => api.POST("/api/{userId}/lists", { params: { path: { userId } }, body }));
  return data;
}

export async function getList(userId: string, id: string): Promise<List> {
  const { data } = await call(() => api.GET("/api/{userId}/lists/{id}", { params: { path: { userId, id } } }));
  return data;
}

export async function patchList(userId: string, id: string, patch: ListPatch, version?: number): Promise<List> {
  const { data } = await call(() =>
    api.PATCH("/api/{userId}/lists/{id}", {
      params: { path: { userId, id } },
      body: patch,
      ...(version !== undefined ? { headers: { "If-Match": `"${version}"` } } : {}),
    }),
  );
  return data;
}

export async function deleteList(userId: string, id: string, tasks: "move" | "delete", version?: number) {
  await call(() =>
    api.DELETE("/api/{userId}/lists/{id}", {
      params: { path: { userId, id }, query: { tasks } },
      ...(version !== undefined ? { headers: { "If-Match": `"${version}"` } } : {}),
    }),
  );
}

/** Puts a list the server answered into the replica, unless a newer one is held. */
export function putList(userId: string, list: List): void {
  queryClient.setQueryData<Replica>(replicaKey(userId), (replica) => {
    if (!replica) return replica;
    const held = replica.lists?.[list.id];
    if (held && held.version > list.version) return replica;
    return { ...replica, lists: { ...replica.lists, [list.id]: list } };
  });
}

/**
 * A deletion the server has: the list leaves the replica, and its tasks go (or move to the
 * Inbox) here at once, as they did on screen while it was queued; the feed then brings them as
 * the server has them.
 */
export function dropList(userId: string, id: string, tasks: "move" | "delete"): void {
  const replica = queryClient.getQueryData<Replica>(replicaKey(userId));
  const inbox = Object.values(replica?.lists ?? {}).find((list) => list.inbox)?.id;
  const held = Object.values(replica?.tasks ?? {}).filter((task) => task.list === id);
  if (tasks === "delete") {
    removeTasks(
      userId,
      held.map((task) => task.id),
    );
  } else if (inbox) {
    changeTasks(userId, new Set(held.map((task) => task.id)), (task) => ({ ...task, list: inbox }));
  }
  queryClient.setQueryData<Replica>(replicaKey(userId), (replica) => {
    if (!replica?.lists) return replica;
    const { [id]: _gone, ...lists } = replica.lists;
    return { ...replica, lists };
  });
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
