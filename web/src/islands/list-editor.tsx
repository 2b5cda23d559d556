import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import type { List } from "../lib/api-client.ts";
import type { ListPatch } from "../lib/list-actions.ts";
import { listColours } from "../lib/lists.ts";
import { ConfirmDialog } from "./account-menu.tsx";

const colourLabels: Record<List["colour"], string> = {
  grey: "Grey",
  red: "Red",
  orange: "Orange",
  yellow: "Yellow",
  green: "Green",
  blue: "Blue",
  purple: "Purple",
  pink: "Pink",
};

/** Rename, recolour or delete one list; deleting asks whether its tasks move to the Inbox or go. */
export default function ListEditor({
  list,
  count,
  onSave,
  onDelete,
  onDone,
}: {
  list: List;
  count: number;
  /** Queues the change (lib/outbox.ts): shown at once, sent when the server can be reached. */
  onSave: (patch: ListPatch) => void;
  /** Queues the deletion, with Undo (the task list's toast). */
  onDelete: (tasks: "move" | "delete") => void;
  onDone: (gone: boolean) => void;
}) {
  const id = useId();
  const [name, setName] = useState(list.name);
  const [colour, setColour] = useState(list.colour);
  const [asking, setAsking] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => nameRef.current?.focus(), []);

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    if (trimmed !== list.name || colour !== list.colour) onSave({ name: trimmed, colour });
    onDone(false);
  };

  const remove = (tasks: "move" | "delete") => {
    onDelete(tasks);
    onDone(true);
  };

  if (asking) {
    return (
      <ConfirmDialog
        className="list-confirm"
        question={
          <>
            <strong>Delete the list “{list.name}”?</strong>{" "}
            {count === 0 ? "It has no tasks." : `What becomes of its ${count === 1 ? "task" : `${count} tasks`}?`}
          </>
        }
        onCancel={() => setAsking(false)}
      >
        <button type="button" className="btn btn-small btn-primary" onClick={() => remove("move")}>
          Delete list, move tasks to Inbox
        </button>
        <button type="button" className="btn btn-small btn-danger" onClick={() => remove("delete")}>
          Delete list and its tasks
        </button>
      </ConfirmDialog>
    );
  }

  return (
    <form
      className="list-editor"
      onSubmit={save}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          onDone(false);
        }
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-name`}>List name</label>
        <input
          id={`${id}-name`}
          ref={nameRef}
          className="input"
          type="text"
          value={name}
          maxLength={100}
          required
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-colour`}>Colour</label>
        <select
          id={`${id}-colour`}
          value={colour}
          onChange={(event) => setColour(event.target.value as List["colour"])}
        >
          {listColours.map((value) => (
            <option key={value} value={value}>
              {colourLabels[value]}
            </option>
          ))}
        </select>
      </div>
      <div className="button-row">
        <button type="submit" className="btn btn-small btn-primary">
          Save
        </button>
        {!list.inbox && (
          <button type="button" className="btn btn-small btn-danger" onClick={() => setAsking(true)}>
            Delete list
          </button>
        )}
        <button type="button" className="btn btn-small" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
