import { useId } from "react";
import { describeBefore, type Reminder, reminderPresets } from "../../../worker/src/tasks/reminders.ts";

interface Props {
  reminders: readonly Reminder[];
  /** Whether the task (as edited) has a due date with a time: `before` reminders need one. */
  hasDueTime: boolean;
  onChange: (reminders: Reminder[]) => void;
}

const maxReminders = 5;

function label(reminder: Reminder): string {
  if ("before" in reminder) return describeBefore(reminder.before);
  return `At ${new Date(reminder.at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`;
}

/**
 * The editor's reminders (docs/web.md "Reminders"): the ones set, each with Remove, and the
 * presets to add — at due time, 15 minutes, 1 hour, 1 day before — which need a due time.
 */
export function ReminderFields({ reminders, hasDueTime, onChange }: Props) {
  const id = useId();
  const full = reminders.length >= maxReminders;
  const has = (before: string) => reminders.some((reminder) => "before" in reminder && reminder.before === before);
  return (
    <fieldset className="field field-wide reminder-fields" aria-describedby={`${id}-hint`}>
      <legend>Reminders</legend>
      {reminders.length > 0 && (
        <ul className="reminder-list">
          {reminders.map((reminder) => {
            const text = label(reminder);
            const unusable = "before" in reminder && !hasDueTime;
            return (
              <li key={"before" in reminder ? `b${reminder.before}` : `a${reminder.at}`}>
                <span>
                  {text}
                  {unusable && " (removed on save: needs a due time)"}
                </span>
                <button
                  type="button"
                  className="btn btn-quiet btn-small"
                  aria-label={`Remove reminder ${text}`}
                  onClick={() => onChange(reminders.filter((other) => other !== reminder))}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="button-row">
        {reminderPresets.map((preset) => (
          <button
            key={preset.before}
            type="button"
            className="btn btn-small"
            disabled={!hasDueTime || full || has(preset.before)}
            onClick={() => onChange([...reminders, { before: preset.before }])}
          >
            Remind {preset.label.toLowerCase()}
          </button>
        ))}
      </div>
      <p id={`${id}-hint`} className="field-hint">
        {hasDueTime
          ? `Up to ${maxReminders}; by email, and as a notification while Brisk is open`
          : "Set a due date and time to add reminders"}
      </p>
    </fieldset>
  );
}
