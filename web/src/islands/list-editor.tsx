import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import type { List } from "../lib/api-client.ts";
import { deleteList, updateList } from "../lib/list-actions.ts";
import { listColours } from "../lib/lists.ts";

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
  userId,
  list,
  count,
  onDone,
  onError,
}: {
  userId: string;
  list: List;
  count: number;
  onDone: (gone: boolean) => void;
  onError: (what: string, cause: unknown) => void;
}) {
  const id = useId();
  const [name, setName] = useState(list.name);
  const [colour, setColour] = useState(list.colour);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  useEffect(() => nameRef.current?.focus(), []);
  useEffect(() => {
    if (asking) askRef.current?.focus();
  }, [asking]);

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    setBusy(true);
    try {
      if (trimmed !== list.name || colour !== list.colour) await updateList(userId, list, { name: trimmed, colour });
      onDone(false);
    } catch (cause) {
      onError("The list could not be saved.", cause);
      setBusy(false);
    }
  };

  const remove = async (tasks: "move" | "delete") => {
    setBusy(true);
    try {
      await deleteList(userId, list, tasks);
      onDone(true);
    } catch (cause) {
      onError("The list could not be deleted.", cause);
      setBusy(false);
    }
  };

  if (asking) {
    return (
      <div
        className="confirm list-confirm"
        role="alertdialog"
        aria-labelledby={`${id}-question`}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.stopPropagation();
            setAsking(false);
          }
        }}
      >
        <p id={`${id}-question`}>
          <strong>Delete the list “{list.name}”?</strong>{" "}
          {count === 0 ? "It has no tasks." : `What becomes of its ${count === 1 ? "task" : `${count} tasks`}?`}
        </p>
        <div className="button-row">
          <button
            ref={askRef}
            type="button"
            className="btn btn-small btn-primary"
            disabled={busy}
            onClick={() => void remove("move")}
          >
            Delete list, move tasks to Inbox
          </button>
          <button
            type="button"
            className="btn btn-small btn-danger"
            disabled={busy}
            onClick={() => void remove("delete")}
          >
            Delete list and its tasks
          </button>
          <button type="button" className="btn btn-small" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </div>
      </div>
    );
  }

  return (
    <form
      className="list-editor"
      onSubmit={(event) => void save(event)}
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
        <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
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
