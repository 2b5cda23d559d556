import { z } from "@hono/zod-openapi";
import { CreateList, List, ListId } from "../lists/lists.schemas.ts";
import { Completions } from "../tasks/recurrence.schemas.ts";
import { CreateTask, Task, TaskId } from "../tasks/tasks.schemas.ts";

/**
 * Export and import (docs/tasks-api.md "Export and import"): the file formats and the
 * answers, in zod, so they validate and document alike. A task in a file is read by the
 * create body's schema, so an import can store nothing a create could not.
 */

/** What one import may hold: larger files answer 413 (docs/decisions/028-export-and-import.md). */
export const importLimits = { bytes: 2 * 1024 * 1024, rows: 5000, seconds: 30 } as const;

export const ExportQuery = z.strictObject(
  {
    format: z
      .enum(["json", "csv"], { error: "format must be json or csv" })
      .default("json")
      .openapi({ description: "`json` (lossless, re-importable) or `csv` (for spreadsheets)" }),
  },
  {
    error: (issue) => (issue.code === "unrecognized_keys" ? `Unknown parameter: ${issue.keys.join(", ")}` : undefined),
  },
);

/** An instant as the API writes it; a file's may not lie in the future nor outside years 1000–9999. */
export const PastInstant = z.iso
  .datetime({ offset: true, error: "Must be a date and time such as 2026-12-01T09:00:00.000Z" })
  .refine((value) => {
    const ms = Date.parse(value);
    return ms >= Date.parse("1000-01-01T00:00:00Z") && ms <= Date.now() + 24 * 3600 * 1000;
  }, "Must be a date and time from the year 1000 up to now");

/**
 * A task in a Brisk file: the create body, and what a lossless copy also keeps — its
 * creation, last change and completion times and its version (a task read from an export
 * keeps them; one without takes what a create gives). `userId` and unknown fields are
 * ignored: the importer owns every task imported.
 */
export const ImportedTask = CreateTask.extend({
  // A recurring task's history (read-only in the task API, kept by a lossless copy).
  completions: Completions.max(20, "At most 20 completions").optional(),
  createdAt: PastInstant.optional(),
  updatedAt: PastInstant.optional(),
  completedAt: PastInstant.nullable().optional(),
  version: z
    .number({ error: "version must be a whole number from 1" })
    .int("version must be a whole number from 1")
    .min(1, "version must be a whole number from 1")
    .max(2_000_000_000, "version is too large")
    .optional(),
});
export type ImportedTaskInput = z.output<typeof ImportedTask>;

/**
 * A list in a Brisk file (docs/decisions/028-export-and-import.md): the create body with
 * its id required (the file's tasks name it), and what a lossless copy also keeps. The
 * file's Inbox (`inbox` true) is not created: it maps onto the importer's own Inbox.
 */
export const ImportedList = CreateList.extend({
  id: ListId,
  inbox: z.boolean({ error: "inbox must be true or false" }).optional(),
  createdAt: PastInstant.optional(),
  updatedAt: PastInstant.optional(),
  version: ImportedTask.shape.version,
});
export type ImportedListInput = z.output<typeof ImportedList>;

/** Brisk's JSON export: lossless; what `POST …/import` takes back as `application/json`. */
export const BriskFile = z
  .object({
    format: z.literal("brisk", { error: 'format must be "brisk" (a file exported by Brisk)' }),
    version: z.literal(1, { error: "version must be 1: this Brisk reads version 1 exports" }),
    exportedAt: z.string().optional(),
    lists: z.array(z.unknown(), { error: "lists must be a list of lists" }).optional(),
    tasks: z.array(z.unknown(), { error: "tasks must be a list of tasks" }),
  })
  .openapi("BriskExport", {
    description:
      "`lists` and `tasks` as the list and task APIs answer them. An import reads each task as a create body " +
      "plus `createdAt`, `updatedAt`, `completedAt` and `version`, and each list likewise (with its `id` and " +
      "`inbox`); a file without `lists` puts every task that names no list into the Inbox.",
  });

export const ExportedFile = BriskFile.extend({
  exportedAt: z.string().datetime(),
  lists: z.array(List),
  tasks: z.array(Task),
}).openapi("BriskExportFile");

export const ImportIssue = z.object({
  path: z.string().openapi({ example: "rows.12.title" }),
  message: z.string(),
});

export const Imported = z
  .object({
    imported: z.number().int().openapi({ description: "Tasks added" }),
    skipped: z.number().int().openapi({ description: "Tasks already there (from an earlier import of the same file)" }),
    warnings: z.array(ImportIssue).openapi({
      description:
        "What was imported with a change, by row: e.g. a Todoist date that is not one day (kept in the description)",
    }),
  })
  .openapi("Imported");

export { TaskId };
