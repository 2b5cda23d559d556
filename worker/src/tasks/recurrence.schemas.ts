import { z } from "@hono/zod-openapi";
import { constraintOf, sqlStateOf } from "../db/errors.ts";
import { problem } from "../problems.ts";
import { ruleProblem } from "./recurrence.ts";

/**
 * The zod side of recurring tasks (docs/tasks-api.md "Recurring tasks"): the `recurrence` a
 * request may carry, and the read-only `completions` history a task answers. The rules
 * themselves are in ./recurrence.ts.
 */

export const Recurrence = z
  .strictObject(
    {
      rule: z
        .string({ error: "The rule must be an RRULE such as FREQ=WEEKLY;BYDAY=MO" })
        .superRefine((rule, context) => {
          const problem = ruleProblem(rule);
          if (problem) context.addIssue({ code: "custom", message: problem });
        })
        .openapi({
          example: "FREQ=WEEKLY;BYDAY=MO",
          description:
            "An RFC 5545 RRULE (no `RRULE:` prefix): FREQ=DAILY, WEEKLY (BYDAY), MONTHLY (BYMONTHDAY, or BYDAY " +
            "with BYSETPOS) or YEARLY, with INTERVAL, COUNT or UNTIL",
        }),
      from: z
        .enum(["due", "completion"], { error: 'from must be "due" or "completion"' })
        .default("due")
        .openapi({ description: "Whether the next occurrence counts from the due date or from the completion" }),
    },
    { error: "The recurrence must be an object {rule, from} or null" },
  )
  .nullable()
  .openapi("Recurrence", {
    description: "null, or how the task repeats; a recurrence needs a `due`",
  });

export const RecurrenceOutput = z
  .object({ rule: z.string(), from: z.enum(["due", "completion"]) })
  .nullable()
  .openapi({ example: null });

export const Completions = z
  .array(
    z.object({
      at: z.string().datetime(),
      due: z.object({ date: z.string(), time: z.string().nullable(), timeZone: z.string().nullable() }),
    }),
  )
  .openapi({
    description:
      "Read-only: the latest completions of a recurring task (at most 20, newest first), each with the due date " +
      "it had then",
  });

/** A create or replace body: a recurrence repeats a due date, so it needs one. */
export function recurrenceNeedsDue(
  body: { recurrence?: z.output<typeof Recurrence> | undefined; due?: unknown },
  context: z.core.$RefinementCtx,
) {
  if (body.recurrence && !body.due)
    context.addIssue({ code: "custom", path: ["recurrence"], message: "A recurring task needs a due date" });
}

/**
 * A PATCH that leaves a recurring task without a due date (`due: null`, or a recurrence on a
 * task that has none) breaks the table's check `tasks_recurrence_needs_due`: the request's
 * 422 on `recurrence`, not a 500. Any other error goes on.
 */
export function refuseRecurrenceWithoutDue(error: unknown): void {
  if (sqlStateOf(error) !== "23514" || constraintOf(error) !== "tasks_recurrence_needs_due") return;
  const message = "A recurring task needs a due date: clear the recurrence, or give it a due date";
  throw problem("validation_failed", {
    detail: "Some fields are not valid.",
    extensions: { errors: [{ path: "recurrence", message }] },
  });
}
