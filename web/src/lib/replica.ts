import { createAsyncStoragePersister } from "@tanstack/query-async-storage-persister";
import { QueryClient } from "@tanstack/react-query";
import { del, get, set } from "idb-keyval";
import { type Changes, type List, readChanges, type Task } from "./api-client.ts";
import { config } from "./config.ts";
import { mergeLists } from "./lists.ts";
import { ApiError } from "./problems.ts";

/**
 * The local replica of all of a person's tasks: a TanStack Query query whose data is every task
 * by id and the change feed's cursor after them, persisted to IndexedDB (idb-keyval) by
 * TanStack's persister. A visit shows the persisted replica at once; the query function then
 * catches up through the change feed from the stored cursor — never a full reload of the list,
 * unless the server says the cursor is too old (410). Decision 014.
 */

export interface Replica {
  tasks: Record<string, Task>;
  /** The feed's cursor after these tasks; null before the first sync. */
  cursor: string | null;
  /** The person's lists by id, from the same feed (lib/lists.ts); absent in a replica stored before lists. */
  lists?: Record<string, List>;
}

export const replicaKey = (userId: string) => ["replica", userId] as const;

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Never collected: the replica is the page's data (the persister drops it after `replicaMaxAgeMs`).
      // A finite gcTime above 2^31 ms would overflow setTimeout and collect a restored replica at once.
      gcTime: Number.POSITIVE_INFINITY,
      // The feed is cheap and the live channel says when to read it; on mount, focus and reconnect too.
      staleTime: 0,
      retry: (failures, error) =>
        !(error instanceof ApiError && error.status > 0 && error.status < 500) && failures < 3,
    },
  },
});

export const replicaPersister = createAsyncStoragePersister({
  storage: { getItem: (key) => get<string>(key), setItem: (key, value: string) => set(key, value), removeItem: del },
  key: config.replicaStorageKey,
  throttleTime: 300,
});

/**
 * Options for TanStack's persister. A replica is stored whenever it holds data: TanStack's default
 * stores only queries whose last fetch succeeded, so one failed sync (the network gone, a 503)
 * would store an empty client — and the next page, opened offline, would have nothing to show.
 */
export const replicaPersistOptions = {
  persister: replicaPersister,
  maxAge: config.replicaMaxAgeMs,
  // "2": the due model replaced `dueAt` (migration 0009 did not touch versions, so the feed does not
  // re-send those tasks): a replica of the old shape is dropped and synced from scratch.
  // "3": tasks have a `list` and the replica holds the lists (decision 025): a replica without them syncs afresh.
  // "4": tasks have a `position` (decision 030): a replica without it syncs afresh.
  buster: "4",
  dehydrateOptions: { shouldDehydrateQuery: (query: { state: { data: unknown } }) => query.state.data !== undefined },
};

/**
 * Ids this page deleted, with the version they had: a feed page read before the delete landed
 * must not bring them back. A task created again under the same id (undo) is forgotten here.
 */
const deletedHere = new Map<string, number>();

export function noteDeleted(id: string, version: number): void {
  deletedHere.set(id, version);
}

export function forgetDeleted(id: string): void {
  deletedHere.delete(id);
}

/** Reads the feed from the replica's cursor to the end and merges it into the replica as it is now. */
export async function syncReplica(userId: string, signal?: AbortSignal): Promise<Replica> {
  const key = replicaKey(userId);
  const start = queryClient.getQueryData<Replica>(key);
  let cursor = start?.cursor ?? null;
  let fromScratch = cursor === null;
  const changed = new Map<string, Task>();
  const deleted = new Set<string>();
  const listPages: Pick<Changes, "lists" | "deletedLists">[] = [];
  for (;;) {
    let page: Awaited<ReturnType<typeof readChanges>>;
    try {
      page = await readChanges(userId, cursor, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status === 410 && cursor !== null) {
        // Deletions since the cursor are no longer kept: start again from everything.
        cursor = null;
        fromScratch = true;
        changed.clear();
        deleted.clear();
        listPages.length = 0;
        continue;
      }
      throw error;
    }
    for (const task of page.changes) {
      changed.set(task.id, task);
      deleted.delete(task.id);
    }
    for (const id of page.deleted) {
      deleted.add(id);
      changed.delete(id);
    }
    listPages.push(page);
    cursor = page.cursor;
    if (!page.more) break;
  }
  // Merged into what the cache holds now: a write answered while the feed was read is newer.
  const now = queryClient.getQueryData<Replica>(key);
  const tasks: Record<string, Task> = fromScratch ? {} : { ...now?.tasks };
  for (const task of changed.values()) {
    const held = now?.tasks[task.id];
    const gone = deletedHere.get(task.id);
    if (gone !== undefined && task.version <= gone) continue;
    tasks[task.id] = held && held.version > task.version ? held : task;
  }
  if (fromScratch) {
    // Answers to writes that came in while the feed was read from scratch are newer than it.
    for (const task of Object.values(now?.tasks ?? {})) {
      const before = start?.tasks[task.id];
      const read = tasks[task.id];
      if ((!before || before.version < task.version) && (!read || read.version < task.version)) tasks[task.id] = task;
    }
  }
  for (const id of deleted) delete tasks[id];
  return { tasks, cursor, lists: mergeLists(fromScratch ? {} : (now?.lists ?? {}), listPages) };
}

/** Puts the server's answer to a write into the replica (a newer version never goes back). */
export function upsertTask(userId: string, task: Task): void {
  forgetDeleted(task.id);
  queryClient.setQueryData<Replica>(replicaKey(userId), (replica) => {
    const held = replica?.tasks[task.id];
    if (held && held.version > task.version) return replica;
    return { ...replica, cursor: replica?.cursor ?? null, tasks: { ...replica?.tasks, [task.id]: task } };
  });
}

export function removeTasks(userId: string, ids: readonly string[]): void {
  queryClient.setQueryData<Replica>(replicaKey(userId), (replica) => {
    if (!replica) return replica;
    const tasks = { ...replica.tasks };
    for (const id of ids) {
      const held = tasks[id];
      if (held) noteDeleted(id, held.version);
      delete tasks[id];
    }
    return { ...replica, tasks };
  });
}

/** Changes some tasks in the replica before the server's answer (a bulk change); the feed brings the truth. */
export function changeTasks(userId: string, ids: ReadonlySet<string>, change: (task: Task) => Task): void {
  queryClient.setQueryData<Replica>(replicaKey(userId), (replica) => {
    if (!replica) return replica;
    const tasks = { ...replica.tasks };
    for (const id of ids) {
      const held = tasks[id];
      if (held) tasks[id] = change(held);
    }
    return { ...replica, tasks };
  });
}

/** Reads the feed now (after a live `changed`, a bulk change, a reconnect). */
export function refreshReplica(userId: string): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: replicaKey(userId) });
}

/** Sign-out on this device: nothing of the person's tasks stays in this browser. */
export async function forgetReplicas(): Promise<void> {
  queryClient.clear();
  await replicaPersister.removeClient();
}
