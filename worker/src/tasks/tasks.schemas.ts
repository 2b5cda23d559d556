import { z } from "@hono/zod-openapi";
import { List, ListId, Position } from "../lists/lists.schemas.ts";
import { isCalendarDate, isWallTime, isZoneName } from "./due.ts";
import { Completions, Recurrence, RecurrenceOutput, recurrenceNeedsDue } from "./recurrence.schemas.ts";
import { ReminderShape, Reminders, remindersNeedTime } from "./reminders.schemas.ts";
import { priorities } from "./tasks.tables.ts";

/**
 * The task contract (docs/tasks-api.md) in zod: these schemas validate every
 * request and generate the OpenAPI document, so the two cannot drift apart.
 */

/** A task's place in manual order: the list's position key and its rules (decision 030). */
const TaskPosition = Position.openapi({
  example: "a1",
  description:
    "Where the task sorts in manual order (`sort=manual`, byte order, the id breaking a tie): a fractional-indexing " +
    "key made with `generateKeyBetween(before, after)`, so moving a task never renumbers the others",
});

export const Priority = z.enum(priorities).openapi({ description: "How important the task is" });

const Title = z
  .string({ error: "Title must be text" })
  .trim()
  .min(1, "Title cannot be empty")
  .max(200, "Title must be at most 200 characters")
  .refine(storableText, "Title cannot contain NUL or unpaired surrogate characters")
  .openapi({ example: "Write the quarterly report" });

const Description = z
  .string({ error: "Description must be text" })
  .max(1000, "Description must be at most 1000 characters")
  .refine(storableText, "Description cannot contain NUL or unpaired surrogate characters")
  .openapi({ example: "" });

/**
 * When the task is due (docs/tasks-api.md "The due model"; the rules are in ./due.ts): a
 * calendar day, or a wall-clock time on it in a zone (the person's when null). Each part
 * is checked on its own so a mistake names its field (`due.date`, `due.time`, `due.timeZone`).
 */
export const Due = z
  .strictObject(
    {
      date: z
        .string({ error: "The due date must be text such as 2026-12-01" })
        .refine(isCalendarDate, "The due date must be a real date as YYYY-MM-DD in the years 1000 to 9999")
        .openapi({ example: "2026-12-01", description: "The calendar day, `YYYY-MM-DD`" }),
      time: z
        .string({ error: "The due time must be text such as 17:00" })
        .refine(isWallTime, "The due time must be HH:MM, from 00:00 to 23:59")
        .nullable()
        .default(null)
        .openapi({ example: "17:00", description: "A wall-clock time `HH:MM`; null for all day" }),
      timeZone: z
        .string({ error: "The due time zone must be text such as Europe/Berlin" })
        .refine(isZoneName, "The due time zone must be an IANA time zone name such as Europe/Berlin")
        .nullable()
        .default(null)
        .openapi({
          example: "Europe/Berlin",
          description: "The IANA zone of `time`; null for the person's zone. Only with a time",
        }),
    },
    { error: "The due date must be an object {date, time, timeZone} or null" },
  )
  .superRefine((due, context) => {
    if (due.timeZone !== null && due.time === null)
      context.addIssue({
        code: "custom",
        path: ["timeZone"],
        message: "A time zone needs a time: an all-day date is the same day in every zone",
      });
  })
  .nullable()
  .openapi("Due", {
    description:
      "null, or a calendar day (`time` null: the same day in every zone), or a wall-clock time on it in `timeZone`",
  });

const Tag = z
  .string({ error: "Each tag must be text" })
  .trim()
  .toLowerCase()
  .min(1, "A tag cannot be empty")
  .max(32, "A tag must be at most 32 characters")
  .refine(storableText, "A tag cannot contain NUL or unpaired surrogate characters");

const Tags = z
  .array(Tag, { error: "Tags must be a list of text" })
  .transform((tags) => [...new Set(tags)])
  .pipe(z.array(z.string()).max(10, "At most 10 distinct tags"))
  .openapi({ example: ["work"] });

const Completed = z.boolean({ error: "Completed must be true or false" });

export const TaskId = z
  .uuid({ error: "Task ids are UUIDs" })
  .openapi({ example: "5b0c7c1e-4d8e-4f7a-9a53-2f1f0b6f2d4e" });

export const Task = z
  .object({
    id: TaskId,
    userId: z.string(),
    title: z.string(),
    description: z.string(),
    completed: z.boolean(),
    completedAt: z.string().datetime().nullable(),
    priority: Priority,
    due: z
      .object({ date: z.string(), time: z.string().nullable(), timeZone: z.string().nullable() })
      .nullable()
      .openapi({ example: { date: "2026-12-01", time: "17:00", timeZone: "Europe/Berlin" } }),
    list: ListId.openapi({ description: 'The id of the list the task is in (docs/tasks-api.md "Lists")' }),
    position: z
      .string()
      .openapi({ description: 'Where the task sorts in manual order (docs/tasks-api.md "Manual order")' }),
    reminders: z.array(ReminderShape),
    recurrence: RecurrenceOutput,
    completions: Completions,
    tags: z.array(z.string()),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    version: z.number().int().min(1),
  })
  .openapi("Task");

const createFields = z.object({
  id: TaskId.optional(),
  title: Title,
  description: Description.default(""),
  completed: Completed.default(false),
  priority: Priority.default("none"),
  due: Due.default(null),
  reminders: Reminders.default([]),
  recurrence: Recurrence.default(null),
  tags: Tags.default([]),
  list: ListId.optional().openapi({ description: "One of the person's lists; the Inbox when left out" }),
  position: TaskPosition.optional().openapi({
    description: "Left out: the top of manual order on a create (above every older task), unchanged on a PUT",
  }),
});

/** POST: a new task; `id` may be chosen by the client so a retried create is recognised. */
export const CreateTask = createFields
  .superRefine(remindersNeedTime)
  .superRefine(recurrenceNeedsDue)
  .openapi("CreateTask");

/** PUT: every editable field; one left out takes its default. */
export const ReplaceTask = createFields
  .omit({ id: true })
  .superRefine(remindersNeedTime)
  .superRefine(recurrenceNeedsDue)
  .openapi("ReplaceTask");

/** PATCH: JSON merge patch — fields left out stay, `null` resets a field to its default. */
export const PatchTask = z
  .object({
    title: Title.optional(),
    description: Description.nullable().optional(),
    completed: Completed.optional(),
    priority: Priority.nullable().optional(),
    due: Due.optional(),
    reminders: Reminders.nullable().optional(),
    recurrence: Recurrence.optional(),
    tags: Tags.nullable().optional(),
    list: ListId.nullable().optional().openapi({ description: "One of the person's lists; null: the Inbox" }),
    position: TaskPosition.nullable()
      .optional()
      .openapi({ description: "Where the task sorts in manual order; null: the top, as a new task" }),
  })
  .superRefine(remindersNeedTime)
  .openapi("PatchTask");

export const SetCompleted = z.object({ completed: Completed }).openapi("SetCompleted");

export const TaskPath = z.object({
  userId: z.string().openapi({ param: { name: "userId", in: "path" }, description: "The signed-in user's id" }),
  id: TaskId.openapi({ param: { name: "id", in: "path" } }),
});

export const UserPath = TaskPath.pick({ userId: true });

/** `manual`: the person's own order, by `position` (decision 030). */
export const sorts = ["created", "updated", "title", "due", "priority", "manual"] as const;

/** An unknown parameter name is refused like an unknown value: a misspelt filter must not act on everything. */
const unknownParameter = {
  error: (issue: z.core.$ZodRawIssue) =>
    issue.code === "unrecognized_keys" ? `Unknown parameter: ${issue.keys.join(", ")}` : undefined,
};

/**
 * Which tasks a request means — the list's filters. The listing and the bulk changes
 * ("mark all", "clear completed") take exactly these, so "the tasks shown" is one
 * definition here and one SQL condition in the repository.
 */
const filters = {
  status: z.enum(["all", "pending", "completed"]).default("all"),
  priority: Priority.optional(),
  tag: Tag.optional(),
  q: z
    .string()
    .trim()
    .max(200, "Search text must be at most 200 characters")
    .refine(storableText, "Search text cannot contain NUL or unpaired surrogate characters")
    .optional(),
  due: z.enum(["overdue", "today", "week", "none"]).optional(),
  list: ListId.optional().openapi({ description: "Only the tasks in this list" }),
  tz: z.string().refine(isZoneName, "tz must be an IANA time zone name such as Europe/Paris").optional().openapi({
    description: "The IANA zone in which `due` filters and the `due` sort count days (the person's zone when omitted)",
  }),
};

export const TaskFilters = z.strictObject(filters, unknownParameter);
export type TaskFilters = z.output<typeof TaskFilters>;

export const ListQuery = z
  .strictObject(
    {
      ...filters,
      sort: z.enum(sorts).default("created"),
      order: z.enum(["asc", "desc"]).optional(),
      limit: z.coerce
        .number({ error: "limit must be a number from 1 to 100" })
        .int("limit must be a whole number from 1 to 100")
        .min(1, "limit must be a number from 1 to 100")
        .max(100, "limit must be a number from 1 to 100")
        .default(50),
      cursor: z.string().max(1000).optional(),
    },
    unknownParameter,
  )
  .transform((query) => ({
    ...query,
    order: query.order ?? (query.sort === "created" || query.sort === "updated" ? "desc" : "asc"),
  }));

export type ListQuery = z.output<typeof ListQuery>;

/** Bulk DELETE: the list's filters, with `status=completed` required (deleting everything at once is not offered). */
export const ClearQuery = z.strictObject(
  {
    ...filters,
    status: z.literal("completed", { error: "Only completed tasks can be cleared: add ?status=completed" }),
  },
  unknownParameter,
);

/** Bulk PATCH: the completion to set; `ids` narrows the filtered tasks to these (how "mark all" is undone). */
export const MarkTasks = z
  .object({
    completed: Completed,
    ids: z
      .array(TaskId, { error: "ids must be a list of task ids" })
      .max(400, "At most 400 ids per request; send more in several requests")
      .optional()
      .openapi({ description: "Only these tasks (and only if they also match the filters)" }),
  })
  .openapi("MarkTasks");

export const Updated = z
  .object({
    updated: z.number().int(),
    ids: z.array(TaskId).openapi({ description: "The tasks changed: undo by sending them back as `ids`" }),
  })
  .openapi("Updated");

export const UndoToken = z.uuid({ error: "undo must be the token a bulk delete answered, or a delete was sent with" });

export const Deleted = z
  .object({
    deleted: z.number().int(),
    ids: z.array(TaskId),
    undo: UndoToken.openapi({ description: "Restores these tasks for an hour: `POST …/tasks/restore`" }),
  })
  .openapi("Deleted");

export const Restore = z.object({ undo: UndoToken }).openapi("Restore");

/** Single DELETE: an undo token the client chose keeps the task restorable (decision 034). */
export const DeleteQuery = z.strictObject(
  {
    undo: z
      .uuid({ error: "undo must be a UUID the client chose, such as crypto.randomUUID() gives" })
      .optional()
      .openapi({
        description:
          "A UUID the client chooses: the task is kept for an hour under it, and `POST …/tasks/restore` with " +
          "`{undo}` puts it back exactly. Without it nothing is kept.",
        example: "5f0c1a9e-2b7d-4c4e-9a51-3d2f8e6b7c10",
      }),
  },
  unknownParameter,
);

export const Restored = z
  .object({
    restored: z.number().int().openapi({ description: "How many tasks came back" }),
    tasks: z.array(Task).openapi({ description: "Every task of the deletion that exists now, as it is now" }),
  })
  .openapi("Restored");

/** The change feed's query: where the client stands, and how many changes to answer at most. */
export const ChangesQuery = z.strictObject(
  {
    since: z.string().min(1, "since must be a cursor the feed answered").max(200).optional().openapi({
      description: "The `cursor` of the previous answer; leave it out to sync from scratch (every task, no deletions)",
    }),
    limit: z.coerce
      .number({ error: "limit must be a number from 1 to 500" })
      .int("limit must be a whole number from 1 to 500")
      .min(1, "limit must be a number from 1 to 500")
      .max(500, "limit must be a number from 1 to 500")
      .default(200),
  },
  unknownParameter,
);

export const Changes = z
  .object({
    changes: z
      .array(Task)
      .openapi({ description: "The tasks changed after `since`, as they are now, oldest change first" }),
    deleted: z.array(TaskId).openapi({ description: "The ids of tasks deleted after `since`" }),
    lists: z
      .array(List)
      .openapi({
        description:
          "The person's lists changed after `since` (every list without it), as they are now, in their order; absent when none changed",
      })
      .optional(),
    deletedLists: z
      .array(ListId)
      .openapi({ description: "The ids of lists deleted after `since`; absent when none were" })
      .optional(),
    cursor: z.string().openapi({ description: "The `since` of the next read" }),
    more: z.boolean().openapi({ description: "Whether more changes follow: read again at once with `cursor`" }),
  })
  .openapi("Changes");

export const IfMatch = z.object({
  "if-match": z
    .string()
    .optional()
    .openapi({ description: 'The ETag (version) the change is based on, e.g. "3"; a stale one answers 412' }),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

export type TaskOutput = z.output<typeof Task>;
export type CreateTaskInput = z.output<typeof CreateTask>;
export type ReplaceTaskInput = z.output<typeof ReplaceTask>;
export type PatchTaskInput = z.output<typeof PatchTask>;

/** Postgres text cannot hold U+0000, and an unpaired surrogate is not Unicode text (no UTF-8 encoding). */
function storableText(value: string): boolean {
  return value.isWellFormed() && !value.includes("\u0000");
}
