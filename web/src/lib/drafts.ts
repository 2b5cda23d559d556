import { config } from "./config.ts";
import type { DetailsDraft, TypedTask } from "./task-view.ts";

/**
 * What a person typed and has not sent — the new-task form and the task being edited —
 * kept in `sessionStorage` under their user id, so an ended session does not throw it
 * away: the page goes to sign in and back, and the list puts the text back. Never the
 * token. A draft is forgotten once it is saved, or emptied or cancelled on purpose; signing
 * out forgets them all.
 */
export interface Drafts {
  newTask?: TypedTask;
  edit?: TypedTask & { taskId: string };
}

const storageKey = (userId: string) => `${config.draftsStorageKeyPrefix}${userId}`;

export function readDrafts(userId: string): Drafts {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(storageKey(userId)) ?? "{}");
    if (typeof value !== "object" || value === null) return {};
    const { newTask, edit } = value as Record<string, unknown>;
    const drafts: Drafts = {};
    if (isTyped(newTask)) drafts.newTask = newTask;
    if (isTyped(edit) && typeof (edit as { taskId?: unknown }).taskId === "string") {
      drafts.edit = edit as TypedTask & { taskId: string };
    }
    return drafts;
  } catch {
    return {};
  }
}

/** Keeps (or, with null, forgets) one draft. */
export function saveDraft<K extends keyof Drafts>(userId: string, which: K, draft: Drafts[K] | null): void {
  try {
    const drafts = readDrafts(userId);
    if (draft) drafts[which] = draft;
    else delete drafts[which];
    if (Object.keys(drafts).length > 0) sessionStorage.setItem(storageKey(userId), JSON.stringify(drafts));
    else sessionStorage.removeItem(storageKey(userId));
  } catch {
    // Storage can be off or full; the draft is a safety net, not a promise.
  }
}

/** Forgets a draft only if it is still the one given (the person may have typed another since). */
export function forgetDraftIf<K extends keyof Drafts>(userId: string, which: K, draft: Drafts[K]): void {
  if (JSON.stringify(readDrafts(userId)[which]) === JSON.stringify(draft)) saveDraft(userId, which, null);
}

/** Signing out forgets every draft kept in this tab. */
export function forgetAllDrafts(): void {
  try {
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(config.draftsStorageKeyPrefix)) sessionStorage.removeItem(key);
    }
  } catch {
    // See saveDraft.
  }
}

function isTyped(value: unknown): value is TypedTask {
  if (typeof value !== "object" || value === null) return false;
  const { title, details } = value as { title?: unknown; details?: Partial<Record<keyof DetailsDraft, unknown>> };
  return (
    typeof title === "string" &&
    typeof details === "object" &&
    details !== null &&
    ["description", "priority", "due", "tags"].every(
      (field) => typeof details[field as keyof DetailsDraft] === "string",
    ) &&
    // Drafts kept before the due time existed have none: read as no time.
    (details.dueTime === undefined || typeof details.dueTime === "string")
  );
}
