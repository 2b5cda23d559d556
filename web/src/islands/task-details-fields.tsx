import { useId, useState } from "react";
import { type Priority, priorities } from "../lib/api-client.ts";
import { type DetailsDraft, priorityLabels } from "../lib/task-view.ts";

/** A details draft and its tags error, for TaskDetailsFields: a change to the tags clears the error. */
export function useDetailsDraft(initial: DetailsDraft) {
  const [details, setDetails] = useState<DetailsDraft>(initial);
  const [tagsError, setTagsError] = useState<string | undefined>();
  const change = (next: Partial<DetailsDraft>) => {
    setDetails((current) => ({ ...current, ...next }));
    if ("tags" in next) setTagsError(undefined);
  };
  return { details, setDetails, tagsError, setTagsError, change };
}

interface Props {
  draft: DetailsDraft;
  onChange: (change: Partial<DetailsDraft>) => void;
  tagsError?: string | undefined;
  disabled?: boolean;
}

/** Description, priority, due date and time, and tags — shared by the new-task form and the editor. */
export function TaskDetailsFields({ draft, onChange, tagsError, disabled = false }: Props) {
  const id = useId();
  return (
    <>
      <div className="field field-wide">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          value={draft.description}
          maxLength={1000}
          rows={2}
          disabled={disabled}
          onChange={(event) => onChange({ description: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-priority`}>Priority</label>
        <select
          id={`${id}-priority`}
          value={draft.priority}
          disabled={disabled}
          onChange={(event) => onChange({ priority: event.target.value as Priority })}
        >
          {priorities.map((priority) => (
            <option key={priority} value={priority}>
              {priorityLabels[priority]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-due`}>Due date</label>
        <input
          id={`${id}-due`}
          type="date"
          value={draft.due}
          disabled={disabled}
          onChange={(event) => onChange({ due: event.target.value, ...(event.target.value ? {} : { dueTime: "" }) })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-due-time`}>Due time</label>
        <input
          id={`${id}-due-time`}
          type="time"
          value={draft.dueTime}
          disabled={disabled || !draft.due}
          aria-describedby={`${id}-due-time-hint`}
          onChange={(event) => onChange({ dueTime: event.target.value })}
        />
        <p id={`${id}-due-time-hint`} className="field-hint">
          Optional; without a time the task is due all day
        </p>
      </div>
      <div className="field field-wide">
        <label htmlFor={`${id}-tags`}>Tags</label>
        <p id={`${id}-tags-hint`} className="field-hint">
          Separate tags with commas, e.g. work, errands
        </p>
        <input
          id={`${id}-tags`}
          value={draft.tags}
          autoComplete="off"
          disabled={disabled}
          aria-invalid={tagsError ? true : undefined}
          aria-describedby={`${id}-tags-hint${tagsError ? ` ${id}-tags-error` : ""}`}
          onChange={(event) => onChange({ tags: event.target.value })}
        />
        {tagsError && (
          <p id={`${id}-tags-error`} className="field-error">
            {tagsError}
          </p>
        )}
      </div>
    </>
  );
}
