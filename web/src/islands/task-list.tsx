import { PersistQueryClientProvider } from "@tanstack/react-query-persist-client";
import { type MouseEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { flushSync } from "react-dom";
import type { TaskFields } from "../lib/api-client.ts";
import { config } from "../lib/config.ts";
import { forgetDraftIf, readDrafts, saveDraft } from "../lib/drafts.ts";
import { queryClient, replicaPersistOptions } from "../lib/replica.ts";
import { isTypingTarget } from "../lib/shortcuts.ts";
import {
  countTasksLabel,
  dueDay,
  dueViews,
  type Filter,
  filterHref,
  filterLabels,
  filters,
  formatDay,
  isDueView,
  type Narrowing,
  type SortOption,
  sortOptions,
  type TypedTask,
  tasksLeftLabel,
  viewFromSearch,
} from "../lib/task-view.ts";
import { ConfirmDialog } from "./account-menu.tsx";
import { ConflictDialog } from "./conflict-dialog.tsx";
import { DensityToggle } from "./density-toggle.tsx";
import { FilterBar, FilterLinksProvider } from "./filter-bar.tsx";
import { ListSidebar } from "./list-sidebar.tsx";
import { NewTaskForm } from "./new-task-form.tsx";
import { ReminderAlerts } from "./reminder-alerts.tsx";
import { openDialog, ShortcutsDialog } from "./shortcuts-dialog.tsx";
import { type ItemMode, type Mover, TaskItem } from "./task-item.tsx";
import { loadPositionMove, useTaskStore } from "./use-task-store.ts";

/** A bulk action waiting for the person to confirm it, with the count it was asked about. */
interface Confirming {
  kind: "complete" | "clear";
  count: number;
}

interface Editing {
  id: string;
  mode: Exclude<ItemMode, "view">;
  /** Where focus goes back to when editing ends. */
  returnTo: "edit-button" | "checkbox";
  /** Typing kept from before (an ended session) that the editor starts with. */
  draft?: TypedTask;
}

/**
 * The task list island (`/tasks`): the replica, persisted to IndexedDB, is restored before the
 * list renders (lib/replica.ts).
 */
export function TaskList() {
  return (
    <PersistQueryClientProvider client={queryClient} persistOptions={replicaPersistOptions}>
      <TaskListView />
    </PersistQueryClientProvider>
  );
}

function TaskListView() {
  const store = useTaskStore();
  const { view, phase, visible, counts } = store;
  const [mounted, setMounted] = useState(false);
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<Editing | null>(null);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  /** Typing kept from before the page was left was put back: say so, on screen. */
  const [restored, setRestored] = useState(false);
  const markAllRef = useRef<HTMLButtonElement>(null);
  const clearRef = useRef<HTMLButtonElement>(null);
  const toastRef = useRef<HTMLDivElement>(null);
  const newTaskRef = useRef<HTMLInputElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  /** The task being dragged by its handle (manual order), and the words that say how to move one. */
  const dragging = useRef<string | null>(null);
  const moveHintId = useId();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const shortcutReturn = useRef<HTMLElement | null>(null);

  /* ------------------------------------------------------------ start-up */

  const { start, setView } = store;
  useEffect(() => {
    const initial = viewFromSearch(window.location.search);
    setSearch(initial.q);
    setMounted(true);
    start(initial);
    const onPopState = () => {
      const next = viewFromSearch(window.location.search);
      setSearch(next.q);
      setView(next, "none");
    };
    window.addEventListener("popstate", onPopState);
    return () => window.removeEventListener("popstate", onPopState);
  }, [start, setView]);

  // Now interactive: take over the keyboard, and act on a shortcut pressed while loading.
  useEffect(() => {
    if (!mounted) return;
    const root = document.documentElement;
    root.setAttribute("data-tasks-ready", "");
    const early = root.getAttribute("data-early-key");
    root.removeAttribute("data-early-key");
    if (early === "n") newTaskRef.current?.focus();
    else if (early === "/") searchRef.current?.focus();
    return () => root.removeAttribute("data-tasks-ready");
  }, [mounted]);

  // Search follows typing after a short pause.
  const viewRef = useRef(view);
  viewRef.current = view;
  useEffect(() => {
    if (!mounted || search === viewRef.current.q) return;
    const timer = setTimeout(() => setView({ ...viewRef.current, q: search }, "replace"), config.searchDebounceMs);
    return () => clearTimeout(timer);
  }, [search, mounted, setView]);

  // An edit left open when the page was left (an ended session) opens again, as it was typed.
  const { userId, find } = store;
  const editRestored = useRef(false);
  useEffect(() => {
    if (!userId || phase !== "ready" || editRestored.current) return;
    editRestored.current = true;
    const draft = readDrafts(userId).edit;
    if (!draft) return;
    if (!find(draft.taskId)) return saveDraft(userId, "edit", null); // deleted meanwhile, or not in this view
    setEditing({ id: draft.taskId, mode: "edit", returnTo: "checkbox", draft });
    setRestored(true);
  }, [userId, phase, find]);

  const onDraftRestored = useCallback(() => setRestored(true), []);
  const onDraftGone = useCallback(() => setRestored(false), []);

  /* --------------------------------------------------------------- focus */

  const taskElement = (id: string) => findTask(listRef.current, id);
  const focusCheckbox = (id: string) =>
    taskElement(id)?.querySelector<HTMLInputElement>("input[type=checkbox]")?.focus();

  /* ------------------------------------------------------------- actions */

  const startEdit = useCallback((id: string, from: "button" | "title" | "key") => {
    setEditing({ id, mode: "edit", returnTo: from === "button" ? "edit-button" : "checkbox" });
  }, []);

  const endEdit = useCallback((id: string, returnTo: Editing["returnTo"]) => {
    flushSync(() => setEditing(null));
    const item = findTask(listRef.current, id);
    const target =
      returnTo === "edit-button"
        ? item?.querySelector<HTMLButtonElement>(".task-actions button")
        : item?.querySelector<HTMLInputElement>("input[type=checkbox]");
    target?.focus();
  }, []);

  /** Deletes and keeps the keyboard user's place: focus moves to the next task, or New task. */
  const removeAndRefocus = (id: string) => {
    const ids = visible.map((task) => task.id);
    const index = ids.indexOf(id);
    const neighbour = ids[index + 1] ?? ids[index - 1];
    const hadFocus = taskElement(id)?.contains(document.activeElement) ?? false;
    if (editing?.id === id && store.userId) saveDraft(store.userId, "edit", null);
    flushSync(() => {
      setEditing(null);
      store.remove(id);
    });
    if (!hadFocus) return;
    if (neighbour) focusCheckbox(neighbour);
    else newTaskRef.current?.focus();
  };

  const onSave = (id: string, fields: TaskFields) => {
    const returnTo = editing?.returnTo ?? "checkbox";
    if (!fields.title.trim()) {
      setEditing({ id, mode: "confirm-delete", returnTo });
      return;
    }
    const owner = store.userId;
    const sent = owner ? readDrafts(owner).edit : undefined;
    void store.update(id, fields).then((outcome) => {
      // Kept only for the sign-in round trip; saved, or refused with a message, it has done its job.
      if (outcome !== "session-ended" && owner && sent) forgetDraftIf(owner, "edit", sent);
    });
    setRestored(false);
    endEdit(id, returnTo);
  };

  const onCancel = (id: string) => {
    // Cancelling (Escape, Cancel, Keep task) discards the typing on purpose.
    if (store.userId) saveDraft(store.userId, "edit", null);
    setRestored(false);
    endEdit(id, editing?.returnTo ?? "checkbox");
  };

  const onUndo = async () => {
    const hadFocus = toastRef.current?.contains(document.activeElement) ?? false;
    const id = await store.undoLast();
    if (id) requestAnimationFrame(() => focusCheckbox(id));
    else if (hadFocus) newTaskRef.current?.focus();
  };

  // A confirmation names a count for one view: another filter or search asks afresh.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is the trigger, not an input
  useEffect(() => setConfirming(null), [view]);

  // After a bulk action its button is gone (nothing left to act on): the keyboard user's
  // place moves to the result's Undo, not to the page.
  const focusUndoNext = useRef<Confirming["kind"] | null>(null);
  useEffect(() => {
    if (!store.undo || !focusUndoNext.current) return;
    const expected = focusUndoNext.current;
    focusUndoNext.current = null;
    if (store.undo.kind !== expected) return;
    const active = document.activeElement;
    const lost = !active || active === document.body || active === markAllRef.current || active === clearRef.current;
    if (lost) toastRef.current?.querySelector("button")?.focus();
  }, [store.undo]);

  const triggerOf = (kind: Confirming["kind"]) => (kind === "complete" ? markAllRef : clearRef);

  const cancelBulk = () => {
    const kind = confirming?.kind;
    flushSync(() => setConfirming(null));
    if (kind) triggerOf(kind).current?.focus();
  };

  const confirmBulk = () => {
    if (!confirming) return;
    const { kind } = confirming;
    flushSync(() => setConfirming(null));
    (triggerOf(kind).current ?? newTaskRef.current)?.focus();
    focusUndoNext.current = kind;
    void (kind === "complete" ? store.markAllComplete() : store.clearCompleted());
  };

  const openShortcuts = () => {
    if (!dialogRef.current || dialogRef.current.open) return;
    shortcutReturn.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    openDialog(dialogRef.current);
  };

  const onFilterClick = (filter: Filter) => (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (filter !== view.filter) setView({ ...view, filter }, "push");
  };

  /** A task's tag, priority or due label was followed, or a chip removed: a new history entry. */
  const narrow = useCallback(
    (narrowing: Narrowing) => setView({ ...viewRef.current, ...narrowing }, "push"),
    [setView],
  );
  const filterLinks = useMemo(() => ({ view, narrow }), [view, narrow]);

  /* ------------------------------------------------------------ keyboard */

  const keyActions = useRef<(event: KeyboardEvent) => boolean>(() => false);
  keyActions.current = (event) => {
    if (dialogRef.current?.open) return false;
    const current = focusedTaskId();
    switch (event.key) {
      case "n":
        newTaskRef.current?.focus();
        return true;
      case "/":
        searchRef.current?.focus();
        return true;
      case "j":
      case "k": {
        if (visible.length === 0) return false;
        const index = current ? visible.findIndex((task) => task.id === current) : -1;
        const step = event.key === "j" ? 1 : -1;
        const target =
          index < 0 ? (step > 0 ? visible[0] : visible[visible.length - 1]) : (visible[index + step] ?? visible[index]);
        if (target) focusCheckbox(target.id);
        return true;
      }
      case "x":
        if (!current) return false;
        store.toggle(current);
        return true;
      case "e":
        if (!current) return false;
        startEdit(current, "key");
        return true;
      case "Delete":
        if (!current) return false;
        removeAndRefocus(current);
        return true;
      case "?":
        openShortcuts();
        return true;
      default:
        return false;
    }
  };

  // Manual order (decision 030): a drag handle on each task, Alt+↑/↓ on the focused one; not in Upcoming (by day).
  const manual = view.sort === "manual" && view.filter !== "upcoming";
  /** Alt+↑/↓ move the focused task one place in manual order and keep focus where it was. */
  const moveKeys = useRef<(event: KeyboardEvent) => boolean>(() => false);
  moveKeys.current = (event) => {
    const current = focusedTaskId();
    if (!manual || !current || dialogRef.current?.open) return false;
    const focused = document.activeElement;
    void store.moveBy(current, event.key === "ArrowUp" ? -1 : 1).then(() =>
      // Reordering moves the task's element, which takes focus from it: give it back.
      requestAnimationFrame(() => {
        if (focused instanceof HTMLElement && focused.isConnected && document.activeElement !== focused)
          focused.focus();
      }),
    );
    return true;
  };
  useEffect(() => {
    if (manual) void loadPositionMove();
  }, [manual]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (
        event.altKey &&
        !event.ctrlKey &&
        !event.metaKey &&
        (event.key === "ArrowUp" || event.key === "ArrowDown") &&
        !event.defaultPrevented &&
        !isTypingTarget(event.target)
      ) {
        if (moveKeys.current(event)) event.preventDefault();
        return;
      }
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target)) return;
      if (keyActions.current(event)) event.preventDefault();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);

  /* -------------------------------------------------------------- render */

  const total = counts.active + counts.completed;
  const ready = phase !== "loading";
  // What the bulk buttons act on: the tasks the view shows (the counts already follow its search).
  // Today and Upcoming show some active tasks only: the bulk actions act on those.
  const shownActive = store.completable;
  const shownCompleted = view.filter === "active" || isDueView(view.filter) ? 0 : counts.completed;

  const mover: Mover | undefined = manual
    ? {
        hintId: moveHintId,
        onDragStart: (id) => {
          dragging.current = id;
        },
        onDragEnd: () => {
          dragging.current = null;
        },
        onDrop: (targetId, after) => {
          const id = dragging.current;
          dragging.current = null;
          if (!id || id === targetId) return;
          const others = visible.filter((task) => task.id !== id);
          const target = others.findIndex((task) => task.id === targetId);
          if (target >= 0) void store.moveTo(id, target + (after ? 1 : 0));
        },
      }
    : undefined;

  const item = (task: (typeof visible)[number]) => (
    <TaskItem
      key={task.id}
      task={task}
      saving={store.saving.has(task.id)}
      mode={editing?.id === task.id ? editing.mode : "view"}
      userId={store.userId}
      draft={editing?.id === task.id ? editing.draft : undefined}
      onToggle={store.toggle}
      onEdit={startEdit}
      onDelete={removeAndRefocus}
      onSave={onSave}
      onCancel={onCancel}
      move={mover}
    />
  );
  return (
    <div className="tasks">
      <ListSidebar {...store} tasks={store.all} onSelect={(list) => setView({ ...view, list }, "push")} />
      <div role="status">
        {restored && (
          <div className="restored">
            <p>Restored what you were typing</p>
            <button type="button" className="btn btn-small btn-quiet" onClick={() => setRestored(false)}>
              Dismiss
            </button>
          </div>
        )}
      </div>
      <NewTaskForm
        disabled={!mounted}
        inputRef={newTaskRef}
        userId={store.userId}
        onAdd={store.add}
        onRestored={onDraftRestored}
        onDraftGone={onDraftGone}
      />

      <div className="toolbar">
        <nav aria-label="Filter tasks">
          <div className="filters">
            {[...filters, ...dueViews].map((filter) => (
              <a
                key={filter}
                href={filterHref(filter, view)}
                aria-current={view.filter === filter ? "page" : undefined}
                onClick={onFilterClick(filter)}
              >
                {filterLabels[filter]}
              </a>
            ))}
          </div>
        </nav>
        <search className="field search">
          <label htmlFor="task-search">Search tasks</label>
          {/* A plain text field (role textbox); the <search> element carries the meaning. */}
          <input
            id="task-search"
            ref={searchRef}
            className="input"
            type="text"
            enterKeyHint="search"
            value={search}
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            disabled={!mounted}
            onChange={(event) => setSearch(event.target.value)}
            onKeyDown={(event) => {
              // Escape clears the search, and a second Escape leaves the field.
              if (event.key !== "Escape") return;
              if (search) setSearch("");
              else event.currentTarget.blur();
            }}
          />
        </search>
        <div className="field sort">
          <label htmlFor="task-sort">Sort by</label>
          <select
            id="task-sort"
            value={view.sort}
            disabled={!mounted}
            onChange={(event) => setView({ ...view, sort: event.target.value as SortOption }, "replace")}
          >
            {sortOptions.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="list-head">
        <FilterBar view={view} onRemove={narrow} />
        <DensityToggle />
      </div>

      <div className="alert-region" role="alert">
        {store.error && (
          <div className="alert">
            <p>{store.error}</p>
            {phase === "failed" ? (
              <button type="button" className="btn btn-small" onClick={store.retry}>
                Try again
              </button>
            ) : (
              <button type="button" className="btn btn-small btn-quiet" onClick={store.dismissError}>
                Dismiss
              </button>
            )}
          </div>
        )}
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        <span key={store.announcement.key}>{store.announcement.text}</span>
      </p>

      {phase === "loading" ? (
        <div className="task-list" aria-busy="true">
          {[0, 1, 2, 3].map((row) => (
            <div key={row} className="skeleton-row" aria-hidden="true">
              <span className="skeleton-box" />
              <span className="skeleton-line" />
            </div>
          ))}
          <span className="visually-hidden">Loading tasks…</span>
        </div>
      ) : phase === "failed" && visible.length === 0 ? null : visible.length === 0 ? (
        <div className="task-list empty">
          <EmptyState
            filter={view.filter}
            query={view.q.trim()}
            narrowed={Boolean(view.tag || view.priority || view.due)}
            total={total}
            listName={view.list ? store.lists?.[view.list]?.name : undefined}
          />
        </div>
      ) : (
        <ul ref={listRef} className="task-list" aria-labelledby="tasks-title" aria-busy={store.refreshing || undefined}>
          <FilterLinksProvider value={filterLinks}>
            {view.filter === "upcoming"
              ? byDay(visible).map(([day, tasks]) => (
                  <li key={day} className="task-day">
                    <h3 id={`day-${day}`} className="task-day-heading">
                      {formatDay(day)}
                    </h3>
                    <ul className="task-list-day" aria-labelledby={`day-${day}`}>
                      {tasks.map(item)}
                    </ul>
                  </li>
                ))
              : visible.map(item)}
          </FilterLinksProvider>
        </ul>
      )}

      {manual && (
        <p hidden id={moveHintId}>
          Drag to another place, or press Alt+Up or Alt+Down to move one place.
        </p>
      )}
      {ready && (
        <div className="list-footer">
          <p className="count">{tasksLeftLabel(counts.active)}</p>
          {shownActive > 0 && (
            <button
              ref={markAllRef}
              type="button"
              className="btn btn-small"
              onClick={() => setConfirming({ kind: "complete", count: shownActive })}
            >
              Mark all complete
            </button>
          )}
          {shownCompleted > 0 && (
            <button
              ref={clearRef}
              type="button"
              className="btn btn-small"
              onClick={() => setConfirming({ kind: "clear", count: shownCompleted })}
            >
              Clear completed
            </button>
          )}
          <button type="button" className="btn btn-small btn-quiet" onClick={openShortcuts}>
            Keyboard shortcuts
          </button>
          {confirming && <ConfirmBulk {...confirming} onConfirm={confirmBulk} onCancel={cancelBulk} />}
        </div>
      )}

      <ReminderAlerts tasks={store.all} />
      <div className="toast-region">
        <div role="status" ref={toastRef}>
          {store.undo && (
            // biome-ignore lint/a11y/noStaticElementInteractions: pointing at or focusing the offer only pauses its timer; the Undo button is the control
            <div
              className="toast"
              onMouseEnter={() => store.holdUndo(true)}
              onMouseLeave={() => store.holdUndo(false)}
              onFocus={() => store.holdUndo(true)}
              onBlur={(event) => {
                if (!event.currentTarget.contains(event.relatedTarget as Node | null)) store.holdUndo(false);
              }}
            >
              <span>{store.undo.message}</span>
              <button type="button" className="btn btn-small" onClick={() => void onUndo()}>
                Undo
              </button>
            </div>
          )}
        </div>
      </div>

      {store.conflict && <ConflictDialog change={store.conflict} onResolve={store.resolveConflict} />}

      <ShortcutsDialog
        ref={dialogRef}
        onClose={() => {
          shortcutReturn.current?.focus();
          shortcutReturn.current = null;
        }}
      />
    </div>
  );
}

/** "Complete 11 shown tasks?" — asked before a bulk action, naming how many tasks it will touch. */
function ConfirmBulk({
  kind,
  count,
  onConfirm,
  onCancel,
}: Confirming & { onConfirm: () => void; onCancel: () => void }) {
  const question =
    kind === "complete"
      ? `Complete ${countTasksLabel(count, "shown")}?`
      : `Delete ${countTasksLabel(count, "completed")} shown?`;
  return (
    <ConfirmDialog
      className={kind === "complete" ? "confirm-bulk confirm-calm" : "confirm-bulk"}
      question={<strong>{question}</strong>}
      description="Only the tasks this view shows. You can undo it for a few seconds."
      onCancel={onCancel}
    >
      <button
        type="button"
        className={`btn btn-small ${kind === "clear" ? "btn-danger" : "btn-primary"}`}
        onClick={onConfirm}
      >
        {kind === "complete" ? "Complete" : "Delete"} {countTasksLabel(count)}
      </button>
    </ConfirmDialog>
  );
}

function EmptyState({
  filter,
  query,
  narrowed,
  total,
  listName,
}: {
  filter: Filter;
  query: string;
  narrowed: boolean;
  total: number;
  /** The chosen list's name: other lists may hold tasks, so "No tasks yet" alone would mislead. */
  listName?: string | undefined;
}) {
  if (narrowed && total > 0 && !query) {
    return (
      <p>
        <strong>No tasks match these filters</strong>Remove a filter above to see more.
      </p>
    );
  }
  if (query) {
    return (
      <p>
        <strong>No tasks match “{query}”</strong>Try other words, or clear the search.
      </p>
    );
  }
  if (filter === "active" && total > 0) {
    return (
      <p>
        <strong>Nothing left to do</strong>Every task is complete. Enjoy the calm.
      </p>
    );
  }
  if (filter === "completed" && total > 0) {
    return (
      <p>
        <strong>No completed tasks yet</strong>Tick a task off and it will show here.
      </p>
    );
  }
  if (listName !== undefined && total === 0) {
    return (
      <p>
        <strong>No tasks in {listName} yet</strong>Type one into New task and press Enter to add it here.
      </p>
    );
  }
  return (
    <p>
      <strong>No tasks yet — add one above</strong>Type it into New task and press Enter.
    </p>
  );
}

/** Upcoming's groups: the tasks (in due order) by the day they are due here. */
function byDay<T extends { due: Parameters<typeof dueDay>[0] | null }>(tasks: readonly T[]): [string, T[]][] {
  const days = new Map<string, T[]>();
  for (const task of tasks) {
    if (!task.due) continue;
    const day = dueDay(task.due);
    days.set(day, [...(days.get(day) ?? []), task]);
  }
  return [...days];
}

function findTask(list: HTMLElement | null, id: string): HTMLElement | null {
  return list?.querySelector<HTMLElement>(`li[data-task-id="${CSS.escape(id)}"]`) ?? null;
}

function focusedTaskId(): string | null {
  return document.activeElement?.closest("li[data-task-id]")?.getAttribute("data-task-id") ?? null;
}
