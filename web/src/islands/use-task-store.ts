import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  clearCompleted as clearCompletedRequest,
  countTasks,
  createTask,
  deleteTask,
  describeError,
  getUserId,
  listTasks,
  restoreTasks,
  SessionEndedError,
  setCompletedWhere,
  setTaskCompleted,
  type Task,
  type TaskFields,
  type TaskPatch,
  updateTask,
} from "../lib/api-client.ts";
import { config } from "../lib/config.ts";
import {
  countTasksLabel,
  defaultView,
  filtersForView,
  insertSorted,
  matchesSearch,
  matchesView,
  queryForView,
  searchForView,
  type View,
} from "../lib/task-view.ts";

export type Phase = "loading" | "ready" | "failed";

export interface Counts {
  active: number;
  completed: number;
}

/** What the last delete or bulk change did, said on screen with Undo for a few seconds. */
export type UndoOffer =
  | { kind: "delete"; message: string; task: Task }
  | { kind: "complete"; message: string; ids: readonly string[] }
  | { kind: "clear"; message: string; undo: string; tasks: readonly Task[] };

export interface Announcement {
  text: string;
  /** Changes on every announcement, so the same words are read again. */
  key: number;
}

/**
 * The task list's state and every change to it. Each change shows at once, marked as
 * saving until the server confirms it, and is then sent; a refusal rolls back exactly
 * what that change did and says why, in plain words. Changes to one task are sent in
 * order (a toggle waits for the create before it).
 */
export function useTaskStore() {
  const [view, setViewState] = useState<View>(defaultView);
  const [phase, setPhase] = useState<Phase>("loading");
  const [refreshing, setRefreshing] = useState(false);
  const [items, setItems] = useState<readonly Task[]>([]);
  const [counts, setCounts] = useState<Counts>({ active: 0, completed: 0 });
  const [saving, setSaving] = useState<ReadonlySet<string>>(new Set());
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState("");
  const [announcement, setAnnouncement] = useState<Announcement>({ text: "", key: 0 });
  const [undo, setUndo] = useState<UndoOffer | null>(null);
  /** Who is signed in (the token's subject), once known: drafts are kept under it. */
  const [userId, setUserId] = useState<string | null>(null);

  // The latest state, read synchronously by changes that run one after another.
  const itemsRef = useRef(items);
  const countsRef = useRef(counts);
  const viewRef = useRef(view);
  const savingRef = useRef(saving);
  const queues = useRef(new Map<string, Promise<unknown>>());
  const pendingWrites = useRef(new Map<string, number>());
  /** Deleted here and not restored: a page that still lists them (a delete in flight) must not bring them back. */
  const deleted = useRef(new Set<string>());
  /** Creates that failed: changes queued behind them are dropped quietly. */
  const failedCreates = useRef(new Set<string>());
  /**
   * The last create that failed and the id it went under. The same task sent again reuses
   * the id: if the failed create did land after all (its answer lost), the server answers
   * with that task instead of storing a second one.
   */
  const lastFailedCreate = useRef<{ id: string; fields: string } | null>(null);
  const generation = useRef(0);
  /** Tasks changed here while a page was being read: their local version beats the page's. */
  const changedDuringLoad = useRef(new Set<string>());
  const undoTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Counts every change made here, so counts read while one was made are known to be stale. */
  const changesMade = useRef(0);

  const commitItems = useCallback((next: readonly Task[]) => {
    itemsRef.current = next;
    setItems(next);
  }, []);
  const commitCounts = useCallback((next: Counts) => {
    countsRef.current = next;
    setCounts(next);
  }, []);
  const markSaving = useCallback((id: string, on: boolean) => {
    const next = new Set(savingRef.current);
    if (on) next.add(id);
    else next.delete(id);
    savingRef.current = next;
    setSaving(next);
  }, []);

  const find = (id: string) => itemsRef.current.find((task) => task.id === id);
  const touch = (...ids: string[]) => {
    changesMade.current += 1;
    for (const id of ids) changedDuringLoad.current.add(id);
  };
  const replaceItem = (id: string, change: (task: Task) => Task) =>
    commitItems(itemsRef.current.map((task) => (task.id === id ? change(task) : task)));
  const removeItem = (id: string) => commitItems(itemsRef.current.filter((task) => task.id !== id));
  const insertItem = (task: Task) =>
    find(task.id)
      ? replaceItem(task.id, () => task)
      : commitItems(insertSorted(itemsRef.current, task, viewRef.current.sort));
  /** Moves the counters from what a task was to what it is (null: not there); they count what the search shows. */
  const recount = (before: Task | null, after: Task | null) => {
    const { active, completed } = countsRef.current;
    const delta = (task: Task | null, done: boolean) =>
      task && task.completed === done && matchesSearch(task, viewRef.current) ? 1 : 0;
    commitCounts({
      active: Math.max(0, active - delta(before, false) + delta(after, false)),
      completed: Math.max(0, completed - delta(before, true) + delta(after, true)),
    });
  };

  const announce = useCallback((text: string) => setAnnouncement((a) => ({ text, key: a.key + 1 })), []);
  const fail = useCallback((what: string, cause: unknown) => {
    if (cause instanceof SessionEndedError) return; // the page is on its way to sign-in
    setError(`${what} ${describeError(cause)}`);
  }, []);

  /** Runs a task's requests one after another, in the order they were made. */
  function enqueue<T>(id: string, request: () => Promise<T>): Promise<T> {
    const previous = queues.current.get(id) ?? Promise.resolve();
    const run = previous.then(() => {
      if (failedCreates.current.has(id)) throw new DroppedChange();
      return request();
    });
    const settled = run.catch(() => {});
    queues.current.set(id, settled);
    void settled.then(() => {
      if (queues.current.get(id) === settled) queues.current.delete(id);
    });
    return run;
  }

  /**
   * Sends a change that was already shown, marked as saving until the server answers;
   * adopts the server's task when no later change is waiting.
   */
  async function write(
    id: string,
    request: () => Promise<Task>,
    rollback: () => void,
    what: string,
  ): Promise<WriteOutcome> {
    pendingWrites.current.set(id, (pendingWrites.current.get(id) ?? 0) + 1);
    markSaving(id, true);
    try {
      const saved = await enqueue(id, request);
      if (settle(id) === 0 && find(id)) replaceItem(id, () => saved);
      return "saved";
    } catch (cause) {
      settle(id);
      if (cause instanceof DroppedChange) return "refused";
      rollback();
      fail(what, cause);
      return cause instanceof SessionEndedError ? "session-ended" : "refused";
    }
  }
  const settle = (id: string) => {
    const left = (pendingWrites.current.get(id) ?? 1) - 1;
    if (left > 0) pendingWrites.current.set(id, left);
    else {
      pendingWrites.current.delete(id);
      markSaving(id, false);
    }
    return left;
  };

  /* ----------------------------------------------------------- loading */

  /**
   * Counts read while changes were on their way may miss them: read again once every
   * change has landed, and again whenever another change was made meanwhile — until a
   * count is read with nothing on its way, which is the truth.
   */
  const recountWhenSettled = useCallback(async () => {
    for (;;) {
      await Promise.allSettled([...queues.current.values()]);
      if (queues.current.size > 0) continue;
      const mark = changesMade.current;
      try {
        const view = viewRef.current;
        const [active, completed] = await Promise.all([
          countTasks(filtersForView(view, "pending")),
          countTasks(filtersForView(view, "completed")),
        ]);
        if (changesMade.current === mark && viewRef.current === view) return commitCounts({ active, completed });
        if (viewRef.current !== view) return; // another view counts for itself
      } catch {
        return; // keep the counts we have
      }
    }
  }, [commitCounts]);

  const load = useCallback(
    async (target: View, withCounts: boolean) => {
      const mine = ++generation.current;
      changedDuringLoad.current = new Set();
      setRefreshing(true);
      try {
        const [page, active, completed] = await Promise.all([
          listTasks(queryForView(target)),
          withCounts ? countTasks(filtersForView(target, "pending")) : Promise.resolve(null),
          withCounts ? countTasks(filtersForView(target, "completed")) : Promise.resolve(null),
        ]);
        if (mine !== generation.current) return;
        // The page may predate changes made meanwhile (a task added while it loaded):
        // those tasks keep their local version, and ones still being created stay.
        const changed = changedDuringLoad.current;
        const local = new Map(itemsRef.current.map((task) => [task.id, task]));
        let merged = page.tasks.flatMap((task) => {
          if (deleted.current.has(task.id)) return [];
          if (!changed.has(task.id)) return [task];
          const mineNow = local.get(task.id);
          return mineNow ? [mineNow] : [];
        });
        for (const task of itemsRef.current) {
          const keep = changed.has(task.id) || savingRef.current.has(task.id);
          if (keep && matchesView(task, target) && !merged.some((t) => t.id === task.id)) {
            merged = insertSorted(merged, task, target.sort);
          }
        }
        commitItems(merged);
        setNext(page.next);
        if (active !== null && completed !== null) {
          commitCounts({ active, completed });
          if (changed.size > 0) void recountWhenSettled();
        }
        setPhase("ready");
      } catch (cause) {
        if (mine !== generation.current) return;
        if (cause instanceof SessionEndedError) return;
        setPhase((phase) => (phase === "loading" ? "failed" : phase));
        fail("Your tasks could not be loaded.", cause);
      } finally {
        if (mine === generation.current) setRefreshing(false);
      }
    },
    [commitItems, commitCounts, fail, recountWhenSettled],
  );

  const loadMore = useCallback(async () => {
    if (!next || loadingMore) return;
    const mine = generation.current;
    setLoadingMore(true);
    try {
      const page = await listTasks({ next });
      if (mine !== generation.current) return;
      const have = new Set(itemsRef.current.map((task) => task.id));
      commitItems([
        ...itemsRef.current,
        ...page.tasks.filter((task) => !have.has(task.id) && !deleted.current.has(task.id)),
      ]);
      setNext(page.next);
    } catch (cause) {
      fail("More tasks could not be loaded.", cause);
    } finally {
      setLoadingMore(false);
    }
  }, [next, loadingMore, commitItems, fail]);

  /** Shows another filter, sort or search; the URL keeps it so a reload shows the same. */
  const setView = useCallback(
    (target: View, history: "push" | "replace" | "none" = "push") => {
      const before = viewRef.current;
      viewRef.current = target;
      setViewState(target);
      if (history !== "none") {
        const url = `/tasks${searchForView(target)}`;
        if (history === "push") window.history.pushState(null, "", url);
        else window.history.replaceState(null, "", url);
      }
      // Re-sort what is already here at once; the server's page follows.
      if (before.sort !== target.sort) {
        commitItems(itemsRef.current.reduce<Task[]>((list, task) => insertSorted(list, task, target.sort), []));
      }
      setNext(null);
      // The footer counts what the search shows: a new search needs new counts.
      void load(target, before.q !== target.q);
    },
    [commitItems, load],
  );

  /** The first load, from the URL the page was opened with. */
  const start = useCallback(
    (initial: View) => {
      viewRef.current = initial;
      setViewState(initial);
      void load(initial, true);
      getUserId().then(setUserId, () => {});
    },
    [load],
  );

  const retry = useCallback(() => {
    setError("");
    setPhase("loading");
    void load(viewRef.current, true);
  }, [load]);

  useEffect(() => () => clearTimeout(undoTimer.current), []);

  /* ----------------------------------------------------------- changes */

  async function add(fields: TaskFields): Promise<boolean> {
    const title = fields.title.trim();
    if (!title) return false;
    setError("");
    const now = new Date().toISOString();
    const sent = JSON.stringify({ ...fields, title });
    const retried = lastFailedCreate.current?.fields === sent ? lastFailedCreate.current.id : null;
    if (retried) failedCreates.current.delete(retried);
    const body = { ...fields, title, id: retried ?? newId() };
    const task: Task = {
      ...body,
      userId: "",
      completed: false,
      completedAt: null,
      createdAt: now,
      updatedAt: now,
      version: 0,
    };
    touch(task.id);
    markSaving(task.id, true);
    insertItem(task);
    recount(null, task);
    try {
      const saved = await enqueue(task.id, () => createTask(body));
      if (lastFailedCreate.current?.id === task.id) lastFailedCreate.current = null;
      // Changes made meanwhile are still on their way: the task stays marked until they land.
      const waiting = (pendingWrites.current.get(task.id) ?? 0) > 0;
      markSaving(task.id, waiting);
      if (!waiting && find(task.id)) replaceItem(task.id, () => saved);
      announce(
        matchesView(saved, viewRef.current)
          ? `Added “${title}”`
          : `Added “${title}”. It is not shown with the current filter or search.`,
      );
      return true;
    } catch (cause) {
      markSaving(task.id, false);
      failedCreates.current.add(task.id);
      lastFailedCreate.current = { id: task.id, fields: sent };
      const current = find(task.id);
      removeItem(task.id);
      recount(current ?? task, null);
      fail(`“${title}” could not be added.`, cause);
      return false;
    }
  }

  function toggle(id: string) {
    const before = find(id);
    if (!before) return;
    const completed = !before.completed;
    const after = { ...before, completed, completedAt: completed ? new Date().toISOString() : null };
    touch(id);
    setError("");
    replaceItem(id, () => after);
    recount(before, after);
    void write(
      id,
      () => setTaskCompleted(id, completed),
      () => {
        const current = find(id);
        if (!current || current.completed !== completed) return;
        const restored = { ...current, completed: before.completed, completedAt: before.completedAt };
        replaceItem(id, () => restored);
        recount(current, restored);
      },
      `“${before.title}” could not be ${completed ? "marked complete" : "reopened"}.`,
    );
  }

  /**
   * Saves edited fields; only the ones that changed are sent (a merge patch). Resolves
   * what became of them (nothing to send counts as saved).
   */
  async function update(id: string, fields: TaskFields): Promise<WriteOutcome> {
    const before = find(id);
    if (!before) return "refused";
    const patch = changedFields(before, { ...fields, title: fields.title.trim() });
    if (Object.keys(patch).length === 0) return "saved";
    touch(id);
    setError("");
    replaceItem(id, (task) => ({ ...task, ...patch }));
    return write(
      id,
      () => updateTask(id, patch),
      () => {
        const current = find(id);
        if (!current) return;
        const restored: Task = { ...current };
        for (const key of Object.keys(patch) as (keyof TaskPatch)[]) {
          if (JSON.stringify(current[key]) === JSON.stringify(patch[key]))
            Object.assign(restored, { [key]: before[key] });
        }
        replaceItem(id, () => restored);
      },
      `Your changes to “${before.title}” could not be saved.`,
    );
  }

  function remove(id: string) {
    const before = find(id);
    if (!before) return;
    touch(id);
    setError("");
    deleted.current.add(id);
    removeItem(id);
    recount(before, null);
    offerUndo({ kind: "delete", message: "Task deleted", task: before });
    enqueue(id, () => deleteTask(id)).catch((cause: unknown) => {
      if (cause instanceof DroppedChange) return;
      deleted.current.delete(id);
      setUndo((offer) => (offer?.kind === "delete" && offer.task.id === id ? null : offer));
      if (!find(id)) {
        insertItem(before);
        recount(null, before);
      }
      fail(`“${before.title}” could not be deleted.`, cause);
    });
  }

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
    if (!offer) return null;
    clearTimeout(undoTimer.current);
    setUndo(null);
    setError("");
    if (offer.kind === "complete") await undoMarkAll(offer.ids);
    else if (offer.kind === "clear") await undoClear(offer.undo, offer.tasks);
    else return undoDelete(offer.task);
    return null;
  }

  /** Brings a deleted task back: created again with the same id and fields. */
  function undoDelete(task: Task): string {
    touch(task.id);
    deleted.current.delete(task.id);
    insertItem(task);
    recount(null, task);
    markSaving(task.id, true);
    const { id, title, description, completed, priority, dueAt, tags } = task;
    enqueue(id, () => createTask({ id, title, description, completed, priority, dueAt, tags }))
      .then((saved) => {
        const waiting = (pendingWrites.current.get(id) ?? 0) > 0;
        markSaving(id, waiting);
        if (!waiting && find(id)) replaceItem(id, () => saved);
        announce(`Restored “${title}”`);
      })
      .catch((cause: unknown) => {
        markSaving(id, false);
        const current = find(id);
        removeItem(id);
        recount(current ?? task, null);
        deleted.current.add(id);
        fail(`“${title}” could not be restored.`, cause);
      });
    return id;
  }

  /** Every change made here reaches the server first, so the server's "tasks shown" is what is shown here. */
  const settled = () => Promise.allSettled([...queues.current.values()]);

  /** After a bulk change, the server's page and counts are the truth. */
  const reload = () => load(viewRef.current, true);

  /** Completes every task the view shows (its status filter and search), then offers Undo. */
  async function markAllComplete() {
    const view = viewRef.current;
    setError("");
    await settled();
    const beforeCounts = countsRef.current;
    const now = new Date().toISOString();
    const ids = new Set(itemsRef.current.filter((task) => !task.completed && matchesView(task, view)).map((t) => t.id));
    touch(...ids);
    commitItems(
      itemsRef.current.map((task) => (ids.has(task.id) ? { ...task, completed: true, completedAt: now } : task)),
    );
    commitCounts({ active: 0, completed: beforeCounts.completed + beforeCounts.active });
    try {
      const marked = await setCompletedWhere(true, filtersForView(view, "pending"));
      offerUndo({ kind: "complete", message: `Completed ${countTasksLabel(marked.updated)}`, ids: marked.ids });
    } catch (cause) {
      commitItems(
        itemsRef.current.map((task) =>
          ids.has(task.id) && task.completed ? { ...task, completed: false, completedAt: null } : task,
        ),
      );
      commitCounts(beforeCounts);
      fail("Tasks could not be marked complete.", cause);
    }
    await reload();
  }

  /** Sets exactly the tasks a "mark all" changed back to not complete. */
  async function undoMarkAll(ids: readonly string[]) {
    const changed = new Set(ids);
    touch(...ids);
    for (const task of itemsRef.current.filter((task) => changed.has(task.id) && task.completed)) {
      const reopened = { ...task, completed: false, completedAt: null };
      replaceItem(task.id, () => reopened);
      recount(task, reopened);
    }
    try {
      const { ids: reopened } = await setCompletedWhere(false, { status: "all" }, ids);
      announce(`Reopened ${countTasksLabel(reopened.length)}`);
    } catch (cause) {
      fail("The tasks could not be reopened.", cause);
    }
    await reload();
  }

  /** Deletes the completed tasks the view shows (its search), then offers Undo. */
  async function clearCompleted() {
    const view = viewRef.current;
    setError("");
    await settled();
    const removed = itemsRef.current.filter((task) => task.completed && matchesView(task, view));
    const beforeCounts = countsRef.current;
    for (const task of removed) deleted.current.add(task.id);
    touch(...removed.map((task) => task.id));
    commitItems(itemsRef.current.filter((task) => !removed.includes(task)));
    commitCounts({ ...beforeCounts, completed: 0 });
    try {
      const { q } = filtersForView(view);
      const cleared = await clearCompletedRequest(q ? { q } : {});
      for (const id of cleared.ids) deleted.current.add(id);
      const message = `Deleted ${countTasksLabel(cleared.deleted, "completed")}`;
      offerUndo({ kind: "clear", message, undo: cleared.undo, tasks: removed });
    } catch (cause) {
      for (const task of removed) {
        deleted.current.delete(task.id);
        if (!find(task.id)) insertItem(task);
      }
      commitCounts(beforeCounts);
      fail("Completed tasks could not be cleared.", cause);
    }
    await reload();
  }

  /** Restores what a clear deleted, under the same ids. */
  async function undoClear(token: string, shown: readonly Task[]) {
    for (const task of shown) {
      deleted.current.delete(task.id);
      touch(task.id);
      if (!find(task.id) && matchesView(task, viewRef.current)) {
        insertItem(task);
        recount(null, task);
      }
    }
    try {
      const { tasks } = await restoreTasks(token);
      for (const task of tasks) {
        deleted.current.delete(task.id);
        if (find(task.id)) replaceItem(task.id, () => task);
      }
      announce(`Restored ${countTasksLabel(tasks.length)}`);
    } catch (cause) {
      fail("The tasks could not be restored.", cause);
    }
    await reload();
  }

  const visible = useMemo(() => items.filter((task) => matchesView(task, view)), [items, view]);

  return {
    view,
    userId,
    phase,
    refreshing,
    visible,
    counts,
    saving,
    hasMore: next !== null,
    loadingMore,
    error,
    announcement,
    undo,
    start,
    setView,
    retry,
    loadMore,
    add,
    toggle,
    update,
    remove,
    undoLast,
    holdUndo,
    markAllComplete,
    clearCompleted,
    dismissError: () => setError(""),
    find: (id: string) => find(id),
  };
}

export type TaskStore = ReturnType<typeof useTaskStore>;

/** What became of a change: the server has it, it was refused (and rolled back), or the session ended first. */
export type WriteOutcome = "saved" | "refused" | "session-ended";

/** A change queued behind a create that failed: nothing to send, nothing to say. */
class DroppedChange extends Error {}

function changedFields(before: Task, after: TaskFields): TaskPatch {
  const patch: TaskPatch = {};
  if (after.title !== before.title) patch.title = after.title;
  if (after.description !== before.description) patch.description = after.description;
  if (after.priority !== before.priority) patch.priority = after.priority;
  if (after.dueAt !== before.dueAt) patch.dueAt = after.dueAt;
  if (after.tags.join("\n") !== before.tags.join("\n")) patch.tags = after.tags;
  return patch;
}

/** A v4 UUID; crypto.randomUUID needs a secure context, so there is a fallback for plain http. */
function newId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
