/** The task's reminders at a glance: a small bell and their count (docs/web.md "Reminders"). */
export function ReminderBell({ count }: { count: number }) {
  const text = `${count} ${count === 1 ? "reminder" : "reminders"}`;
  return (
    <span className="badge badge-reminders" title={text}>
      <svg className="icon icon-small" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4l2-2Z M10 20a2 2 0 0 0 4 0" />
      </svg>
      <span aria-hidden="true">{count}</span>
      <span className="visually-hidden">{text}, </span>
    </span>
  );
}
