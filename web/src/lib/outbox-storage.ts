import { del, get } from "idb-keyval";
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
 * Each tab's queue is also journaled in localStorage, written at once on every change: IndexedDB's
 * write may not land before the page goes — a change made, then at once a reload or a closed tab,
 * loses it (seen in Chromium). Written before IndexedDB's, a tab's journal is never older than its
 * IndexedDB queue, so where both exist the journal is read, even empty. A journal that cannot be written (no
 * localStorage, full) is removed, leaving IndexedDB's queue to be read.
 */
const journalPrefix = (userId: string) => `${outboxStorageKey(userId)}:tab:`;
/** Before this journal only restores were journaled (decision 034): read as a closed tab's queue. */
const legacyRestoresKey = (userId: string) => `${outboxStorageKey(userId)}:restores`;

export function journalQueue(userId: string, tabId: string, changes: readonly Change[]): void {
  const key = journalPrefix(userId) + tabId;
  try {
    // An emptied queue stays journaled as empty (IndexedDB may still hold what was sent since), until the
    // next page takes the closed tab's journal over; a tab that never queued anything writes nothing.
    if (changes.length > 0 || localStorage.getItem(key) !== null) localStorage.setItem(key, JSON.stringify(changes));
  } catch {
    try {
      localStorage.removeItem(key);
    } catch {
      // No localStorage at all: IndexedDB alone keeps the queue.
    }
  }
}

/** The journaled queues of this person's tabs, by tab id. */
export function journaledQueues(userId: string): StoredQueues {
  const queues: StoredQueues = {};
  try {
    const prefix = journalPrefix(userId);
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(prefix)) queues[key.slice(prefix.length)] = parseChanges(localStorage.getItem(key));
    }
    const restores = parseChanges(localStorage.getItem(legacyRestoresKey(userId)));
    if (restores.length > 0) queues[legacyRestoresKey(userId)] = restores;
  } catch {
    // No localStorage: nothing was journaled.
  }
  return readQueues(queues);
}

function parseChanges(text: string | null): Change[] {
  try {
    const stored: unknown = JSON.parse(text ?? "[]");
    return Array.isArray(stored) ? stored.filter((change) => typeof change?.opId === "string") : [];
  } catch {
    return [];
  }
}

/** Removes the journals of these tabs (taken over, or the person signed out: every tab's). */
export function dropJournals(userId: string, tabs?: readonly string[]): void {
  try {
    for (const tab of tabs ?? Object.keys(journaledQueues(userId))) {
      localStorage.removeItem(tab === legacyRestoresKey(userId) ? tab : journalPrefix(userId) + tab);
    }
  } catch {
    // No localStorage: nothing was journaled.
  }
}

/** Each tab's queue: its journal where there is one (never older), what IndexedDB stored otherwise. */
export function queuesOf(stored: unknown, journals: StoredQueues): StoredQueues {
  return { ...readQueues(stored), ...journals };
}

/** Sign-out on this device: every tab's queue goes, stored and journaled. */
export async function forgetStoredQueues(userId: string): Promise<void> {
  dropJournals(userId);
  await del(outboxStorageKey(userId)).catch(() => {});
}

/** Every change of this person waiting in this browser, in any tab's queue. */
export async function storedChanges(userId: string): Promise<Change[]> {
  const stored = await get<unknown>(outboxStorageKey(userId)).catch(() => undefined);
  return Object.values(queuesOf(stored, journaledQueues(userId))).flat();
}
