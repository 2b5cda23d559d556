import { get } from "idb-keyval";
import { config } from "./config.ts";
import type { Change } from "./outbox.ts";

/**
 * How the queue of unsent changes is stored (lib/outbox.ts): one IndexedDB key per person,
 * holding each tab's queue under the tab's id. Apart from the queue itself, so pages without
 * the task list (sign-out on /account) can count what waits without loading it.
 */
export type StoredQueues = Record<string, Change[]>;

export const outboxStorageKey = (userId: string) => `${config.outboxStorageKeyPrefix}${userId}`;

/** The stored queues by tab; a queue stored by an older version (one list) counts as a closed tab's. */
export function readQueues(stored: unknown): StoredQueues {
  if (Array.isArray(stored)) return { "": stored as Change[] };
  if (typeof stored !== "object" || stored === null) return {};
  const queues: StoredQueues = {};
  for (const [tab, changes] of Object.entries(stored)) if (Array.isArray(changes)) queues[tab] = changes as Change[];
  return queues;
}

/** Every change of this person waiting in this browser, in any tab's queue. */
export async function storedChanges(userId: string): Promise<Change[]> {
  const stored = await get<unknown>(outboxStorageKey(userId)).catch(() => undefined);
  return Object.values(readQueues(stored)).flat();
}
