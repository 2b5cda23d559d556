import { useEffect, useId, useRef, useState } from "react";
import type { Due } from "../../../worker/src/tasks/due.ts";
import type { Recurrence } from "../../../worker/src/tasks/recurrence.ts";
import { describeRecurrence } from "../../../worker/src/tasks/recurrence-text.ts";
import type { TaskPatch } from "../lib/api-client.ts";
import type { Change, Choice } from "../lib/outbox.ts";
import { formatDue, priorityLabels } from "../lib/task-view.ts";
import { openDialog } from "./shortcuts-dialog.tsx";

const fieldLabels: Record<keyof TaskPatch, string> = {
  title: "Title",
  description: "Details",
  priority: "Priority",
  due: "Due",
  tags: "Tags",
  completed: "Done",
  reminders: "Reminders",
  recurrence: "Repeat",
  position: "Place in manual order",
};

function shown(field: keyof TaskPatch, value: unknown): string {
  if (value === null || value === undefined || value === "") return "(empty)";
  if (field === "priority") return priorityLabels[value as keyof typeof priorityLabels] ?? String(value);
  if (field === "due") return formatDue(value as Due);
  if (field === "reminders") return Array.isArray(value) && value.length > 0 ? `${value.length} set` : "(none)";
  if (field === "recurrence") return describeRecurrence(value as Recurrence);
  // A key means nothing to a person: each side's place is where that device moved the task.
  if (field === "position") return "Where it was moved";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "(none)";
  if (typeof value === "boolean") return value ? "Complete" : "Not complete";
  return String(value);
}

/**
 * A change made here met another device's change to the same field (a 412 that could not be
 * merged): both values are shown and the person picks, field by field. Nothing is lost by
 * waiting: the change stays queued until they choose.
 */
export function ConflictDialog({
  change,
  onResolve,
}: {
  change: Change;
  onResolve: (opId: string, choices: Partial<Record<keyof TaskPatch, Choice>>, keepDeleted?: boolean) => void;
}) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [choices, setChoices] = useState<Partial<Record<keyof TaskPatch, Choice>>>({});
  useEffect(() => {
    if (ref.current && !ref.current.open) openDialog(ref.current);
  }, []);
  if (!("conflict" in change) || !change.conflict) return null;
  const { server, fields } = change.conflict;

  return (
    <dialog
      ref={ref}
      className="shortcuts conflict"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-about`}
      // A choice is needed: Escape does not throw either version away.
      onCancel={(event) => event.preventDefault()}
    >
      <h2 id={`${id}-title`}>Changed on another device</h2>
      {change.kind === "delete" ? (
        <>
          <p id={`${id}-about`}>“{server.title}” was changed on another device after you deleted it here.</p>
          <div className="button-row">
            <button type="button" className="btn btn-danger" onClick={() => onResolve(change.opId, {}, true)}>
              Delete it
            </button>
            <button type="button" className="btn" onClick={() => onResolve(change.opId, {}, false)}>
              Keep it
            </button>
          </div>
        </>
      ) : change.kind === "patch" ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            onResolve(change.opId, choices);
          }}
        >
          <p id={`${id}-about`}>
            “{server.title}” was changed here and on another device. Choose which to keep for each.
          </p>
          {fields.map((field) => (
            <fieldset key={field} className="conflict-field">
              <legend>{fieldLabels[field]}</legend>
              {(["mine", "theirs"] as const).map((side) => (
                <label key={side} className="choice">
                  <input
                    type="radio"
                    name={`${id}-${field}`}
                    value={side}
                    required
                    checked={choices[field] === side}
                    onChange={() => setChoices((c) => ({ ...c, [field]: side }))}
                  />{" "}
                  {side === "mine" ? "Yours" : "Other device"}:{" "}
                  {shown(field, side === "mine" ? change.patch[field] : server[field])}
                </label>
              ))}
            </fieldset>
          ))}
          <button type="submit" className="btn btn-primary">
            Keep these
          </button>
        </form>
      ) : null}
    </dialog>
  );
}
