import { type ReactNode, type SubmitEvent, useEffect, useId, useRef, useState } from "react";
import type { Task, TaskFields } from "../lib/api-client.ts";
import { saveDraft } from "../lib/drafts.ts";
import { keepableReminders } from "../lib/reminders.ts";
import {
  checkTags,
  dueFilterOf,
  dueFromInputs,
  dueInputs,
  formatDue,
  isOverdue,
  isToday,
  parseTags,
  priorityLabels,
  type TypedTask,
} from "../lib/task-view.ts";
import { ConfirmDialog } from "./account-menu.tsx";
import { FilterLink } from "./filter-bar.tsx";
import { ReminderBell } from "./reminder-bell.tsx";
import { ReminderFields } from "./reminder-fields.tsx";
import { TaskDetailsFields, useDetailsDraft } from "./task-details-fields.tsx";
import { CompletionHistory, RepeatField, RepeatLabel } from "./task-recurrence.tsx";

export type ItemMode = "view" | "edit" | "confirm-delete";

interface Props {
  task: Task;
  saving: boolean;
  mode: ItemMode;
  /** Whose drafts the editor keeps; null until known. */
  userId: string | null;
  /** What the editor starts with instead of the task: typing kept from before (an ended session). */
  draft?: TypedTask | undefined;
  onToggle: (id: string) => void;
  onEdit: (id: string, from: "button" | "title") => void;
  onDelete: (id: string) => void;
  onSave: (id: string, fields: TaskFields) => void;
  onCancel: (id: string) => void;
  /** In manual order only (decision 030): the drag handle, and where a dragged task is dropped. */
  move?: Mover | undefined;
}

/** What a task needs to be moved by dragging (Alt+↑/↓ are the list's keys). */
export interface Mover {
  /** The id of the element that says how to move a task (one for the whole list). */
  hintId: string;
  onDragStart: (id: string) => void;
  /** A task was dropped on this one: in its upper half (before it) or its lower half (after it). */
  onDrop: (targetId: string, after: boolean) => void;
  onDragEnd: () => void;
}

/** One task: checkbox named by its title, its details, and Edit / Delete always in reach. */
export function TaskItem({
  task,
  saving,
  mode,
  userId,
  draft,
  onToggle,
  onEdit,
  onDelete,
  onSave,
  onCancel,
  move,
}: Props) {
  const metaId = useId();
  const overdue = isOverdue(task);
  const dueToday = !overdue && isToday(task);
  const dueFilter = dueFilterOf(task);
  const reminderCount = task.reminders?.length ?? 0;
  const hasMeta =
    task.priority !== "none" ||
    task.due !== null ||
    task.recurrence !== null ||
    task.tags.length > 0 ||
    reminderCount > 0 ||
    saving;

  return (
    <li
      className={`task${task.completed ? " is-done" : ""}`}
      data-task-id={task.id}
      aria-busy={saving || undefined}
      onDragOver={
        move &&
        ((event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = "move";
        })
      }
      onDrop={
        move &&
        ((event) => {
          event.preventDefault();
          const box = event.currentTarget.getBoundingClientRect();
          move.onDrop(task.id, event.clientY > box.top + box.height / 2);
        })
      }
    >
      {mode === "edit" ? (
        <TaskEditor
          task={task}
          userId={userId}
          draft={draft}
          onSave={(fields) => onSave(task.id, fields)}
          onCancel={() => onCancel(task.id)}
        />
      ) : mode === "confirm-delete" ? (
        <ConfirmDelete task={task} onDelete={() => onDelete(task.id)} onCancel={() => onCancel(task.id)} />
      ) : (
        <>
          {move && (
            <button
              type="button"
              className="btn btn-quiet btn-small task-handle"
              draggable
              aria-label={`Move “${task.title}”`}
              aria-describedby={move.hintId}
              onDragStart={(event) => {
                event.dataTransfer.effectAllowed = "move";
                event.dataTransfer.setData("text/plain", task.id);
                move.onDragStart(task.id);
              }}
              onDragEnd={move.onDragEnd}
            >
              <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01" />
              </svg>
            </button>
          )}
          <input
            type="checkbox"
            checked={task.completed}
            aria-label={task.title}
            aria-describedby={hasMeta ? metaId : undefined}
            onChange={() => onToggle(task.id)}
          />
          <div className="task-main">
            {/* biome-ignore lint/a11y/noStaticElementInteractions: a mouse shortcut; the Edit button is the way for everyone else */}
            <span className="task-title" onDoubleClick={() => onEdit(task.id, "title")}>
              {task.title}
            </span>
            {task.description && <p className="task-description">{task.description}</p>}
            {hasMeta && (
              // Spans, not a list: the page's list items are the tasks themselves.
              <p className="task-meta" id={metaId}>
                {/* Tags, priority and due labels are links that filter the list by them (filter-bar.tsx). */}
                {task.priority !== "none" && (
                  <Badge className={`badge-${task.priority}`}>
                    <FilterLink narrowing={{ priority: task.priority }}>
                      {priorityLabels[task.priority]} priority
                    </FilterLink>
                  </Badge>
                )}
                {task.due && (
                  <Badge className={overdue ? "badge-due-overdue" : dueToday ? "badge-due-today" : ""}>
                    {dueFilter ? (
                      <FilterLink narrowing={{ due: dueFilter }}>
                        <DueTime due={task.due} />
                      </FilterLink>
                    ) : (
                      <DueTime due={task.due} />
                    )}
                  </Badge>
                )}
                {task.recurrence && (
                  <Badge className="badge-repeat">
                    <RepeatLabel recurrence={task.recurrence} />
                  </Badge>
                )}
                {overdue && (
                  <Badge className="badge-overdue">
                    <FilterLink narrowing={{ due: "overdue" }}>Overdue</FilterLink>
                  </Badge>
                )}
                {task.tags.map((tag) => (
                  <Badge key={tag} className="badge-tag">
                    <FilterLink narrowing={{ tag }}>
                      <span className="visually-hidden">Tag:</span> {tag}
                    </FilterLink>
                  </Badge>
                ))}
                {reminderCount > 0 && <ReminderBell count={reminderCount} />}
                {saving && <Badge className="badge-saving">Saving…</Badge>}
              </p>
            )}
            <CompletionHistory task={task} />
          </div>
          <div className="task-actions">
            <button
              type="button"
              className="btn btn-quiet btn-small"
              aria-label={`Edit "${task.title}"`}
              onClick={() => onEdit(task.id, "button")}
            >
              <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M4 20h4L19 9l-4-4L4 16v4Z M13.5 6.5l4 4" />
              </svg>
              <span className="btn-text">Edit</span>
            </button>
            <button
              type="button"
              className="btn btn-quiet btn-small btn-delete"
              aria-label={`Delete "${task.title}"`}
              onClick={() => onDelete(task.id)}
            >
              <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6" />
              </svg>
              <span className="btn-text">Delete</span>
            </button>
          </div>
        </>
      )}
    </li>
  );
}

/** One piece of a task's details; the hidden comma keeps them apart when read aloud. */
/** A due label: the day (and time) in the viewer's words, machine-readable as the task stores it. */
function DueTime({ due }: { due: NonNullable<Task["due"]> }) {
  return <time dateTime={due.time ? `${due.date}T${due.time}` : due.date}>Due {formatDue(due)}</time>;
}

function Badge({ className, children }: { className: string; children: ReactNode }) {
  return (
    <span className={`badge ${className}`}>
      {children}
      <span className="visually-hidden">, </span>
    </span>
  );
}

/**
 * Edit in place: Enter (or leaving the editor) saves, Escape cancels. Saving an empty
 * title is handed up, where the list asks whether to delete the task instead.
 */
function TaskEditor({
  task,
  userId,
  draft,
  onSave,
  onCancel,
}: {
  task: Task;
  userId: string | null;
  draft: TypedTask | undefined;
  onSave: (fields: TaskFields) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const saved = {
    description: task.description,
    priority: task.priority,
    ...dueInputs(task.due),
    tags: task.tags.join(", "),
  };
  const [title, setTitle] = useState(draft?.title ?? task.title);
  const [keepRepeat, setKeepRepeat] = useState(true);
  const { details, tagsError, setTagsError, change } = useDetailsDraft(draft?.details ?? saved);
  const [reminders, setReminders] = useState(task.reminders ?? []);
  // Restored details that differ from the task's are shown, not folded away.
  const [open, setOpen] = useState(draft !== undefined && JSON.stringify(draft.details) !== JSON.stringify(saved));
  /** Every keystroke is kept (lib/drafts.ts); the list forgets it once the change is saved. */
  const remember = (typed: TypedTask) => {
    if (userId) saveDraft(userId, "edit", { ...typed, taskId: task.id });
  };
  const titleRef = useRef<HTMLInputElement>(null);
  const finished = useRef(false);

  useEffect(() => {
    titleRef.current?.focus();
    titleRef.current?.select();
  }, []);

  function save() {
    if (finished.current) return;
    const tags = parseTags(details.tags);
    const problem = checkTags(tags);
    if (problem) {
      setOpen(true);
      setTagsError(problem);
      return;
    }
    finished.current = true;
    // Exactly the day (and time) chosen; untouched fields keep the task's own due.
    const due = dueFromInputs(details, task.due);
    const kept = keepableReminders(reminders, due?.time != null);
    // A repeat needs a due date: clearing the date (or unticking the repeat) stops it.
    const recurrence = task.recurrence && (!keepRepeat || due === null) ? { recurrence: null } : {};
    onSave({
      title,
      description: details.description,
      priority: details.priority,
      due,
      tags,
      reminders: kept,
      ...recurrence,
    });
  }

  function cancel() {
    if (finished.current) return;
    finished.current = true;
    if (userId) saveDraft(userId, "edit", null);
    onCancel();
  }

  return (
    <form
      className="task-editor"
      aria-label={`Editing "${task.title}"`}
      onSubmit={(event: SubmitEvent<HTMLFormElement>) => {
        event.preventDefault();
        save();
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          event.stopPropagation();
          cancel();
        }
      }}
      onBlur={(event) => {
        // Leaving the editor saves; moving between its own fields does not.
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) save();
      }}
      onMouseDown={(event) => {
        // Safari does not focus buttons on click: keep focus inside so a click is not a "leave".
        if (!(event.target as HTMLElement).closest("input, textarea, select")) event.preventDefault();
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-title`} className="visually-hidden">
          Title
        </label>
        <input
          id={`${id}-title`}
          ref={titleRef}
          className="input"
          value={title}
          maxLength={200}
          autoComplete="off"
          onChange={(event) => {
            setTitle(event.target.value);
            remember({ title: event.target.value, details });
          }}
        />
      </div>
      <div id={`${id}-details`} className="details" hidden={!open}>
        <TaskDetailsFields
          draft={details}
          tagsError={tagsError}
          onChange={(next) => {
            change(next);
            remember({ title, details: { ...details, ...next } });
          }}
        />
        <ReminderFields
          reminders={reminders}
          hasDueTime={Boolean(details.due && details.dueTime)}
          onChange={setReminders}
        />
        {task.recurrence && <RepeatField recurrence={task.recurrence} keep={keepRepeat} onChange={setKeepRepeat} />}
      </div>
      <div className="editor-actions">
        <button type="submit" className="btn btn-primary btn-small">
          Save
        </button>
        <button type="button" className="btn btn-small" onClick={cancel}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-quiet btn-small"
          aria-expanded={open}
          aria-controls={`${id}-details`}
          onClick={() => setOpen((value) => !value)}
        >
          {open ? "Hide details" : "Details"}
        </button>
      </div>
    </form>
  );
}

/** Asked when a title was emptied and saved: delete the task, or keep it as it was. */
function ConfirmDelete({ task, onDelete, onCancel }: { task: Task; onDelete: () => void; onCancel: () => void }) {
  return (
    <ConfirmDialog
      question={
        <>
          <strong>The title is empty.</strong> Delete “{task.title}”?
        </>
      }
      cancelLabel="Keep task"
      onCancel={onCancel}
    >
      <button type="button" className="btn btn-danger btn-small" onClick={onDelete}>
        Delete task
      </button>
    </ConfirmDialog>
  );
}
