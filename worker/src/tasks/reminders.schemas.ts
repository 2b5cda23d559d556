import { z } from "@hono/zod-openapi";
import { constraintOf, sqlStateOf } from "../db/errors.ts";
import { problem } from "../problems.ts";
import type { Due } from "./due.ts";
import { durationSeconds, maxBefore, maxReminders, type Reminder, reminderKey } from "./reminders.ts";

/**
 * `reminders` in zod (docs/tasks-api.md "Reminders"; the rules are in ./reminders.ts). Each
 * part is checked on its own so a mistake names its field: `reminders.0.before`, `reminders.1.at`.
 */

const Before = z
  .string({ error: "before must be an ISO 8601 duration such as PT15M, PT1H or P1D" })
  .refine(
    (value) => durationSeconds(value) !== null,
    `before must be an ISO 8601 duration in weeks, days, hours or minutes (PT15M, PT1H, P1D), at most ${maxBefore}`,
  )
  .openapi({ example: "PT15M", description: "How long before the timed `due`: weeks, days, hours, minutes" });

const At = z
  .string({ error: "at must be an ISO instant such as 2026-12-01T16:45:00Z" })
  .refine(
    (value) => z.iso.datetime({ offset: true }).safeParse(value).success,
    "at must be an ISO instant with its offset, such as 2026-12-01T16:45:00Z",
  )
  .transform((value) => new Date(value).toISOString())
  .openapi({ example: "2026-12-01T16:45:00.000Z", description: "An instant; stored in UTC" });

/** What the answers carry: exactly one of `before` and `at`. */
export const ReminderShape = z
  .union([z.object({ before: z.string() }), z.object({ at: z.string() })])
  .openapi("Reminder", {
    description: "Exactly one of `before` (an ISO 8601 duration before a timed `due`) and `at` (an ISO instant)",
    example: { before: "PT15M" },
  });

const OneReminder = z
  .strictObject(
    { before: Before.optional(), at: At.optional() },
    { error: 'Each reminder must be an object {"before": "PT15M"} or {"at": "<ISO instant>"}' },
  )
  .superRefine((reminder, context) => {
    if ((reminder.before === undefined) === (reminder.at === undefined))
      context.addIssue({ code: "custom", message: "A reminder has exactly one of before and at" });
  })
  .transform(
    (reminder): Reminder => (reminder.at !== undefined ? { at: reminder.at } : { before: reminder.before ?? "" }),
  );

export const Reminders = z
  .array(OneReminder, { error: "reminders must be a list" })
  .max(maxReminders, `At most ${maxReminders} reminders`)
  .superRefine((reminders, context) => {
    const seen = new Set<string>();
    reminders.forEach((reminder, i) => {
      const key = reminderKey(reminder);
      if (seen.has(key))
        context.addIssue({
          code: "custom",
          path: [i, "before" in reminder ? "before" : "at"],
          message: "Reminders must be distinct: this one repeats an earlier one",
        });
      seen.add(key);
    });
  })
  .openapi({
    example: [{ before: "PT15M" }],
    description: `Up to ${maxReminders} distinct reminders, each {before} (needs a timed due) or {at}`,
  });

const needsTimeMessage = "A reminder before the due time needs a due date with a time";

/**
 * A `before` reminder needs a timed `due` — checked here when the body carries both (a PATCH
 * of `reminders` alone is checked by the database's `tasks_reminders_need_time`).
 */
export function remindersNeedTime(
  body: { due?: Due | null | undefined; reminders?: Reminder[] | null | undefined },
  context: z.RefinementCtx,
) {
  if (body.due === undefined || !body.reminders) return;
  if (body.due?.time) return;
  body.reminders.forEach((reminder, i) => {
    if ("before" in reminder)
      context.addIssue({ code: "custom", path: ["reminders", i, "before"], message: needsTimeMessage });
  });
}

/** The check constraint that refuses `before` reminders without a timed due (./reminders.sql.ts). */
export const needsTimeConstraint = "tasks_reminders_need_time";

/**
 * A write the database refused because it would leave `before` reminders without a timed due
 * (a PATCH of `reminders` alone, or of `due` alone): the 422 the body deserves, not a 500.
 */
export function refuseRemindersWithoutTime(error: unknown): void {
  if (sqlStateOf(error) !== "23514" || constraintOf(error) !== needsTimeConstraint) return;
  const message = `${needsTimeMessage}: give the due date a time, or remove those reminders`;
  throw problem("validation_failed", {
    detail: "Some fields are not valid.",
    extensions: { errors: [{ path: "reminders", message }] },
  });
}
