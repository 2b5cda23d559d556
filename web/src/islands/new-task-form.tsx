import { type RefObject, type SubmitEvent, useEffect, useId, useState } from "react";
import type { TaskFields } from "../lib/api-client.ts";
import { forgetDraftIf, readDrafts, saveDraft } from "../lib/drafts.ts";
import {
  checkTags,
  type DetailsDraft,
  dueFromInputs,
  emptyDetails,
  isBlank,
  parseTags,
  type TypedTask,
} from "../lib/task-view.ts";
import { TaskDetailsFields, useDetailsDraft } from "./task-details-fields.tsx";

interface Props {
  disabled: boolean;
  inputRef: RefObject<HTMLInputElement | null>;
  /** Whose drafts these are; null until the list knows who is signed in. */
  userId: string | null;
  /** Resolves false when the server refused: the typed title comes back if the field is still empty. */
  onAdd: (fields: TaskFields) => Promise<boolean>;
  /** A draft kept from before (an ended session, a reload) was put back into the form. */
  onRestored: () => void;
  /** What was restored is gone: sent, or emptied on purpose. */
  onDraftGone: () => void;
}

/** "New task": Enter adds (trimmed; nothing when empty); details are one button away. */
export function NewTaskForm({ disabled, inputRef, userId, onAdd, onRestored, onDraftGone }: Props) {
  const [title, setTitle] = useState("");
  const { details, setDetails, tagsError, setTagsError, change } = useDetailsDraft(emptyDetails);
  const [open, setOpen] = useState(false);
  const id = useId();

  // What was typed before the page was left (an ended session, a reload) comes back.
  useEffect(() => {
    const draft = userId ? readDrafts(userId).newTask : undefined;
    if (!draft) return;
    setTitle((current) => current || draft.title);
    setDetails(draft.details);
    if (!isBlank({ title: "", details: draft.details })) setOpen(true);
    onRestored();
  }, [userId, setDetails, onRestored]);

  /** Every keystroke is kept, so an ended session loses nothing; an emptied form keeps nothing. */
  function remember(typed: TypedTask) {
    if (!userId) return;
    const blank = isBlank(typed);
    saveDraft(userId, "newTask", blank ? null : typed);
    if (blank) onDraftGone();
  }

  function changeDetails(next: Partial<DetailsDraft>) {
    change(next);
    remember({ title, details: { ...details, ...next } });
  }

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) {
      setTitle("");
      return;
    }
    const tags = parseTags(details.tags);
    const problem = checkTags(tags);
    if (problem) {
      setOpen(true);
      setTagsError(problem);
      return;
    }
    const fields: TaskFields = {
      title: trimmed,
      description: details.description,
      priority: details.priority,
      due: dueFromInputs(details),
      tags,
    };
    // The draft stays kept until the server has the task: a session that ends now loses nothing.
    const sent: TypedTask = { title, details };
    setTitle("");
    setDetails(emptyDetails);
    setTagsError(undefined);
    // Details are for this task only: fold them away and carry on typing the next one.
    setOpen(false);
    inputRef.current?.focus();
    const added = await onAdd(fields);
    if (added) {
      if (userId) forgetDraftIf(userId, "newTask", sent);
      onDraftGone();
      return;
    }
    // Refused: what was sent comes back, unless the person has started on the next task.
    if (!inputRef.current?.value) {
      setTitle(trimmed);
      setDetails(sent.details);
    }
  }

  return (
    <form className="new-task" onSubmit={onSubmit} aria-label="Add a task">
      <div className="field">
        <label htmlFor={`${id}-title`}>New task</label>
        <div className="new-task-row">
          <input
            id={`${id}-title`}
            ref={inputRef}
            className="input"
            value={title}
            maxLength={200}
            autoComplete="off"
            placeholder="What needs doing?"
            enterKeyHint="done"
            disabled={disabled}
            onChange={(event) => {
              setTitle(event.target.value);
              remember({ title: event.target.value, details });
            }}
            onKeyDown={(event) => {
              // Escape leaves the field, so the list's shortcuts answer again.
              if (event.key === "Escape") event.currentTarget.blur();
            }}
          />
          <button
            type="button"
            className="btn"
            aria-expanded={open}
            aria-controls={`${id}-details`}
            disabled={disabled}
            onClick={() => setOpen((value) => !value)}
          >
            Details
          </button>
          <button type="submit" className="btn btn-primary" disabled={disabled}>
            Add task
          </button>
        </div>
      </div>
      <div id={`${id}-details`} className="details" hidden={!open}>
        <TaskDetailsFields draft={details} disabled={disabled} tagsError={tagsError} onChange={changeDetails} />
      </div>
    </form>
  );
}
