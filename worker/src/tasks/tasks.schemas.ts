import { z } from "@hono/zod-openapi";
import { priorities } from "./tasks.schema.ts";

/**
 * The task contract (shared/spec/api.md §2) in zod: these schemas validate every
 * request and generate the OpenAPI document, so the two cannot drift apart.
 */

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
 * A due date is stored and answered in UTC with a four-digit year: years 1000–9999 after
 * conversion to UTC. Outside them Postgres refuses the value (year 0, year 10000) or the
 * driver reads the stored text back wrong (years below 100 come back as 19xx/20xx).
 */
const DueAt = z.iso
  .datetime({ offset: true, error: "Due date must be an ISO 8601 date-time, e.g. 2026-12-01T17:00:00Z" })
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1000 && year <= 9999;
  }, "Due date must fall within the years 1000 to 9999 (in UTC)")
  .transform((value) => new Date(value).toISOString())
  .nullable()
  .openapi({ example: "2026-12-01T17:00:00.000Z" });

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
    dueAt: z.string().datetime().nullable(),
    tags: z.array(z.string()),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    version: z.number().int().min(1),
  })
  .openapi("Task");

/** POST: a new task; `id` may be chosen by the client so a retried create is recognised. */
export const CreateTask = z
  .object({
    id: TaskId.optional(),
    title: Title,
    description: Description.default(""),
    completed: Completed.default(false),
    priority: Priority.default("none"),
    dueAt: DueAt.default(null),
    tags: Tags.default([]),
  })
  .openapi("CreateTask");

/** PUT: every editable field; one left out takes its default. */
export const ReplaceTask = CreateTask.omit({ id: true }).openapi("ReplaceTask");

/** PATCH: JSON merge patch — fields left out stay, `null` resets a field to its default. */
export const PatchTask = z
  .object({
    title: Title.optional(),
    description: Description.nullable().optional(),
    completed: Completed.optional(),
    priority: Priority.nullable().optional(),
    dueAt: DueAt.optional(),
    tags: Tags.nullable().optional(),
  })
  .openapi("PatchTask");

export const SetCompleted = z.object({ completed: Completed }).openapi("SetCompleted");

export const TaskPath = z.object({
  userId: z.string().openapi({ param: { name: "userId", in: "path" }, description: "The signed-in user's id" }),
  id: TaskId.openapi({ param: { name: "id", in: "path" } }),
});

export const UserPath = TaskPath.pick({ userId: true });

export const sorts = ["created", "updated", "title", "due", "priority"] as const;

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
  tz: z
    .string()
    .refine(isZoneName, "tz must be an IANA time zone name such as Europe/Paris")
    .default("UTC")
    .openapi({ description: "IANA time zone in which `due=today` and `due=week` are counted" }),
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

export const UndoToken = z.uuid({ error: "undo must be the token a bulk delete answered" });

export const Deleted = z
  .object({
    deleted: z.number().int(),
    ids: z.array(TaskId),
    undo: UndoToken.openapi({ description: "Restores these tasks for an hour: `POST …/tasks/restore`" }),
  })
  .openapi("Deleted");

export const Restore = z.object({ undo: UndoToken }).openapi("Restore");

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

export const Problem = z
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

/**
 * An IANA zone name the runtime knows. Offsets (`+05:30`) and POSIX forms (`UTC+5`) are
 * refused: the runtime reads them one way, Postgres the opposite way. A name the runtime
 * knows and Postgres does not (`US/Pacific-New`) is refused by the statement (22023),
 * which the routes answer as the same 400 — no extra round trip to ask Postgres first.
 */
function isZoneName(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value) || /^(UTC|GMT|UT)[+-]/i.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Postgres text cannot hold U+0000, and an unpaired surrogate is not Unicode text (no UTF-8 encoding). */
function storableText(value: string): boolean {
  return value.isWellFormed() && !value.includes("\u0000");
}
