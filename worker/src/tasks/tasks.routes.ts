import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { sqlStateOf } from "../db/errors.ts";
import type { AppEnv } from "../env.ts";
import { asJsonText, respondJson } from "../json-text.ts";
import { listChanges, refuseUnknownList } from "../lists/lists.sql.ts";
import {
  etagHeaderFor,
  failures,
  json,
  jsonBody,
  notFoundFor,
  problemResponse,
  security,
  stale,
  writeFailures,
} from "../openapi-responses.ts";
import { problem } from "../problems.ts";
import { validationHook } from "../validation.ts";
import {
  accountGone,
  announce,
  answerCreate,
  answerWrite,
  etagOf,
  ifMatch,
  refuseGoneAccount,
} from "../versioned-writes.ts";
import type { WriteResult } from "./conditional-write.ts";
import { decodeChangeCursor, decodeCursor, encodeChangeCursor, encodeCursor, invalidCursor } from "./cursor.ts";
import { refuseRecurrenceWithoutDue } from "./recurrence.schemas.ts";
import { refuseRemindersWithoutTime } from "./reminders.schemas.ts";
import {
  clearTasks,
  createTask,
  deleteTask,
  getTask,
  listTasks,
  markTasks,
  patchTask,
  readChanges,
  replaceTask,
  restoreTasks,
} from "./tasks.repo.ts";
import {
  Changes,
  ChangesQuery,
  ClearQuery,
  CreateTask,
  Deleted,
  DeleteQuery,
  IfMatch,
  ListQuery,
  MarkTasks,
  PatchTask,
  ReplaceTask,
  Restore,
  Restored,
  SetCompleted,
  Task,
  TaskFilters,
  TaskPath,
  Updated,
  UserPath,
} from "./tasks.schemas.ts";
import { setCompleted } from "./tasks-completion.repo.ts";

const collection = "/api/{userId}/tasks";
const item = "/api/{userId}/tasks/{id}";
const notFound = notFoundFor("task");
const etagHeader = etagHeaderFor("task");

export const tasksRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: "get",
      path: collection,
      operationId: "listTasks",
      summary: "List tasks",
      description:
        "One page of the user's tasks. `X-Total-Count` counts the tasks matching the filters, exactly up to 1 000 " +
        'and as `1000+` beyond, so a page costs the same however long the list; `Link: <…>; rel="next"` points to ' +
        "the next page.",
      security,
      request: { params: UserPath, query: ListQuery },
      responses: {
        200: json(z.array(Task), "A page of tasks", {
          "X-Total-Count": z.string().openapi({
            description: "The tasks matching the filters: a whole number up to 1000, or `1000+`",
            example: "1000+",
          }),
          Link: z.string().optional(),
        }),
        ...failures,
      },
    }),
    async (c) => {
      const query = inPersonZone(c, c.req.valid("query"));
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query);
      const page = await listTasks(c.var.db, c.var.userId, query, cursor).catch((error: unknown) => {
        // A cursor key Postgres cannot read back (a data exception, class 22) was not one we issued.
        if (cursor && sqlStateOf(error)?.startsWith("22") && sqlStateOf(error) !== unknownZone) throw invalidCursor();
        return refuseUnknownZone(error);
      });
      c.header("X-Total-Count", page.total);
      if (page.next) {
        const next = new URL(c.req.url);
        next.searchParams.set("cursor", encodeCursor(page.next, query));
        c.header("Link", `<${next.pathname}${next.search}>; rel="next"`);
      }
      return respondJson(c, page.body, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: `${collection}/changes`,
      operationId: "listTaskChanges",
      summary: "Read what changed since a cursor (the change feed)",
      description:
        "The tasks changed (as they are now) and the ids deleted after `since`, oldest change first, with the " +
        "`cursor` to read from next; while `more` is true, read again at once. Without `since`: every task (a full " +
        "sync). Deletions are kept for 30 days: an older cursor answers 410, and the client syncs from scratch.",
      security,
      request: { params: UserPath, query: ChangesQuery },
      responses: {
        200: json(Changes, "The changes after the cursor"),
        410: problemResponse(
          "Deletions after this cursor are no longer kept (or it was never issued): sync from scratch",
        ),
        ...failures,
      },
    }),
    async (c) => {
      const { since, limit } = c.req.valid("query");
      const position = since === undefined ? undefined : decodeChangeCursor(since);
      const page = await readChanges(c.var.db, c.var.userId, position, limit);
      if (page.gone) {
        throw problem("sync_from_scratch", {
          detail:
            "The changes since this cursor are no longer kept; sync from scratch by reading the feed without since.",
        });
      }
      const cursor = JSON.stringify(encodeChangeCursor(page.next));
      const body = `{"changes":${page.changes},"deleted":${page.deleted},${listChanges(page)}"cursor":${cursor},"more":${page.more}}`;
      return respondJson(c, asJsonText<z.output<typeof Changes>>(body), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: collection,
      operationId: "createTask",
      summary: "Create a task",
      description:
        "With a client-chosen `id` the create is idempotent: the same body again answers 200 with the stored task, another body under that id 409.",
      security,
      request: { params: UserPath, body: jsonBody(CreateTask) },
      responses: {
        200: json(Task, "The task already created with this id and body", etagHeader),
        201: json(Task, "The new task", { ...etagHeader, Location: z.string() }),
        409: problemResponse("The id is already used by a different task"),
        ...writeFailures,
      },
    }),
    async (c) => {
      const result = await createTask(c.var.db, c.var.userId, c.req.valid("json"), c.var.timeZone)
        .catch(refuseUnknownList)
        .catch(refuseUnknownDueZone);
      if (result.kind === "conflict") {
        throw problem("id_conflict", { detail: "A different task already uses this id; choose another id." });
      }
      if (result.kind === "no_account") throw accountGone();
      return answerCreate(c, "tasks", result, result.kind === "created" ? result.seq : undefined);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: collection,
      operationId: "markTasks",
      summary: "Mark the tasks shown complete or not",
      description:
        "Sets `completed` on every task matching the list's filters (all tasks when none), and among `ids` when " +
        "given. Answers the ids it changed: sending them back as `ids` with the opposite `completed` undoes it.",
      security,
      request: { params: UserPath, query: TaskFilters, body: jsonBody(MarkTasks) },
      responses: { 200: json(Updated, "The tasks that changed"), ...writeFailures },
    }),
    async (c) => {
      const { completed, ids } = c.req.valid("json");
      const { ids: changed, seq } = await markTasks(
        c.var.db,
        c.var.userId,
        inPersonZone(c, c.req.valid("query")),
        completed,
        ids,
      )
        .catch(refuseUnknownZone)
        .catch(refuseGoneAccount);
      announce(c, seq);
      return c.json({ updated: changed.length, ids: changed }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: collection,
      operationId: "clearCompletedTasks",
      summary: "Clear the completed tasks shown",
      description:
        "Deletes the completed tasks matching the list's filters; requires `?status=completed` (deleting every " +
        "task at once is not offered). The answer's `undo` token restores them for an hour.",
      security,
      request: { params: UserPath, query: ClearQuery },
      responses: { 200: json(Deleted, "The tasks deleted, and how to restore them"), ...failures },
    }),
    async (c) => {
      const { ids, undo, seq } = await clearTasks(c.var.db, c.var.userId, inPersonZone(c, c.req.valid("query")))
        .catch(refuseUnknownZone)
        .catch(refuseGoneAccount);
      announce(c, seq);
      return c.json({ deleted: ids.length, ids, undo }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: `${collection}/restore`,
      operationId: "restoreTasks",
      summary: "Undo a clear or a delete: restore the tasks it deleted",
      description:
        "Puts back the tasks a bulk delete, or a single delete given `?undo=`, removed under this token, under " +
        "their ids, each one `version` later. An id in use again " +
        "is left as it is. Safe to repeat: a second call finds nothing left (`restored: 0`). After an hour, or " +
        "with another user's token, nothing is restored.",
      security,
      request: { params: UserPath, body: jsonBody(Restore) },
      responses: { 200: json(Restored, "The tasks of the deletion as they are now"), ...writeFailures },
    }),
    async (c) => {
      const { seq, ...restored } = await restoreTasks(c.var.db, c.var.userId, c.req.valid("json").undo).catch(
        refuseGoneAccount,
      );
      announce(c, seq);
      return c.json(restored, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: item,
      operationId: "getTask",
      summary: "Get a task",
      security,
      request: { params: TaskPath },
      responses: { 200: json(Task, "The task", etagHeader), ...failures, ...notFound },
    }),
    async (c) => {
      const task = await getTask(c.var.db, c.var.userId, c.req.valid("param").id);
      if (!task) throw taskNotFound();
      c.header("ETag", etagOf(task.version));
      return respondJson(c, task.body, 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: item,
      operationId: "replaceTask",
      summary: "Replace a task's editable fields",
      description: "Fields left out take their defaults. Honours `If-Match`.",
      security,
      request: { params: TaskPath, headers: IfMatch, body: jsonBody(ReplaceTask) },
      responses: { 200: json(Task, "The task", etagHeader), ...writeFailures, ...notFound, ...stale },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      return respond(
        c,
        await replaceTask(c.var.db, c.var.userId, id, c.req.valid("json"), ifMatch(c), c.var.timeZone)
          .catch(refuseUnknownList)
          .catch(refuseUnknownDueZone),
      );
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: item,
      operationId: "updateTask",
      summary: "Change some of a task's fields",
      description:
        "JSON merge patch: fields left out stay as they are, `null` resets a field to its default. Honours `If-Match`.",
      security,
      request: { params: TaskPath, headers: IfMatch, body: jsonBody(PatchTask) },
      responses: { 200: json(Task, "The task", etagHeader), ...writeFailures, ...notFound, ...stale },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      return respond(
        c,
        await patchTask(c.var.db, c.var.userId, id, c.req.valid("json"), ifMatch(c), c.var.timeZone)
          .catch(refuseUnknownList)
          .catch(refuseUnknownDueZone),
      );
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: `${item}/complete`,
      operationId: "setTaskCompleted",
      summary: "Toggle or set completion",
      description:
        'Without a body, flips `completed`; with `{"completed": bool}`, sets it. Honours `If-Match`. A recurring ' +
        "task completes one occurrence: the completion is recorded in `completions` and `due` moves to the next " +
        "occurrence (the last one completes the task); `false` takes back its latest completion (the undo). Send " +
        "`If-Match` so that a repeated request cannot complete two occurrences.",
      security,
      request: { params: TaskPath, headers: IfMatch, body: jsonBody(SetCompleted, false) },
      responses: { 200: json(Task, "The task", etagHeader), ...writeFailures, ...notFound, ...stale },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { completed } = c.req.valid("json") as Partial<z.output<typeof SetCompleted>>;
      return respond(
        c,
        await setCompleted(c.var.db, c.var.userId, id, completed ?? "toggle", ifMatch(c), c.var.timeZone),
      );
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: item,
      operationId: "deleteTask",
      summary: "Delete a task",
      description:
        "Honours `If-Match`. With `?undo=<uuid>` (a token the client chose) the task is kept for an hour and " +
        "`POST …/tasks/restore` with that token puts it back exactly; a repeat after the task is gone answers 404 " +
        "and leaves the kept copy restorable.",
      security,
      request: { params: TaskPath, query: DeleteQuery, headers: IfMatch },
      responses: { 204: { description: "Deleted" }, ...failures, ...notFound, ...stale },
    }),
    async (c) => {
      const { undo } = c.req.valid("query");
      const result = await deleteTask(c.var.db, c.var.userId, c.req.valid("param").id, ifMatch(c), undo).catch(
        refuseGoneAccount,
      );
      if (result.outcome === "not_found") throw taskNotFound();
      if (result.outcome === "stale") throw versionMismatch(result.version);
      announce(c, result.seq);
      return c.body(null, 204);
    },
  );

function respond(c: Context<AppEnv>, result: WriteResult) {
  if (result.kind === "not_found") throw taskNotFound();
  if (result.kind === "stale") throw versionMismatch(result.version);
  return answerWrite(c, result, result.seq);
}

/** SQLSTATE 22023: a zone name the runtime knows and Postgres does not (e.g. `US/Pacific-New`). */
const unknownZone = "22023";

/** Answers a zone Postgres refused as the bad parameter it is; any other error goes on. */
function refuseUnknownZone(error: unknown): never {
  if (sqlStateOf(error) !== unknownZone) throw error;
  const message = "tz must be an IANA time zone name such as Europe/Paris; the database does not know this one";
  throw problem("invalid_parameter", { detail: message, extensions: { errors: [{ path: "tz", message }] } });
}

/** A zone in `due` that the runtime knows and Postgres does not: the field's 422, not a 500. */
function refuseUnknownDueZone(error: unknown): never {
  refuseRemindersWithoutTime(error);
  refuseRecurrenceWithoutDue(error);
  if (sqlStateOf(error) !== unknownZone) throw error;
  const message =
    "The due time zone must be an IANA time zone name such as Europe/Berlin; the database does not know this one";
  throw problem("validation_failed", {
    detail: "Some fields are not valid.",
    extensions: { errors: [{ path: "due.timeZone", message }] },
  });
}

/** The filters with `tz` filled in: the request's, else the person's zone from the access token. */
function inPersonZone<Query extends { tz?: string | undefined }>(
  c: Context<AppEnv>,
  query: Query,
): Query & { tz: string } {
  return { ...query, tz: query.tz ?? c.var.timeZone };
}

function taskNotFound() {
  return problem("task_not_found", { detail: "There is no such task in your list." });
}

function versionMismatch(current: number) {
  return problem("version_mismatch", {
    detail: "The task changed since you last read it; nothing was changed. Reload it and try again.",
    headers: { ETag: etagOf(current) },
  });
}
