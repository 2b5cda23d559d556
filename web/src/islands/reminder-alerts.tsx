import { useEffect, useRef, useState } from "react";
import type { Task } from "../lib/api-client.ts";
import { anyReminders, type UpcomingReminder, upcomingReminders } from "../lib/reminders.ts";
import { personZone } from "../lib/time-zone.ts";

/** setTimeout's longest wait; a reminder further away is re-timed when the wait ends. */
const longestWait = 2 ** 31 - 1;

function notificationsAvailable(): boolean {
  return typeof window !== "undefined" && "Notification" in window;
}

/**
 * The open app's reminders (docs/web.md "Reminders"): one timer for the replica's next reminder;
 * when it comes, a system notification if the person allowed them, else a message in the page
 * (`role="status"`). The "Turn on reminders" button asks for permission — only on that click, and
 * only while some task has reminders and the browser has not been answered yet. Mail is sent as well
 * (the server cannot know the page showed it): decision 026.
 */
export function ReminderAlerts({ tasks }: { tasks: readonly Task[] }) {
  const [shown, setShown] = useState<UpcomingReminder[]>([]);
  /** Bumped after each timer, so the next reminder is timed. */
  const [tick, setTick] = useState(0);
  const [permission, setPermission] = useState<NotificationPermission | "unsupported">("unsupported");
  const fired = useRef(new Set<string>());

  useEffect(() => {
    setPermission(notificationsAvailable() ? Notification.permission : "unsupported");
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` changes after each timer, to time the next reminder
  useEffect(() => {
    const now = Date.now();
    const next = upcomingReminders(tasks, now, personZone()).find((reminder) => !fired.current.has(reminder.key));
    if (!next) return;
    const timer = setTimeout(
      () => {
        const due = upcomingReminders(tasks, now, personZone()).filter(
          (reminder) => reminder.at <= Date.now() && !fired.current.has(reminder.key),
        );
        for (const reminder of due) {
          fired.current.add(reminder.key);
          if (notificationsAvailable() && Notification.permission === "granted") {
            try {
              new Notification(`Reminder: ${reminder.title}`, { tag: reminder.key, body: "Brisk" });
              continue;
            } catch {
              // Some browsers allow notifications only from a service worker: fall back to the page.
            }
          }
          setShown((current) => [...current, reminder]);
        }
        setTick((value) => value + 1);
      },
      Math.min(Math.max(next.at - now, 0), longestWait),
    );
    return () => clearTimeout(timer);
  }, [tasks, tick]);

  const offer = permission === "default" && anyReminders(tasks);

  return (
    <div className="reminder-alerts">
      {offer && (
        <button
          type="button"
          className="btn btn-small btn-quiet"
          onClick={() => {
            void Notification.requestPermission().then(setPermission, () => setPermission(Notification.permission));
          }}
        >
          Turn on reminders
        </button>
      )}
      <div className="toast-region toast-region-reminders">
        <div role="status">
          {shown.map((reminder) => (
            <div className="toast" key={reminder.key}>
              <span>Reminder: {reminder.title}</span>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => setShown((current) => current.filter((one) => one.key !== reminder.key))}
              >
                Dismiss
              </button>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
