import { type RefObject, type SubmitEvent, useId, useState } from "react";
import type { TaskFields } from "../lib/api-client.ts";
import { checkTags, dueAtFromDateInput, parseTags } from "../lib/task-view.ts";
import { emptyDetails, TaskDetailsFields, useDetailsDraft } from "./task-details-fields.tsx";

interface Props {
  disabled: boolean;
  inputRef: RefObject<HTMLInputElement | null>;
  /** Resolves false when the server refused: the typed title comes back if the field is still empty. */
  onAdd: (fields: TaskFields) => Promise<boolean>;
}

/** "New task": Enter adds (trimmed; nothing when empty); details are one button away. */
export function NewTaskForm({ disabled, inputRef, onAdd }: Props) {
  const [title, setTitle] = useState("");
  const { details, setDetails, tagsError, setTagsError, change } = useDetailsDraft(emptyDetails);
  const [open, setOpen] = useState(false);
  const id = useId();

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
      dueAt: dueAtFromDateInput(details.due),
      tags,
    };
    setTitle("");
    setDetails(emptyDetails);
    setTagsError(undefined);
    // Details are for this task only: fold them away and carry on typing the next one.
    setOpen(false);
    inputRef.current?.focus();
    const added = await onAdd(fields);
    if (!added) setTitle((current) => current || trimmed);
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
            onChange={(event) => setTitle(event.target.value)}
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
        <TaskDetailsFields draft={details} disabled={disabled} tagsError={tagsError} onChange={change} />
      </div>
    </form>
  );
}
