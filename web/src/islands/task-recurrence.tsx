import { useId } from "react";
import type { Due } from "../../../worker/src/tasks/due.ts";
import type { Recurrence } from "../../../worker/src/tasks/recurrence.ts";
import { describeRecurrence } from "../../../worker/src/tasks/recurrence-text.ts";
import type { Task } from "../lib/api-client.ts";
import { formatDue } from "../lib/task-view.ts";

/**
 * A recurring task's parts of the task item (decision 024): its repeat, said in English, and the
 * history of its completions; and in the editor, the repeat with a way to stop it.
 */

export function RepeatLabel({ recurrence }: { recurrence: Recurrence }) {
  return <span className="task-repeat">{describeRecurrence(recurrence)}</span>;
}

const doneAt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "Completed 3 times": each completion, newest first, with the due date it had (a date, never "Tomorrow"). */
export function CompletionHistory({ task }: { task: Task }) {
  if (task.completions.length === 0) return null;
  const count = task.completions.length;
  return (
    <details className="task-history">
      <summary>
        Completed {count === 1 ? "once" : `${count} times`}
        <span className="visually-hidden"> — “{task.title}”</span>
      </summary>
      <p>
        {task.completions.map((completion, i) => (
          <span key={completion.at} className="task-history-entry">
            <time dateTime={completion.at}>{doneAt.format(new Date(completion.at))}</time> (due{" "}
            <time dateTime={dueDateTime(completion.due)}>
              {formatDue(completion.due, undefined, { relative: false })}
            </time>
            ){i < count - 1 ? "; " : ""}
          </span>
        ))}
      </p>
    </details>
  );
}

const dueDateTime = (due: Due) => (due.time ? `${due.date}T${due.time}` : due.date);

/** In the editor: the task's repeat, kept while checked; unchecked, saving stops it. */
export function RepeatField({
  recurrence,
  keep,
  onChange,
}: {
  recurrence: Recurrence;
  keep: boolean;
  onChange: (keep: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field field-inline">
      <input id={id} type="checkbox" checked={keep} onChange={(event) => onChange(event.target.checked)} />
      <label htmlFor={id}>{describeRecurrence(recurrence)}</label>
    </div>
  );
}
