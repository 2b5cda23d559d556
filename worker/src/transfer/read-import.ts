import type { z } from "@hono/zod-openapi";
import { v5 as uuidV5 } from "uuid";
import { problem } from "../problems.ts";
import { briskColumnOf, parseCsv, readBriskRow } from "./brisk-csv.ts";
import { type Issue, listResolver, type NewList, type OwnList } from "./import-lists.ts";
import { isTodoistHeader, readTodoistRow, todoistColumnOf } from "./todoist-csv.ts";
import type { ImportRow } from "./transfer.repo.ts";
import { type BriskFile, ImportedTask, importLimits } from "./transfer.schemas.ts";

/**
 * A file to import → the tasks it holds, each validated as a create body would be, with
 * the id it is stored under. Any row that cannot be read makes the whole file a 422 that
 * lists every such row (`rows.N.field`), so nothing of it is imported.
 */

/** A task read from the file, before validation: where it came from and what identifies it there. */
interface Candidate {
  /** The row number a person finds it at: the task's position in a JSON file; the spreadsheet row in a CSV (the header is row 1). */
  row: number;
  task: Record<string, unknown>;
  /** What identifies a row without an id of its own, the same in every import of the same file. */
  identity: string;
  /** The file's name for a task field, for errors (`due.date` → `dueDate`). */
  columnOf?: Record<string, string>;
  warning?: string;
  /** A Brisk CSV row's `list` cell: a list's name. */
  listName?: string;
}

/** Reports are kept readable: a file broken everywhere lists its first hundred problems. */
const maxIssues = 100;

/** Brisk's namespace for import ids (UUIDv5): each user's ids are derived under their own namespace from it. */
const importNamespace = "6f1d4a52-9a57-4c55-8f0e-3f1c1c0b7e17";

export function readImport(
  /** CSV text, or a Brisk file's envelope as the route validated it. */
  file: string | z.output<typeof BriskFile>,
  userId: string,
  today: string,
  /** The importer's lists: the tasks' lists resolve against them (import-lists.ts). */
  own: OwnList[],
): { rows: ImportRow[]; lists: NewList[]; warnings: Issue[] } {
  const candidates = typeof file === "string" ? readCsv(file, today) : readJson(file);
  if (candidates.length > importLimits.rows)
    throw problem("payload_too_large", {
      detail: `Import at most ${importLimits.rows} tasks per file; split the file (${candidates.length} tasks here).`,
    });
  const userNamespace = uuidV5(userId, importNamespace);
  const seen = new Map<string, number>();
  const rows: ImportRow[] = [];
  const lists = listResolver(own, userNamespace);
  const errors: Issue[] = typeof file === "string" ? [] : lists.readFileLists(file.lists ?? []);
  const warnings: Issue[] = [];
  const occurrences = new Map<string, number>();
  for (const candidate of candidates) {
    const parsed = ImportedTask.safeParse(candidate.task);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.map(String).join(".");
        const named = candidate.columnOf?.[field] ?? field;
        errors.push({ path: `rows.${candidate.row}${named ? `.${named}` : ""}`, message: issue.message });
      }
      continue;
    }
    // The same row twice in a file is two tasks: the n-th copy has its own identity.
    const n = (occurrences.get(candidate.identity) ?? 0) + 1;
    occurrences.set(candidate.identity, n);
    const id = parsed.data.id ?? uuidV5(`row:${candidate.identity}#${n}`, userNamespace);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      errors.push({ path: `rows.${candidate.row}.id`, message: `The same id as row ${earlier}` });
      continue;
    }
    seen.set(id, candidate.row);
    const { list: listId, ...task } = parsed.data;
    const list = candidate.listName === undefined ? lists.byId(listId) : lists.byName(candidate.listName);
    if (list === undefined || (typeof list === "object" && "error" in list)) {
      const message = list?.error ?? "No list with this id in the file nor among your lists";
      errors.push({ path: `rows.${candidate.row}.list`, message });
      continue;
    }
    rows.push({ task: { ...task, id }, list, otherwiseId: uuidV5(`id:${id}`, userNamespace) });
    if (candidate.warning) warnings.push({ path: `rows.${candidate.row}`, message: candidate.warning });
  }
  if (errors.length > 0) throw unreadable(errors);
  return { rows, lists: lists.newLists(), warnings };
}

function unreadable(errors: Issue[]) {
  const shown = errors.slice(0, maxIssues);
  return problem("validation_failed", {
    detail: `${errors.length === 1 ? "A row" : `${errors.length} rows`} could not be imported; nothing was imported. Fix ${errors.length === 1 ? "it" : "them"} and import the file again.`,
    extensions: { errors: shown },
  });
}

function readJson(file: z.output<typeof BriskFile>): Candidate[] {
  return file.tasks.map((task, i) => ({
    row: i + 1,
    // Not an object: the schema's own message ("Invalid input: expected object") names the row.
    task: task as Record<string, unknown>,
    identity: `json:${JSON.stringify(task)}`,
  }));
}

function readCsv(body: string, today: string): Candidate[] {
  const { records, errors } = parseCsv(body);
  if (errors.length > 0)
    throw unreadable(errors.map((error) => ({ path: `rows.${error.row}`, message: error.message })));
  const [header = [], ...rest] = records;
  const names = header.map((name) => name.trim());
  const todoist = isTodoistHeader(names);
  if (!todoist && !names.includes("title"))
    throw unreadable([
      {
        path: "rows.1",
        message: "Unknown columns: expected Brisk's CSV (id, title, …) or Todoist's CSV export (TYPE, CONTENT, …)",
      },
    ]);
  const candidates: Candidate[] = [];
  rest.forEach((cells, i) => {
    const row = i + 2;
    if (cells.every((cell) => cell.trim() === "")) return;
    const identity = `csv:${JSON.stringify(cells)}`;
    if (!todoist) {
      const { task, listName } = readBriskRow(names, cells);
      candidates.push({ row, task, identity, columnOf: briskColumnOf, listName });
      return;
    }
    const read = readTodoistRow(names, cells, today);
    if (read.kind === "task") {
      candidates.push({ row, task: read.task, identity, columnOf: todoistColumnOf, warning: read.warning });
    } else if (read.kind === "note") {
      // A note is a comment on the task above it: it joins that task's description.
      const owner = candidates.at(-1);
      if (owner && read.text !== "") {
        const description = String(owner.task.description ?? "");
        owner.task.description = `${description}${description ? "\n\n" : ""}${read.text}`;
        owner.identity += `|${read.text}`;
      }
    }
  });
  return candidates;
}
