import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { type Due, sameDue } from "../../../worker/src/tasks/due.ts";
import {
  clearCompleted as clearCompletedRequest,
  endSession,
  getUserId,
  type List,
  restoreTasks,
  setCompletedWhere,
  type Task,
  type TaskFields,
  type TaskPatch,
} from "../lib/api-client.ts";
import { config } from "../lib/config.ts";
import { saveDraft } from "../lib/drafts.ts";
import { adoptKeptToken } from "../lib/kept-token.ts";
import type { ListFields, ListPatch } from "../lib/list-actions.ts";
import { connectLive } from "../lib/live.ts";
import { lastUser } from "../lib/navigation.ts";
import {
  applyChanges,
  applyListChanges,
  type Change,
  type Choice,
  newId,
  Outbox,
  type Outcome,
  type Refusal,
} from "../lib/outbox.ts";
import { ApiError, describeError, SessionEndedError } from "../lib/problems.ts";
import { isRecurring, occurrenceFor, sameRecurrence } from "../lib/recurring.ts";
import {
  changeTasks,
  forgetReplicas,
  refreshReplica,
  removeTasks,
  replicaKey,
  syncReplica,
  upsertTask,
} from "../lib/replica.ts";
import { onSignOut } from "../lib/sign-out.ts";
import {
  compareTasks,
  countTasksLabel,
  defaultView,
  filtersForView,
  formatDue,
  isDueView,
  matchesNarrowing,
  matchesView,
  searchForView,
  type View,
} from "../lib/task-view.ts";

export type Phase = "loading" | "ready" | "failed";

export interface Counts {
  active: number;
  completed: number;
}

/** What the last completion, delete or bulk change did, said on screen with Undo for a few seconds. */
export type UndoOffer =
  /** A task's deletion, sent at once with `undo`, the token that restores it (decision 034). */
  | { kind: "delete"; message: string; task: Task; opId: string; undo: string }
  | {
      kind: "toggle";
      message: string;
      taskId: string;
      title: string;
      completed: boolean;
      opId: string;
      /** A recurring task's completed occurrence: the due it had (its `completions` entry). */
      occurrence?: Due | undefined;
    }
  | { kind: "complete"; message: string; ids: readonly string[] }
  /** A list deletion, held in the queue until the offer goes (lib/outbox.ts `held`). */
  | { kind: "list-delete"; message: string; list: List; tasks: "move" | "delete"; opId: string }
  | { kind: "clear"; message: string; undo: string; tasks: readonly Task[] };

export interface Announcement {
  text: string;
  /** Changes on every announcement, so the same words are read again. */
  key: number;
}

export type WriteOutcome = Outcome;

const noChanges: readonly Change[] = [];
const idle = { list: () => noChanges, subscribe: () => () => {}, conflict: () => undefined };

/**
 * The task list's state: the replica (every task of the person, lib/replica.ts) with the
 * queued changes on top (lib/outbox.ts). What the view shows and the footer's counts are both
 * derived from that one list, with the rules of lib/task-view.ts, so they always agree.
 */
export function useTaskStore() {
  const [view, setViewState] = useState<View>(defaultView);
  /** Whose tasks: known at once from this browser's last session, confirmed by the token. */
  const [userId, setUserId] = useState<string | null>(null);
  const [error, setError] = useState("");
  const [announcement, setAnnouncement] = useState<Announcement>({ text: "", key: 0 });
  const [undo, setUndo] = useState<UndoOffer | null>(null);
  const undoTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const announce = useCallback((text: string) => setAnnouncement((a) => ({ text, key: a.key + 1 })), []);
  const fail = useCallback((what: string, cause: unknown) => {
    if (cause instanceof SessionEndedError) return; // the page is on its way to sign-in
    setError(`${what} ${describeError(cause)}`);
  }, []);

  /* ------------------------------------------------------------ replica */

  const replica = useQuery({
    queryKey: replicaKey(userId ?? ""),
    queryFn: ({ signal }) => syncReplica(userId ?? "", signal),
    enabled: userId !== null,
  });

  const outbox = useMemo(() => {
    if (!userId) return null;
    const titles = new Map<string, string>();
    return Object.assign(
      new Outbox(userId, (refusal: Refusal) =>
        // An overruled list change is not an error: the other device's value stands, and the person is told.
        refusal.overruled
          ? setError(refusalMessage(refusal, titles))
          : fail(refusalMessage(refusal, titles), refusal.error),
      ),
      { titles },
    );
  }, [userId, fail]);
  useEffect(
    () => () => {
      void outbox?.stop();
    },
    [outbox],
  );
  /** A task added before the person's id is known (the first visit after signing in) waits for it. */
  const outboxReady = useRef(Promise.withResolvers<NonNullable<typeof outbox>>());
  useEffect(() => {
    if (outbox) outboxReady.current.resolve(outbox);
  }, [outbox]);
  /** The stored queue is read (list changes made offline are known). */
  const [queueLoaded, setQueueLoaded] = useState<Outbox | null>(null);
  useEffect(() => {
    void outbox?.loaded.then(() => setQueueLoaded(outbox));
  }, [outbox]);
  const source = outbox ?? idle;
  const changes = useSyncExternalStore(source.subscribe, source.list, source.list);

  const all = useMemo(() => applyChanges(replica.data?.tasks ?? {}, changes), [replica.data, changes]);
  const visible = useMemo(
    // Upcoming is grouped by day: always in due order.
    () =>
      all.filter((task) => matchesView(task, view)).sort(compareTasks(view.filter === "upcoming" ? "due" : view.sort)),
    [all, view],
  );
  const counts = useMemo<Counts>(() => {
    let active = 0;
    let completed = 0;
    for (const task of all) {
      if (!matchesNarrowing(task, view)) continue;
      if (task.completed) completed++;
      else active++;
    }
    return {
      active,
      completed,
    };
  }, [all, view]);
  const saving = useMemo(() => new Set(changes.map((change) => change.taskId)), [changes]);
  const lists = useMemo(() => applyListChanges(replica.data?.lists, changes), [replica.data, changes]);
  /** How many tasks "Mark all complete" would complete in this view. */
  const completable = useMemo(() => completableIn(all, view).length, [all, view]);
  const conflict = changes.find((change) => "conflict" in change && change.conflict);

  const phase: Phase = replica.data ? "ready" : replica.isError ? "failed" : "loading";
  useEffect(() => {
    if (replica.isError && !replica.data) fail("Your tasks could not be loaded.", replica.error);
  }, [replica.isError, replica.data, replica.error, fail]);

  // The live channel while the page is open: another device's change is read from the feed.
  useEffect(() => {
    if (!userId) return;
    const end = connectLive(userId, {
      onChanged: () => void refreshReplica(userId),
      onSessionEnded: () => endSession({ hadSession: true }),
    });
    // Sign-out (the account menu): what waits is sent first if it can be, then nothing more.
    const unsubscribe = onSignOut({
      settle: async () => {
        await outbox?.settled();
        await outbox?.persistedNow();
      },
      stop: () => {
        end();
        void outbox?.forget();
        // In memory too, so the persister cannot store the replica again after it is deleted.
        void forgetReplicas();
      },
    });
    return () => {
      unsubscribe();
      end();
    };
  }, [userId, outbox]);

  /* ------------------------------------------------------------ start-up */

  const start = useCallback((initial: View) => {
    setViewState(initial);
    const known = lastUser();
    if (known) setUserId(known);
    // A token an earlier page kept saves the trip to `/token` (decision 039).
    adoptKeptToken();
    // The token names who is signed in; offline it fails and the replica carries on.
    getUserId().then(setUserId, () => {});
  }, []);

  /** Shows another filter, sort or search; the URL keeps it so a reload shows the same. */
  const setView = useCallback((target: View, history: "push" | "replace" | "none" = "push") => {
    setViewState(target);
    if (history === "none") return;
    const url = `/tasks${searchForView(target)}`;
    if (history === "push") window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }, []);

  const retry = useCallback(() => {
    setError("");
    void replica.refetch();
  }, [replica]);

  useEffect(() => () => clearTimeout(undoTimer.current), []);

  /* ------------------------------------------------------------ changes */

  const allRef = useRef(all);
  allRef.current = all;
  const viewRef = useRef(view);
  viewRef.current = view;
  const visibleRef = useRef(visible);
  visibleRef.current = visible;
  const find = useCallback((id: string) => allRef.current.find((task) => task.id === id), []);

  function queue(change: Parameters<Outbox["add"]>[0], title: string, box = outbox) {
    if (!box) return null;
    setError("");
    box.titles.set(change.taskId ?? change.listId, title);
    return box.add(change);
  }

  async function add(fields: TaskFields): Promise<boolean> {
    const title = fields.title.trim();
    if (!title) return false;
    const box = outbox ?? (await outboxReady.current.promise);
    const list = viewRef.current.list;
    const task = { ...fields, title, id: newId(), ...(list ? { list } : {}) };
    const queued = queue({ kind: "create", taskId: task.id, task }, title, box);
    if (!queued) return false;
    // The queue keeps it now (IndexedDB), through reloads and ended sessions: no draft is needed.
    saveDraft(box.userId, "newTask", null);
    const shown = matchesView({ ...task, completed: false } as Task, viewRef.current);
    announce(shown ? `Added “${title}”` : `Added “${title}”. It is not shown with the current filter or search.`);
    // Refused: the form puts the title back (the refusal says why).
    return (await queued.outcome) !== "refused";
  }

  async function toggle(id: string) {
    let task = find(id);
    if (!task) return;
    const completed = !task.completed;
    // A recurring task completes one occurrence: its due moves on (lib/recurring.ts).
    const occurrence = isRecurring(task) ? await occurrenceFor(task, completed) : null;
    task = find(id) ?? task;
    const queued = queue(
      { kind: "complete", taskId: id, completed, version: versionOf(task), ...(occurrence ? { occurrence } : {}) },
      task.title,
    );
    // Completing takes the task out of the active views: say so, with Undo. Reopening is its own undo.
    if (queued && completed) {
      offerUndo({
        kind: "toggle",
        message:
          occurrence?.next && task.due
            ? `Completed “${task.title}”, next due ${formatDue(occurrence.next)}`
            : `Completed “${task.title}”`,
        taskId: id,
        title: task.title,
        completed,
        opId: queued.opId,
        ...(occurrence ? { occurrence: occurrence.due } : {}),
      });
    }
  }

  /** Saves edited fields; only the ones that changed are sent (a merge patch). */
  async function update(id: string, fields: TaskFields): Promise<WriteOutcome> {
    const task = find(id);
    if (!task) return "refused";
    const patch = changedFields(task, { ...fields, title: fields.title.trim() });
    if (Object.keys(patch).length === 0) return "saved";
    const before: TaskPatch = {};
    for (const field of Object.keys(patch) as (keyof TaskPatch)[]) Object.assign(before, { [field]: task[field] });
    const queued = queue({ kind: "patch", taskId: id, patch, before, version: versionOf(task) }, task.title);
    return queued ? queued.outcome : "refused";
  }

  /**
   * Moves a task to `index` among the other tasks shown, in manual order (decision 030): a PATCH of
   * its position, a key between its new neighbours', through the queue like any edit. When that key
   * would grow too long, a few neighbours shown get new keys too, each its own queued PATCH with
   * If-Match (moveKeys, decision 038). Announced politely with its new place.
   */
  async function moveTo(id: string, index: number): Promise<void> {
    // The key library loads with the first move (or when Manual is chosen), not with the page.
    const { moveKeys } = await loadPositionMove();
    const shown = visibleRef.current;
    const task = shown.find((t) => t.id === id);
    if (!task || viewRef.current.sort !== "manual" || viewRef.current.filter === "upcoming") return;
    const others = shown.filter((t) => t.id !== id);
    if (index < 0 || index > others.length || shown.indexOf(task) === index) return;
    for (const { id: taskId, position } of moveKeys(others, index, id)) {
      const placed = shown.find((t) => t.id === taskId) ?? task;
      queue(
        {
          kind: "patch",
          taskId,
          patch: { position },
          before: { position: placed.position },
          version: versionOf(placed),
        },
        placed.title,
      );
    }
    announce(`Moved “${task.title}” to position ${index + 1} of ${shown.length}`);
  }

  /** Moves a task one place up (-1) or down (+1) among the tasks shown. */
  const moveBy = async (id: string, step: -1 | 1) => {
    const index = visibleRef.current.findIndex((task) => task.id === id);
    if (index >= 0) await moveTo(id, index + step);
  };

  function remove(id: string) {
    const task = find(id);
    if (!task) return;
    // Sent at once, so other devices see it within a second; the server keeps the task under this
    // token, so Undo brings it back exactly as it was — its list, repeat, reminders, history and
    // creation time (docs/web.md "Undo of a delete", decision 034).
    const undo = newId();
    const queued = queue({ kind: "delete", taskId: id, version: versionOf(task), undo }, task.title);
    if (queued) offerUndo({ kind: "delete", message: "Task deleted", task, opId: queued.opId, undo });
  }

  /* ------------------------------------------------------------ lists */

  /** Adds a list (queued: shown at once, offline too); its id, to select it. */
  function addList(fields: ListFields): string | null {
    const id = newId();
    return queue({ kind: "list-create", listId: id, list: { id, ...fields } }, fields.name) ? id : null;
  }

  /** Renames, recolours or moves a list; only what changed is sent. */
  function editList(list: List, fields: ListPatch) {
    const patch: ListPatch = {};
    const before: ListPatch = {};
    for (const [field, value] of Object.entries(fields) as [keyof ListPatch, string][]) {
      if (value === list[field]) continue;
      Object.assign(patch, { [field]: value });
      Object.assign(before, { [field]: list[field] });
    }
    if (Object.keys(patch).length === 0) return;
    queue({ kind: "list-patch", listId: list.id, patch, before, version: versionOf(list) }, list.name);
  }

  /**
   * Deletes a list: gone from the page at once (its tasks too, or in the Inbox), with Undo for a
   * few seconds. The deletion is held in the queue until the offer goes or the page is left, so
   * Undo takes it back before anything is sent (docs/web.md "Lists").
   */
  function deleteList(list: List, tasks: "move" | "delete") {
    const count = allRef.current.filter((task) => task.list === list.id).length;
    const inbox = Object.values(lists ?? {}).find((other) => other.inbox)?.id;
    const queued = queue(
      { kind: "list-delete", listId: list.id, tasks, version: versionOf(list), inbox, held: true },
      list.name,
    );
    if (!queued) return;
    const message =
      count === 0
        ? `Deleted list “${list.name}”`
        : tasks === "delete"
          ? `Deleted list “${list.name}” and its ${count === 1 ? "task" : countTasksLabel(count)}`
          : `Deleted list “${list.name}” — ${countTasksLabel(count)} moved to Inbox`;
    offerUndo({ kind: "list-delete", message, list, tasks, opId: queued.opId });
  }

  // An offer that goes (its time is up, another replaces it) lets a held list deletion be sent.
  const offered = useRef<UndoOffer | null>(null);
  useEffect(() => {
    const gone = offered.current;
    offered.current = undo;
    if (gone?.kind === "list-delete" && gone !== undo) outbox?.release(gone.opId);
  }, [undo, outbox]);

  function offerUndo(offer: UndoOffer) {
    setUndo(offer);
    holdUndo(false);
  }

  /** While the person points at or focuses the offer, its time stands still (WCAG 2.2.1); it runs again after. */
  const holdUndo = useCallback((hold: boolean) => {
    clearTimeout(undoTimer.current);
    if (!hold) undoTimer.current = setTimeout(() => setUndo(null), config.undoWindowMs);
  }, []);

  /** Takes back the last delete or bulk change; resolves to the task to focus, if one. */
  async function undoLast(): Promise<string | null> {
    const offer = undo;
    if (!offer || !userId || !outbox) return null;
    clearTimeout(undoTimer.current);
    setUndo(null);
    setError("");
    if (offer.kind === "complete") await undoMarkAll(userId, offer.ids);
    else if (offer.kind === "clear") await undoClear(userId, offer.undo, offer.tasks);
    else if (offer.kind === "toggle") return undoToggle(offer);
    else if (offer.kind === "list-delete") undoListDelete(offer);
    else {
      // Not sent yet (offline, behind another change): simply withdrawn. Sent, or on its way: restored
      // under its token, queued after it so the deletion (or its repeat) lands first; shown at once.
      if (!outbox.withdraw(offer.opId)) {
        const { task } = offer;
        queue({ kind: "restore", taskId: task.id, undo: offer.undo, task, version: versionOf(task) }, task.title);
      }
      announce(`Restored “${offer.task.title}”`);
      return offer.task.id;
    }
    return null;
  }

  /** Takes back a list deletion: withdrawn from the queue, nothing was sent (the offer held it). */
  function undoListDelete(offer: Extract<UndoOffer, { kind: "list-delete" }>) {
    const { list } = offer;
    if (outbox?.withdraw(offer.opId)) {
      announce(`Restored list “${list.name}”`);
      return;
    }
    // Sent after all (the queue was settled for a bulk change): the list comes back under its id, its tasks do not.
    const { id, name, colour, position } = list;
    queue({ kind: "list-create", listId: id, list: { id, name, colour, position } }, name);
    setError(
      `The list “${name}” is back, but its tasks ${offer.tasks === "move" ? "stay in the Inbox" : "could not be restored"}.`,
    );
  }

  /**
   * Sets a task's completion back. Not sent yet: the change is simply withdrawn. Sent: the
   * opposite change is queued on the version shown now, so it goes with `If-Match` and the
   * queue's rule for completion (docs/web.md). A task another device has already set back, or
   * deleted, is left as it is and the person is told.
   */
  function undoToggle(offer: Extract<UndoOffer, { kind: "toggle" }>): string | null {
    if (outbox?.withdraw(offer.opId)) {
      announce(`Reopened “${offer.title}”`);
      return offer.taskId;
    }
    const task = find(offer.taskId);
    if (!task) {
      setError(`“${offer.title}” was deleted on another device.`);
      return null;
    }
    // A recurring task's completion is taken back (its due returns) while it is still the latest one.
    const latest = task.completions[0];
    const recurring =
      offer.occurrence !== undefined &&
      isRecurring(task) &&
      latest !== undefined &&
      sameDue(latest.due, offer.occurrence);
    if (!recurring && task.completed !== offer.completed) {
      announce(`“${task.title}” was already ${offer.completed ? "reopened" : "completed"} on another device`);
      return task.id;
    }
    queue(
      {
        kind: "complete",
        taskId: task.id,
        completed: !offer.completed,
        version: versionOf(task),
        ...(recurring ? { occurrence: { due: latest.due, next: null } } : {}),
      },
      task.title,
    );
    announce(`${offer.completed ? "Reopened" : "Completed"} “${task.title}”`);
    return task.id;
  }

  /**
   * Bulk changes are decided by the server ("the tasks shown"), so they need it: every queued
   * change lands first, then the one request; the feed brings the result.
   */
  async function bulk(what: string, run: (userId: string) => Promise<void>) {
    if (!userId || !outbox) return;
    setError("");
    if (!(await outbox.settled())) {
      fail(what, new ApiError(0, "network_error", "The server could not be reached."));
      return;
    }
    try {
      await run(userId);
    } catch (cause) {
      fail(what, cause);
    }
    await refreshReplica(userId);
  }

  /** Completes every task the view shows (its status filter and search), then offers Undo. */
  const markAllComplete = () =>
    bulk("Tasks could not be marked complete.", async (userId) => {
      const shown = viewRef.current;
      const ids = new Set(completableIn(allRef.current, shown).map((t) => t.id));
      const now = new Date().toISOString();
      changeTasks(userId, ids, (task) => ({ ...task, completed: true, completedAt: now }));
      try {
        // Today and Upcoming are not one server filter: the tasks shown are named (at most 400).
        const named = isDueView(shown.filter) ? [...ids].slice(0, 400) : undefined;
        const marked = await setCompletedWhere(userId, true, filtersForView(shown, "pending"), named);
        offerUndo({ kind: "complete", message: `Completed ${countTasksLabel(marked.updated)}`, ids: marked.ids });
      } catch (cause) {
        changeTasks(userId, ids, (task) => ({ ...task, completed: false, completedAt: null }));
        throw cause;
      }
    });

  /** Deletes the completed tasks the view shows (its search), then offers Undo. */
  const clearCompleted = () =>
    bulk("Completed tasks could not be cleared.", async (userId) => {
      const shown = viewRef.current;
      const removed = allRef.current.filter((task) => task.completed && matchesView(task, shown));
      removeTasks(
        userId,
        removed.map((task) => task.id),
      );
      try {
        const cleared = await clearCompletedRequest(userId, filtersForView(shown, "completed"));
        const message = `Deleted ${countTasksLabel(cleared.deleted, "completed")}`;
        offerUndo({ kind: "clear", message, undo: cleared.undo, tasks: removed });
      } catch (cause) {
        for (const task of removed) upsertTask(userId, task);
        throw cause;
      }
    });

  /** Sets exactly the tasks a "mark all" changed back to not complete. */
  const undoMarkAll = (userId: string, ids: readonly string[]) =>
    bulk("The tasks could not be reopened.", async () => {
      changeTasks(userId, new Set(ids), (task) => ({ ...task, completed: false, completedAt: null }));
      let reopened = 0;
      for (let start = 0; start < ids.length; start += 400) {
        reopened += (await setCompletedWhere(userId, false, { status: "all" }, ids.slice(start, start + 400))).updated;
      }
      announce(`Reopened ${countTasksLabel(reopened)}`);
    });

  /** Restores what a clear deleted, under the same ids. */
  const undoClear = (userId: string, token: string, shown: readonly Task[]) =>
    bulk("The tasks could not be restored.", async () => {
      for (const task of shown) upsertTask(userId, task);
      try {
        const { tasks } = await restoreTasks(userId, token);
        for (const task of tasks) upsertTask(userId, task);
        announce(`Restored ${countTasksLabel(tasks.length)}`);
      } catch (cause) {
        removeTasks(
          userId,
          shown.map((task) => task.id),
        );
        throw cause;
      }
    });

  const resolveConflict = useCallback(
    (opId: string, choices: Partial<Record<keyof TaskPatch, Choice>>, keepDeleted = true) =>
      outbox?.resolve(opId, choices, keepDeleted),
    [outbox],
  );

  return {
    completable,
    view,
    userId,
    phase,
    /** Every task with the queued changes applied (the list sidebar's counts, the reminders' timers read it). */
    all,
    /** The person's lists, with the queued list changes applied. */
    lists,
    // A list in the URL is given up only once both the stored queue and the server have been read: the
    // stored replica can predate a list this browser made (its answer came after the last write to IndexedDB).
    listsSettled: outbox !== null && queueLoaded === outbox && replica.isFetchedAfterMount,
    addList,
    editList,
    deleteList,
    // Only the first read dims the list: later feed reads are background catch-up, not a reload.
    refreshing: replica.isFetching && !replica.data,
    visible,
    counts,
    saving,
    error,
    announcement,
    undo,
    conflict,
    start,
    setView,
    retry,
    add,
    toggle,
    update,
    moveTo,
    moveBy,
    remove,
    undoLast,
    holdUndo,
    markAllComplete,
    clearCompleted,
    resolveConflict,
    dismissError: () => setError(""),
    find,
  };
}

export type TaskStore = ReturnType<typeof useTaskStore>;

/** The move rule of manual order (worker/src/tasks/position-move.ts), loaded once, on demand. */
export const loadPositionMove = () => import("../../../worker/src/tasks/position-move.ts");

/** The version a change is made on; a task or list not yet created on the server has none to match. */
function versionOf(task: Pick<Task, "version">): number | undefined {
  return task.version > 0 ? task.version : undefined;
}

function refusalMessage(refusal: Refusal, titles: ReadonlyMap<string, string>): string {
  const { change } = refusal;
  if (change.taskId === undefined) return listRefusalMessage(refusal, titles.get(change.listId) ?? "The list");
  const title = titles.get(change.taskId) ?? (change.kind === "create" ? change.task.title : "The task");
  switch (change.kind) {
    case "create":
      return `“${title}” could not be added.`;
    case "complete":
      return `“${title}” could not be ${change.completed ? "marked complete" : "reopened"}.`;
    case "patch":
      return `Your changes to “${title}” could not be saved.`;
    case "delete":
      return `“${title}” could not be deleted.`;
    case "restore":
      return `“${title}” could not be restored.`;
  }
}

const listFieldNames: Record<keyof ListPatch, string> = { name: "name", colour: "colour", position: "place" };

function listRefusalMessage({ change, error, overruled }: Refusal, name: string): string {
  if (overruled) {
    const fields = overruled.fields.map((field) => listFieldNames[field]).join(" and ");
    return `“${name}” was changed on another device too: its ${fields} there (“${overruled.list.name}”, ${overruled.list.colour}) was kept instead of yours.`;
  }
  const gone = error instanceof ApiError && error.code === "list_not_found";
  switch (change.kind) {
    case "list-create":
      return `The list “${name}” could not be added; tasks queued into it go to the Inbox.`;
    case "list-patch":
      return gone
        ? `The list “${name}” was deleted on another device; your change to it was not kept.`
        : `Your changes to the list “${name}” could not be saved.`;
    default:
      return `The list “${name}” could not be deleted.`;
  }
}

function changedFields(before: Task, after: TaskFields): TaskPatch {
  const patch: TaskPatch = {};
  if (after.title !== before.title) patch.title = after.title;
  if (after.description !== before.description) patch.description = after.description;
  if (after.priority !== before.priority) patch.priority = after.priority;
  // A task held without `due` (a replica kept from before the due model) has an unknown date, not none.
  if (before.due !== undefined && !sameDue(after.due, before.due)) patch.due = after.due;
  if (after.tags.join("\n") !== before.tags.join("\n")) patch.tags = after.tags;
  if (after.reminders && JSON.stringify(after.reminders) !== JSON.stringify(before.reminders ?? []))
    patch.reminders = after.reminders;
  if (after.recurrence !== undefined && !sameRecurrence(after.recurrence, before.recurrence ?? null))
    patch.recurrence = after.recurrence;
  return patch;
}

/**
 * The tasks "Mark all complete" completes in a view: the active ones it shows, except recurring
 * ones — the server's bulk complete leaves those as they are (a repeat completes one occurrence at
 * a time, from its checkbox; docs/tasks-api.md "Recurring tasks").
 */
export function completableIn(tasks: readonly Task[], view: View): Task[] {
  return tasks.filter((task) => !task.completed && !isRecurring(task) && matchesView(task, view));
}
