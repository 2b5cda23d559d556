import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { getDatabaseFor } from "../db/client.ts";
import { sqlStateOf } from "../db/errors.ts";
import type { AppEnv } from "../env.ts";
import type { ListOutput } from "../lists/lists.schemas.ts";
import { isUnknownList } from "../lists/lists.sql.ts";
import {
  forbidden,
  internalError,
  problemResponse,
  security,
  unauthorized,
  unavailable,
} from "../openapi-responses.ts";
import { problem } from "../problems.ts";
import { todayIn } from "../tasks/due.ts";
import type { TaskOutput } from "../tasks/tasks.schemas.ts";
import { UserPath } from "../tasks/tasks.schemas.ts";
import { validationHook } from "../validation.ts";
import { accountGone, announce } from "../versioned-writes.ts";
import { toBriskCsv } from "./brisk-csv.ts";
import { readImport } from "./read-import.ts";
import { exportFile, importerLists, importTasks } from "./transfer.repo.ts";
import { BriskFile, ExportedFile, ExportQuery, Imported, importLimits } from "./transfer.schemas.ts";

/**
 * `GET /api/{userId}/export` and `POST /api/{userId}/import` (docs/tasks-api.md "Export
 * and import"). app.ts puts the task routes' guard in front of both, and an import's own
 * size limit instead of the task routes' 16 KiB.
 */

const failures = {
  400: problemResponse("An unknown parameter or value, or a file that is not valid JSON"),
  401: unauthorized(),
  403: forbidden,
  500: internalError,
  503: unavailable(),
};

/** The import's own body limit (the task routes' 16 KiB does not apply here): a clear 413. */
export const importBodyLimit = bodyLimit({
  maxSize: importLimits.bytes,
  onError: () => {
    throw problem("payload_too_large", {
      detail: `Import files of at most 2 MiB and ${importLimits.rows} tasks; split a larger file and import each part.`,
    });
  },
});

export const transferRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: "get",
      path: "/api/{userId}/export",
      operationId: "exportTasks",
      summary: "Export every task (JSON or CSV)",
      description:
        "A file download (`Content-Disposition: attachment`). `json` is lossless: `{format, version, exportedAt, " +
        "lists, tasks}` with each list and task as the list and task APIs answer them, and imports back unchanged. " +
        "`csv` is one row per task for spreadsheets, its `list` column the list's name: UTF-8 with a BOM, RFC 4180, cells that a spreadsheet would run as a formula prefixed with `'`.",
      security,
      request: { params: UserPath, query: ExportQuery },
      responses: {
        200: {
          description: "The export file",
          headers: z.object({ "Content-Disposition": z.string() }),
          content: {
            "application/json": { schema: ExportedFile },
            "text/csv": { schema: z.string().openapi({ description: "Brisk CSV (docs/tasks-api.md)" }) },
          },
        },
        ...failures,
      },
    }),
    async (c) => {
      const { format } = c.req.valid("query");
      const file = await exportFile(c.var.db, c.var.userId);
      const day = new Date().toISOString().slice(0, 10);
      c.header("Content-Disposition", `attachment; filename="brisk-export-${day}.${format}"`);
      if (format === "json") return c.body(file, 200, { "Content-Type": "application/json" });
      const { tasks, lists } = JSON.parse(file) as { tasks: TaskOutput[]; lists: ListOutput[] };
      const names = new Map(lists.map((list) => [list.id, list.name]));
      const named = tasks.map((task) => ({ ...task, listName: names.get(task.list) }));
      return c.body(toBriskCsv(named), 200, { "Content-Type": "text/csv; charset=utf-8" });
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/api/{userId}/import",
      operationId: "importTasks",
      summary: "Import tasks from a file (Brisk JSON, Brisk CSV or Todoist CSV)",
      description:
        "The body is the file: `application/json` for a Brisk export, `text/csv` for Brisk's or Todoist's CSV " +
        "(told apart by the header). All or nothing: a row that cannot be read answers 422 listing it " +
        "(`rows.N.field`, `lists.N.field`) and nothing is imported. Idempotent: tasks and lists already there " +
        "(the same file imported before) are skipped. A Brisk file's lists are created with its tasks (its Inbox " +
        "is the importer's Inbox); a Brisk CSV's `list` column names lists, found by name or created; Todoist " +
        "tasks go into the Inbox. At most 2 MiB and 5 000 tasks per file.",
      security,
      request: {
        params: UserPath,
        body: {
          // Not `required`: the route's validator then reads only a JSON body (a Brisk file's envelope),
          // and leaves a CSV body to readImport.
          required: false,
          content: {
            "application/json": { schema: BriskFile },
            "text/csv": { schema: z.string() },
          },
        },
      },
      responses: {
        200: { description: "What was imported", content: { "application/json": { schema: Imported } } },
        413: problemResponse("The file is larger than 2 MiB or holds more than 5 000 tasks; nothing was imported"),
        415: problemResponse("The body is neither `application/json` nor `text/csv`"),
        422: problemResponse("Rows that cannot be imported, each in `errors` as `rows.N.field`; nothing was imported"),
        ...failures,
      },
    }),
    async (c) => {
      const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (mediaType !== "application/json" && mediaType !== "text/csv")
        throw problem("unsupported_media_type", {
          detail: "Send the file as application/json (Brisk export) or text/csv (Brisk or Todoist CSV).",
        });
      // The tasks are read row by row (readImport), so that each error names its row.
      const file = mediaType === "text/csv" ? await c.req.text() : c.req.valid("json");
      const today = todayIn({ now: Date.now(), zone: c.var.timeZone });
      const own = await importerLists(c.var.db, c.var.userId);
      const { rows, lists, warnings } = readImport(file, c.var.userId, today, own);
      // One transaction for the whole file, however long (5 000 tasks took ~5 s on PGlite here): DB_TIMEOUT_MS bounds
      // the task API's small writes, an import gets importLimits.seconds.
      const db = getDatabaseFor(c.var.config, Math.max(c.var.config.dbTimeoutMs, importLimits.seconds * 1000));
      const { imported, seq } = await importTasks(db, c.var.userId, { rows, lists }, c.var.timeZone).catch(
        refuseGoneAccount,
      );
      announce(c, seq);
      return c.json({ imported, skipped: rows.length - imported, warnings }, 200);
    },
  );

/** SQLSTATE 23503: a still-valid token of an account deleted since — the same 401 as the task routes answer. */
function refuseGoneAccount(error: unknown): never {
  if (sqlStateOf(error) !== "23503") throw error;
  // A list of the importer's deleted between reading the file and writing it: nothing was imported.
  if (isUnknownList(error))
    throw problem("validation_failed", {
      detail: "A list the file's tasks go into was deleted meanwhile; nothing was imported. Import the file again.",
      extensions: { errors: [{ path: "list", message: "The list must be one of your lists" }] },
    });
  throw accountGone();
}
