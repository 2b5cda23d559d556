import { onlineManager } from "@tanstack/react-query";
import { update } from "idb-keyval";
import { newTaskPosition } from "../../../worker/src/tasks/position.ts";
import { announcePendingChanges } from "../pwa/connection-status.ts";
import {
  createTask,
  deleteTask,
  getTask,
  type List,
  type NewTask,
  patchTask,
  restoreTasks,
  setCompleted,
  type Task,
  type TaskPatch,
} from "./api-client.ts";
import { config } from "./config.ts";
import {
  deleteList,
  dropList,
  getList,
  type ListPatch,
  type NewList,
  patchList,
  postList,
  putList,
} from "./list-actions.ts";
import {
  dropJournals,
  forgetStoredQueues,
  journaledQueues,
  journalQueue,
  outboxStorageKey,
  queuesOf,
  readQueues,
} from "./outbox-storage.ts";
import { ApiError, SessionEndedError } from "./problems.ts";
import { completeOccurrence, type Occurrence, occurrenceSettled } from "./recurring.ts";
import { noteDeleted, removeTasks, upsertTask } from "./replica.ts";

/**
 * The changes a person made that the server has not confirmed yet, in the order they were
 * made, persisted to IndexedDB so they survive a reload, a crash or a day offline. What the
 * list shows is the replica with these changes applied on top (`applyChanges`), so a change
 * shows at once and a refusal "rolls back" by leaving the queue. The queue is replayed in
 * order whenever the server can be reached: creates under their client id (a replay is
 * harmless), the rest with `If-Match` of the version they were made on; a 412 is merged per
 * field, or put to the person when both sides changed the same field. Decision 014.
 *
 * List writes go through the same queue (docs/web.md "Lists"), so a task queued into a list
 * made offline is sent after the list. A task's deletion is sent at once with an undo token the
 * client chose: Undo withdraws it while it is unsent, and otherwise queues a `restore` under that
 * token, which the ordered queue sends after the deletion (decision 034). A list's deletion is held
 * back (`held`) while its Undo is offered: Undo withdraws it, and nothing was sent.
 */

interface Base {
  opId: string;
  taskId: string;
  /** When the change was made (ISO): a new task's creation time until the server's comes. */
  at: string;
}
interface ListBase {
  opId: string;
  listId: string;
  taskId?: undefined;
  at: string;
}
export type ListChange = ListBase &
  (
    | { kind: "list-create"; list: NewList }
    /** `before`: the fields as they were when edited, to tell which side changed what on a 412. */
    | { kind: "list-patch"; patch: ListPatch; before: ListPatch; version?: number | undefined }
    | {
        kind: "list-delete";
        tasks: "move" | "delete";
        version?: number | undefined;
        /** The Inbox, where its tasks show while the deletion is queued ("move"). */
        inbox?: string | undefined;
        /** Not sent while its Undo is offered; one stored held by a page now gone is dropped by the next (`adopt`). */
        held?: boolean | undefined;
      }
  );
export type TaskChange = Base &
  (
    | { kind: "create"; task: NewTask }
    /** `before`: the fields as they were when edited, to tell which side changed what. */
    | {
        kind: "patch";
        patch: TaskPatch;
        before: TaskPatch;
        version?: number | undefined;
        conflict?: Conflict | undefined;
      }
    | {
        kind: "complete";
        completed: boolean;
        version?: number | undefined;
        /** A recurring task's occurrence (lib/recurring.ts): the due completed (or, undoing, restored) and the next. */
        occurrence?: Occurrence | undefined;
      }
    | {
        kind: "delete";
        version?: number | undefined;
        conflict?: Conflict | undefined;
        /**
         * The undo token sent with it (`?undo=`): the server keeps the task under it for an hour, so a
         * `restore` brings it back exactly. Absent in queues stored before decision 034. (Pages before
         * it also stored task deletions `held`: the next page drops those, as held list deletions.)
         */
        undo?: string | undefined;
      }
    | {
        /** Undo of a deletion already sent: `POST …/tasks/restore` with its token. */
        kind: "restore";
        undo: string;
        /** The task as it was deleted: shown until the server's restored row comes. */
        task: Task;
        /** The version it was deleted at: changes made on the shown task are rebased on the restored one. */
        version?: number | undefined;
      }
  );
export type Change = TaskChange | ListChange;

export function isListChange(change: Change): change is ListChange {
  return change.kind.startsWith("list-");
}

/** What a change is about: one task or one list (ids of both are UUIDs, but kept apart anyway). */
const subject = (change: Change) => (isListChange(change) ? `list:${change.listId}` : `task:${change.taskId}`);

/** The server's task and the fields both sides changed, waiting for the person's choice. */
export interface Conflict {
  server: Task;
  fields: (keyof TaskPatch)[];
}

export type Choice = "mine" | "theirs";

/** What became of a change: the server has it, it was refused (and left the list), or the session ended. */
export type Outcome = "saved" | "refused" | "session-ended";

export interface Refusal {
  change: Change;
  error: unknown;
  /**
   * A list change another device overruled: both sides changed the same field, and the server's
   * value (this list) stands — the person is told (docs/web.md "Lists").
   */
  overruled?: { list: List; fields: (keyof ListPatch)[] } | undefined;
}

type Listener = () => void;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The list as it stands here: the replica with the queued changes applied in order. */
export function applyChanges(tasks: Record<string, Task>, changes: readonly Change[]): Task[] {
  const result = new Map(Object.entries(tasks));
  for (const change of changes) {
    if (isListChange(change)) {
      if (change.kind !== "list-delete") continue;
      // The list's tasks go with it, or show in the Inbox, at once (Undo brings them back).
      for (const [id, task] of result) {
        if (task.list !== change.listId) continue;
        if (change.tasks === "delete") result.delete(id);
        else result.set(id, { ...task, list: change.inbox ?? "" });
      }
      continue;
    }
    const task = result.get(change.taskId);
    switch (change.kind) {
      case "create":
        result.set(change.taskId, {
          userId: "",
          // Not yet known here when the person chose none: the server puts it in the Inbox (lib/lists.ts).
          list: "",
          // Where the server puts a new task: at the top of manual order (worker/src/tasks/position.ts).
          position: newTaskPosition(Date.parse(change.at)),
          completedAt: null,
          createdAt: change.at,
          updatedAt: change.at,
          version: 0,
          reminders: [],
          completions: [],
          ...change.task,
          recurrence: change.task.recurrence ?? null,
          completed: change.task.completed ?? false,
        });
        break;
      case "patch":
        if (task) result.set(task.id, { ...task, ...change.patch });
        break;
      case "complete":
        if (task && change.occurrence) result.set(task.id, completeOccurrence(task, change));
        else if (task)
          result.set(task.id, {
            ...task,
            completed: change.completed,
            completedAt: change.completed ? change.at : null,
          });
        break;
      case "delete":
        result.delete(change.taskId);
        break;
      case "restore":
        // Back at once; the server's restored row, when the replica has it, is newer.
        if (!task) result.set(change.taskId, change.task);
        break;
    }
  }
  return [...result.values()];
}

/** The lists as they stand here: the replica's with the queued list changes applied in order. */
export function applyListChanges(
  lists: Record<string, List> | undefined,
  changes: readonly Change[],
): Record<string, List> | undefined {
  if (!lists || !changes.some(isListChange)) return lists;
  const result = { ...lists };
  for (const change of changes) {
    if (!isListChange(change)) continue;
    const list = result[change.listId];
    if (change.kind === "list-create") {
      result[change.listId] = {
        inbox: false,
        createdAt: change.at,
        updatedAt: change.at,
        version: 0,
        ...list,
        ...change.list,
      };
    } else if (change.kind === "list-patch") {
      if (list) result[change.listId] = { ...list, ...change.patch };
    } else delete result[change.listId];
  }
  return result;
}

export class Outbox {
  private changes: Change[] = [];
  private listeners = new Set<Listener>();
  private waiting = new Map<string, (outcome: Outcome) => void>();
  private running = false;
  private current: Promise<void> | null = null;
  private persisted: Promise<unknown> = Promise.resolve();
  /** Nothing more is sent (the session ended or changed); what is queued is still kept. */
  private halted = false;
  /** This tab is done with the queue (signed out, page left): nothing more is sent or stored. */
  private stopped = false;
  /** This tab's id: its queue is stored under it, beside other tabs' queues (docs/web.md). */
  private readonly tabId = newId();
  /** Lets go of this tab's lock, so another tab may take over what it leaves queued. */
  private readonly released = new AbortController();
  private readonly watched = new Set<string>();
  private readonly channel: BroadcastChannel | null;
  private readonly unsubscribeOnline: () => void;
  readonly loaded: Promise<void>;

  constructor(
    readonly userId: string,
    private readonly onRefused: (refusal: Refusal) => void,
  ) {
    this.channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(this.storageKey) : null;
    this.loaded = this.claim()
      .then(() => this.adopt())
      .catch(() => {})
      .finally(() => {
        this.emit();
        if (this.stopped) return;
        void this.drain();
        // Another tab of this person opened: when it closes, what it leaves queued is taken over here.
        this.channel?.addEventListener("message", () => void this.watchOthers());
        this.channel?.postMessage("opened");
        void this.watchOthers();
      });
    this.unsubscribeOnline = onlineManager.subscribe((online) => {
      if (online) void this.drain();
    });
    // A deletion held for its Undo is meant once the person leaves the page: it is sent (or, stored, by the next page).
    if (typeof window !== "undefined") {
      this.onHidden = () => {
        if (document.visibilityState === "hidden") this.releaseAll();
      };
      window.addEventListener("pagehide", this.releaseAll);
      document.addEventListener("visibilitychange", this.onHidden);
    }
  }

  private onHidden: (() => void) | null = null;

  private get storageKey() {
    return outboxStorageKey(this.userId);
  }

  private lockName(tabId: string) {
    return `${this.storageKey}#${tabId}`;
  }

  /**
   * Holds this tab's lock (Web Locks API) for as long as the tab uses the queue: a queue stored
   * under a tab whose lock nobody holds was left by a closed tab, and is taken over by the next
   * tab that looks. Without the API (old browsers) every other queue counts as left behind.
   */
  private claim(): Promise<void> {
    const locks = lockManager();
    if (!locks) return Promise.resolve();
    return new Promise<void>((granted) => {
      locks
        .request(this.lockName(this.tabId), { signal: this.released.signal }, () => {
          granted();
          return new Promise<void>((release) => this.released.signal.addEventListener("abort", () => release()));
        })
        .catch(() => granted());
    });
  }

  /**
   * Takes over the queues of closed tabs in one IndexedDB transaction (so two tabs never both
   * take one), ahead of this tab's own changes: they were made first.
   */
  private adopt(closed?: string): Promise<void> {
    const write = this.persisted.then(async () => {
      if (this.stopped) return;
      const live = await heldTabs(this.storageKey);
      let taken: Change[] = [];
      let journaled: string[] = [];
      await update<unknown>(this.storageKey, (stored) => {
        taken = [];
        journaled = [];
        // Stopped while waiting for the transaction: this tab takes nothing over any more.
        if (this.stopped) return stored;
        const queues = readQueues(stored);
        // A tab's journal, where there is one, is never older than what IndexedDB stored for it (outbox-storage.ts).
        const journals = journaledQueues(this.userId);
        const takenTabs: string[] = [];
        for (const [tab, changes] of Object.entries(queuesOf(stored, journals))) {
          // A tab whose lock is held is open (the closed one's lock is held by this tab, in `watchOthers`).
          if (tab === this.tabId || (live?.has(tab) && tab !== closed)) continue;
          // A deletion still held for its Undo when its page went (a list's; a task's only from a page before
          // decision 034, which held those too) is not sent: leaving the page releases the
          // hold (pagehide), so one stored held is a release — or an Undo's withdrawal — that the page had no
          // time to store. Keeping the task or list (visible, deletable again) loses nothing; sending could
          // delete what the person had just taken back (seen: Undo, then an immediate reload).
          taken.push(...changes.filter((change) => !("held" in change && change.held)));
          delete queues[tab];
          takenTabs.push(tab);
        }
        // Each change once: a journal written before this one (of restores only) may repeat a tab's change.
        const known = new Set(
          Object.values(queues)
            .flat()
            .map((change) => change.opId),
        );
        taken = taken.filter((change) => !known.has(change.opId) && known.add(change.opId));
        journaled = takenTabs.filter((tab) => tab in journals);
        const own = withAdopted(this.changes, taken, this.running);
        if (own.length > 0) queues[this.tabId] = own;
        return Object.keys(queues).length > 0 ? queues : undefined;
      });
      // Only once IndexedDB holds what was taken (a failed transaction leaves the journals for the next page).
      dropJournals(this.userId, journaled);
      if (taken.length === 0) return;
      this.changes = withAdopted(this.changes, taken, this.running);
      this.emit();
      void this.drain();
    });
    this.persisted = write.catch(() => {});
    return write;
  }

  /** Waits on every other tab's lock: once that tab is gone, its queue is taken over here. */
  private async watchOthers(): Promise<void> {
    const locks = lockManager();
    if (!locks || this.stopped) return;
    const live = await heldTabs(this.storageKey);
    for (const tab of live ?? []) {
      if (tab === this.tabId || this.watched.has(tab)) continue;
      this.watched.add(tab);
      locks
        .request(this.lockName(tab), { signal: this.released.signal }, () => this.adopt(tab))
        .catch(() => {})
        .finally(() => this.watched.delete(tab));
    }
    // A tab that let go of its lock between this page's first look and this one is not watched: its queue
    // is taken now (a tab not holding its lock now never will again).
    this.adopt().catch(() => {});
  }

  /* ------------------------------------------------------------ reading */

  list = (): readonly Change[] => this.changes;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The first change waiting for the person to choose between two values. */
  conflict(): TaskChange | undefined {
    return this.changes.find((change): change is TaskChange => "conflict" in change && !!change.conflict);
  }

  /* ------------------------------------------------------------ writing */

  /** Queues a change (shown at once); `outcome` resolves when the server has it, or it was refused. */
  add(change: DistributiveOmit<Change, "opId" | "at">): { opId: string; outcome: Promise<Outcome> } {
    const full = { ...change, opId: newId(), at: new Date().toISOString() } as Change;
    const outcome = new Promise<Outcome>((resolve) => this.waiting.set(full.opId, resolve));
    this.changes = [...this.changes, full];
    this.commit();
    return { opId: full.opId, outcome };
  }

  /** Takes back a change that has not been sent yet (undo of a delete still queued); false if it was sent. */
  withdraw(opId: string): boolean {
    const index = this.changes.findIndex((change) => change.opId === opId);
    if (index < 0 || (index === 0 && this.running)) return false;
    this.finish(this.changes[index] as Change, "refused");
    return true;
  }

  /** A held change (a list deletion while its Undo was offered) may be sent now. */
  release(opId: string): void {
    const change = this.changes.find((c) => c.opId === opId);
    if (change && "held" in change && change.held) this.replace(change, { ...change, held: false });
  }

  /** Every held change may be sent now (the page is left, the queue must be settled). */
  releaseAll = (): void => {
    for (const change of this.changes) if ("held" in change && change.held) this.release(change.opId);
  };

  /** The person chose, field by field, between their value and the other device's. */
  resolve(opId: string, choices: Partial<Record<keyof TaskPatch, Choice>>, keepDeleted = true): void {
    const change = this.changes.find((c) => c.opId === opId);
    if (!change || !("conflict" in change) || !change.conflict) return;
    if (isListChange(change)) return;
    const { server } = change.conflict;
    if (change.kind === "delete") {
      if (keepDeleted) this.replace(change, { ...change, version: server.version, conflict: undefined });
      else {
        upsertTask(this.userId, server);
        this.finish(change, "saved");
      }
    } else if (change.kind === "patch") {
      const patch: TaskPatch = {};
      for (const [field, value] of Object.entries(change.patch) as [keyof TaskPatch, unknown][]) {
        if (change.conflict.fields.includes(field) && choices[field] === "theirs") continue;
        Object.assign(patch, { [field]: value });
      }
      upsertTask(this.userId, server);
      if (Object.keys(patch).length === 0) this.finish(change, "saved");
      else
        this.replace(change, {
          ...change,
          patch,
          before: pick(server, patch),
          version: server.version,
          conflict: undefined,
        });
    }
    void this.drain();
  }

  /** Resolves once nothing is queued, or false when what is queued cannot be sent now (offline, a conflict). */
  async settled(): Promise<boolean> {
    // Settling means sending: a deletion held for its Undo goes too.
    this.releaseAll();
    // A run in progress is waited for; one more covers a change queued just as it ended.
    for (let round = 0; round < 2 && this.changes.length > 0; round++) await this.drain();
    return this.changes.length === 0;
  }

  /** Resolves once what is queued now is stored. */
  async persistedNow(): Promise<void> {
    await this.persisted;
  }

  /** This tab is done with the queue (the page is left): nothing more is sent or stored here, and
   * what is still queued is left, stored, to the next tab of this person (or the next visit). */
  stop(): Promise<void> {
    if (this.stopped) return this.letGo;
    this.stopped = true;
    this.unsubscribeOnline();
    this.channel?.close();
    if (typeof window !== "undefined") {
      window.removeEventListener("pagehide", this.releaseAll);
      if (this.onHidden) document.removeEventListener("visibilitychange", this.onHidden);
    }
    // Released once what was queued is stored: another tab then takes it over. Resolves once the lock is let go
    // (a macrotask after, for the lock manager's own bookkeeping), so a test can end only after it.
    this.letGo = this.persisted
      .then(() => this.released.abort())
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
    return this.letGo;
  }

  private letGo: Promise<void> = Promise.resolve();

  /** Sends the queue in order; resolves when it is empty or cannot go on for now (the run in progress, if one). */
  drain(): Promise<void> {
    if (this.stopped || this.halted) return Promise.resolve();
    this.current ??= this.run().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      let attempt = 0;
      for (;;) {
        if (this.stopped || this.halted) return; // signed out, the session ended or changed, the page left
        const change = this.changes[0];
        if (!change || ("conflict" in change && change.conflict)) return;
        if ("held" in change && change.held) return; // resumed when released

        if (!onlineManager.isOnline()) return; // resumed by the online event
        try {
          await this.send(change);
          attempt = 0;
        } catch (error) {
          if (error instanceof SessionEndedError) {
            // The page is on its way to sign-in: nothing more is sent; the queue stays stored for later.
            this.halted = true;
            return;
          }
          if (transient(error)) {
            if (attempt >= config.outboxRetryDelaysMs.length) {
              // Tried again on the next change, when the network comes back, or after a while.
              setTimeout(() => void this.drain(), config.outboxRetryDelaysMs.at(-1));
              return;
            }
            await sleep(retryDelay(error, attempt++));
            continue;
          }
          this.refuse(change, error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /* ------------------------------------------------------------ sending */

  private async send(change: Change): Promise<void> {
    if (isListChange(change)) return this.sendList(change);
    const { userId } = this;
    switch (change.kind) {
      case "create": {
        const task = await createTask(userId, change.task);
        return this.saved(change, task);
      }
      case "complete":
        try {
          return this.saved(change, await setCompleted(userId, change.taskId, change.completed, change.version));
        } catch (error) {
          if (!isStale(error)) throw error;
          const server = await getTask(userId, change.taskId);
          if (change.occurrence) {
            // A recurring task: this occurrence may be done already (an earlier try whose answer was
            // lost, or another device) — never complete the next one in its place.
            if (occurrenceSettled(server, change)) return this.saved(change, server);
            this.replace(change, { ...change, version: server.version });
            return;
          }
          // Completion is one field: the other side agrees, or it is set again on the newer version.
          if (server.completed === change.completed) return this.saved(change, server);
          this.replace(change, { ...change, version: server.version });
          return;
        }
      case "patch":
        try {
          return this.saved(change, await patchTask(userId, change.taskId, change.patch, change.version));
        } catch (error) {
          if (!isStale(error)) throw error;
          return this.merge(change, await getTask(userId, change.taskId));
        }
      case "delete":
        try {
          await deleteTask(userId, change.taskId, change.version, change.undo);
        } catch (error) {
          if (error instanceof ApiError && error.code === "task_not_found") {
            // Already gone is what was asked for.
          } else if (isStale(error)) {
            const server = await getTask(userId, change.taskId);
            this.replace(change, { ...change, conflict: { server, fields: [] } });
            return;
          } else throw error;
        }
        removeTasks(userId, [change.taskId]);
        noteDeleted(change.taskId, Number.MAX_SAFE_INTEGER);
        this.finish(change, "saved");
        return;
      case "restore": {
        const { tasks } = await restoreTasks(userId, change.undo);
        let task = tasks.find((one) => one.id === change.taskId);
        if (!task) {
          // Nothing under the token: an earlier try restored it (its answer was lost), the deletion was
          // never made (refused, or kept by the person on a conflict), or its hour is over. Ask the task itself.
          try {
            task = await getTask(userId, change.taskId);
          } catch (error) {
            if (!(error instanceof ApiError && error.code === "task_not_found")) throw error;
            this.refuse(change, error);
            return;
          }
        }
        return this.saved(change, task);
      }
    }
  }

  private async sendList(change: ListChange): Promise<void> {
    const { userId } = this;
    switch (change.kind) {
      case "list-create": {
        const list = await postList(userId, change.list);
        putList(userId, list);
        return this.saved(change, list.version);
      }
      case "list-patch":
        try {
          const list = await patchList(userId, change.listId, change.patch, change.version);
          putList(userId, list);
          return this.saved(change, list.version);
        } catch (error) {
          if (!isStale(error)) throw error;
          return this.mergeList(change, await getList(userId, change.listId));
        }
      case "list-delete":
        try {
          await deleteList(userId, change.listId, change.tasks, change.version);
        } catch (error) {
          if (error instanceof ApiError && error.code === "list_not_found") {
            // Already gone is what was asked for.
          } else if (isStale(error)) {
            // Renamed or recoloured elsewhere: the person still meant to delete it, on its version now.
            const server = await getList(userId, change.listId);
            this.replace(change, { ...change, version: server.version });
            return;
          } else throw error;
        }
        dropList(userId, change.listId, change.tasks);
        this.finish(change, "saved");
        return;
    }
  }

  /**
   * A 412 on a list: it changed elsewhere since this edit was made. Fields only this side changed
   * are sent again on the server's version; a field both sides changed keeps the server's value
   * and the person is told (a list has three short fields: no choice dialog, docs/web.md "Lists").
   */
  private mergeList(change: Extract<ListChange, { kind: "list-patch" }>, server: List): void {
    const patch: ListPatch = {};
    const overruled: (keyof ListPatch)[] = [];
    for (const [field, mine] of Object.entries(change.patch) as [keyof ListPatch, string][]) {
      const theirs = server[field];
      if (theirs === mine) continue;
      if (theirs !== change.before[field]) overruled.push(field);
      else Object.assign(patch, { [field]: mine });
    }
    putList(this.userId, server);
    if (overruled.length > 0) this.onRefused({ change, error: null, overruled: { list: server, fields: overruled } });
    if (Object.keys(patch).length === 0) {
      this.finish(change, "saved");
      return;
    }
    const before: ListPatch = {};
    for (const field of Object.keys(patch) as (keyof ListPatch)[]) Object.assign(before, { [field]: server[field] });
    this.replace(change, { ...change, patch, before, version: server.version });
  }

  /**
   * A 412: the task changed elsewhere since this edit was made. Fields only one side changed
   * merge (the server's value of the rest stands); fields both changed to different values go
   * to the person.
   */
  private merge(change: Extract<Change, { kind: "patch" }>, server: Task): void {
    const patch: TaskPatch = {};
    const both: (keyof TaskPatch)[] = [];
    for (const [field, mine] of Object.entries(change.patch) as [keyof TaskPatch, unknown][]) {
      const theirs = server[field];
      if (same(theirs, mine)) continue; // both sides agree already
      Object.assign(patch, { [field]: mine });
      if (!same(theirs, change.before[field])) both.push(field);
    }
    upsertTask(this.userId, server);
    if (Object.keys(patch).length === 0) {
      this.finish(change, "saved");
      return;
    }
    const rebased = { ...change, patch, version: server.version, before: pick(server, patch) };
    this.replace(
      change,
      both.length > 0 ? { ...rebased, before: change.before, conflict: { server, fields: both } } : rebased,
    );
  }

  private saved(change: Change, answer: Task | number): void {
    if (typeof answer !== "number") upsertTask(this.userId, answer);
    const version = typeof answer === "number" ? answer : answer.version;
    // Later changes made on top of this one were made on the version it replaced.
    const base = "version" in change ? change.version : undefined;
    this.changes = this.changes.map((other) =>
      other !== change && subject(other) === subject(change) && "version" in other && other.version === base
        ? { ...other, version }
        : other,
    );
    this.finish(change, "saved");
  }

  private refuse(change: Change, error: unknown): void {
    this.finish(change, "refused");
    if (change.kind === "create" || change.kind === "list-create") {
      // Nothing made on top of a task or list the server refused can be sent.
      for (const other of this.changes.filter((c) => subject(c) === subject(change))) this.finish(other, "refused");
    }
    if (change.kind === "list-create") {
      // Tasks queued into the refused list are not lost: they go to the Inbox instead.
      this.changes = this.changes.map((other) => {
        if (other.kind !== "create" || other.task.list !== change.listId) return other;
        const { list: _refused, ...task } = other.task;
        return { ...other, task };
      });
      this.commit();
    }
    this.onRefused({ change, error });
  }

  private finish(change: Change, outcome: Outcome): void {
    this.changes = this.changes.filter((other) => other.opId !== change.opId);
    this.waiting.get(change.opId)?.(outcome);
    this.waiting.delete(change.opId);
    this.commit();
  }

  private replace(change: Change, next: Change): void {
    this.changes = this.changes.map((other) => (other.opId === change.opId ? next : other));
    this.commit();
  }

  private commit(): void {
    if (!this.stopped) {
      // At once, where the page cannot go before it lands (outbox-storage.ts), then to IndexedDB.
      journalQueue(this.userId, this.tabId, this.changes);
      // Each write stores the queue as it is when the write runs, beside other tabs' queues, in one
      // transaction; writes run in order, so the last one stored holds the latest queue.
      this.persisted = this.persisted
        .then(() =>
          update<unknown>(this.storageKey, (stored) => {
            const queues = readQueues(stored);
            if (this.changes.length > 0) queues[this.tabId] = this.changes;
            else delete queues[this.tabId];
            return Object.keys(queues).length > 0 ? queues : undefined;
          }),
        )
        .catch(() => {});
    }
    this.emit();
    void this.drain();
  }

  private emit(): void {
    // The status line of signed-in pages counts what waits ("Offline — 2 changes will sync").
    if (typeof window !== "undefined") announcePendingChanges(this.changes.length);
    for (const listener of this.listeners) listener();
  }

  /** Sign-out on this device: the queue goes too, every tab's. */
  async forget(): Promise<void> {
    this.changes = [];
    this.stop();
    await this.persisted;
    await forgetStoredQueues(this.userId);
  }
}

/** A closed tab's changes go before this tab's (made earlier), but never before the change being sent. */
function withAdopted(own: readonly Change[], taken: readonly Change[], sending: boolean): Change[] {
  const known = new Set(own.map((change) => change.opId));
  const fresh = taken.filter((change) => !known.has(change.opId));
  return sending && own.length > 0 ? [own[0] as Change, ...fresh, ...own.slice(1)] : [...fresh, ...own];
}

function lockManager(): LockManager | null {
  return typeof navigator !== "undefined" && navigator.locks ? navigator.locks : null;
}

/** The tabs of this person holding their lock now (open), or null when the browser cannot tell. */
async function heldTabs(storageKey: string): Promise<Set<string> | null> {
  const locks = lockManager();
  if (!locks) return null;
  const { held = [] } = await locks.query();
  const prefix = `${storageKey}#`;
  return new Set(held.flatMap(({ name }) => (name?.startsWith(prefix) ? [name.slice(prefix.length)] : [])));
}

/** No answer, the server busy or failing, too many requests: the change stays queued and is sent again. */
function transient(error: unknown): boolean {
  return (
    !(error instanceof ApiError) ||
    error.status === 0 ||
    error.status === 408 ||
    error.status === 429 ||
    error.status >= 500
  );
}

function isStale(error: unknown): boolean {
  return error instanceof ApiError && error.status === 412;
}

function retryDelay(error: unknown, attempt: number): number {
  const delays = config.outboxRetryDelaysMs;
  const fromServer = error instanceof ApiError && error.retryAfterSeconds !== null ? error.retryAfterSeconds * 1000 : 0;
  return Math.max(fromServer, delays[Math.min(attempt, delays.length - 1)] ?? 1_000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string" && a !== b) {
    const [x, y] = [Date.parse(a), Date.parse(b)];
    // Instants may come back in another spelling (milliseconds, zone).
    if (/^\d{4}-\d\d-\d\dT/.test(a) && !Number.isNaN(x) && x === y) return true;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

function pick(task: Task, patch: TaskPatch): TaskPatch {
  const values: TaskPatch = {};
  for (const field of Object.keys(patch) as (keyof TaskPatch)[]) Object.assign(values, { [field]: task[field] });
  return values;
}

/** A v4 UUID; crypto.randomUUID needs a secure context, so there is a fallback for plain http. */
export function newId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
