import { get } from "idb-keyval";
import type { Due } from "../../../worker/src/tasks/due.ts";
import type { TaskPatch } from "./api-client.ts";
import { config } from "./config.ts";
import type { Change } from "./outbox.ts";
import { browserZone } from "./time-zone.ts";

/**
 * How the queue of unsent changes is stored (lib/outbox.ts): one IndexedDB key per person,
 * holding each tab's queue under the tab's id. Apart from the queue itself, so pages without
 * the task list (sign-out on /account) can count what waits without loading it.
 */
export type StoredQueues = Record<string, Change[]>;

export const outboxStorageKey = (userId: string) => `${config.outboxStorageKeyPrefix}${userId}`;

/** The stored queues by tab; a queue stored by an older version (one list) counts as a closed tab's. */
export function readQueues(stored: unknown): StoredQueues {
  if (Array.isArray(stored)) return { "": stored.map(withDue) };
  if (typeof stored !== "object" || stored === null) return {};
  const queues: StoredQueues = {};
  for (const [tab, changes] of Object.entries(stored)) if (Array.isArray(changes)) queues[tab] = changes.map(withDue);
  return queues;
}

/**
 * A change queued before the due model (offline across that deploy) carries `dueAt`, an instant,
 * which the API no longer reads: it is read as migration 0009 reads stored values
 * (docs/decisions/020-dates-that-never-shift.md) — the old editor's end of a day here is that
 * calendar day, any other instant that wall-clock time here — so the change is sent, not lost.
 */
function withDue(change: Change): Change {
  if (change.kind === "create" && "dueAt" in change.task) {
    const { dueAt, ...task } = change.task as typeof change.task & { dueAt: unknown };
    return { ...change, task: { ...task, due: dueFromInstant(dueAt) } };
  }
  if (change.kind === "patch") {
    return { ...change, patch: patchWithDue(change.patch), before: patchWithDue(change.before) };
  }
  return change;
}

function patchWithDue(patch: TaskPatch): TaskPatch {
  if (!("dueAt" in patch)) return patch;
  const { dueAt, ...rest } = patch as TaskPatch & { dueAt: unknown };
  return { ...rest, due: dueFromInstant(dueAt) };
}

function dueFromInstant(value: unknown): Due | null {
  const at = typeof value === "string" ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) return null;
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  if (at.getHours() === 23 && at.getMinutes() === 59 && at.getSeconds() === 59) {
    return { date, time: null, timeZone: null };
  }
  return { date, time: `${pad(at.getHours())}:${pad(at.getMinutes())}`, timeZone: browserZone() };
}

/**
 * Restores (Undo of a deletion already sent) not yet confirmed, also kept in localStorage: it is
 * written at once, while IndexedDB's write may not land before the page goes — an Undo followed at
 * once by a reload or a closed tab would lose the restore, and the task with it (decision 034).
 */
const restoresKey = (userId: string) => `${outboxStorageKey(userId)}:restores`;

export function journaledRestores(userId: string): Change[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(restoresKey(userId)) ?? "[]");
    return Array.isArray(stored) ? stored.filter((change: Change) => change?.kind === "restore") : [];
  } catch {
    return [];
  }
}

export function journalRestores(userId: string, changes: readonly Change[]): void {
  try {
    if (changes.length === 0) localStorage.removeItem(restoresKey(userId));
    else localStorage.setItem(restoresKey(userId), JSON.stringify(changes));
  } catch {
    // No localStorage (private mode, full): IndexedDB still keeps the queue.
  }
}

/** Every change of this person waiting in this browser, in any tab's queue. */
export async function storedChanges(userId: string): Promise<Change[]> {
  const stored = await get<unknown>(outboxStorageKey(userId)).catch(() => undefined);
  return Object.values(readQueues(stored)).flat();
}
