import Papa from "papaparse";
import type { TaskOutput } from "../tasks/tasks.schemas.ts";

/**
 * Brisk's CSV: one row per task, for spreadsheets (docs/tasks-api.md "Export and import").
 * The columns are written once, here: a new task field is one more entry, read back by
 * the same entry. JSON is the lossless format; CSV loses nothing a task holds today, but
 * a cell beginning with `'` then = + - @ reads back without the `'` (the formula guard).
 */
/** A task as a CSV row sees it: with its list's name (the file names lists; their ids mean nothing elsewhere). */
export type CsvTask = TaskOutput & { listName?: string };

interface Column {
  /** The cell of a task. */
  write: (task: CsvTask) => string;
  /** Where the cell goes in the import's task (a create body plus the lossless fields); "" means absent. */
  read: (cell: string, into: Record<string, unknown>) => void;
}

const text = (field: keyof TaskOutput): Column => ({
  write: (task) => String(task[field] ?? ""),
  read: (cell, into) => {
    into[field] = cell;
  },
});
/** A cell that is absent when empty (the import takes the create's default). */
const optional = (field: string, parse: (cell: string) => unknown = (cell) => cell): Column["read"] => {
  return (cell, into) => {
    if (cell !== "") into[field] = parse(cell);
  };
};
const dueField = (part: "date" | "time" | "timeZone"): Column => ({
  write: (task) => task.due?.[part] ?? "",
  read: (cell, into) => {
    if (cell === "") return;
    into.due = { ...(into.due as object | undefined), [part]: cell };
  },
});

export const briskColumns = {
  id: { write: (task) => task.id, read: optional("id") },
  title: text("title"),
  description: text("description"),
  completed: { write: (task) => String(task.completed), read: optional("completed", readBoolean) },
  completedAt: { write: (task) => task.completedAt ?? "", read: optional("completedAt") },
  priority: { write: (task) => task.priority, read: optional("priority") },
  dueDate: dueField("date"),
  dueTime: dueField("time"),
  dueTimeZone: dueField("timeZone"),
  tags: {
    write: (task) => task.tags.join(","),
    read: optional("tags", (cell) =>
      cell
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  },
  createdAt: { write: (task) => task.createdAt, read: optional("createdAt") },
  updatedAt: { write: (task) => task.updatedAt, read: optional("updatedAt") },
  version: { write: (task) => String(task.version), read: optional("version", Number) },
  // The manual order's key (docs/decisions/030-manual-task-order.md); empty: placed as a create at its createdAt.
  position: { write: (task) => task.position, read: optional("position") },
  // A list by its name: readBriskRow hands it to the import apart from the task (read-import.ts).
  list: { write: (task) => task.listName ?? "", read: () => {} },
} satisfies Record<string, Column>;

export type BriskColumn = keyof typeof briskColumns;

/** An error's path in the task (`due.date`) as the CSV column a person sees (`dueDate`). */
export const briskColumnOf: Record<string, string> = {
  "due.date": "dueDate",
  "due.time": "dueTime",
  "due.timeZone": "dueTimeZone",
  due: "dueDate",
};

/** The byte-order mark spreadsheets need to read the file as UTF-8. */
const bom = "\uFEFF";

/**
 * The tasks as Brisk CSV: RFC 4180 (CRLF, quoted where needed), UTF-8 with a BOM, and every
 * cell a spreadsheet would run as a formula (beginning with = + - @, a tab or a CR) prefixed
 * with `'` (papaparse's `escapeFormulae`).
 */
export function toBriskCsv(tasks: CsvTask[]): string {
  const fields = Object.keys(briskColumns) as BriskColumn[];
  const data = tasks.map((task) => fields.map((field) => briskColumns[field].write(task)));
  return bom + Papa.unparse({ fields, data }, { escapeFormulae: true, newline: "\r\n" });
}

/** A cell as it was before the formula guard: `'=1+1` → `=1+1`. */
export function unguardFormula(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

function readBoolean(cell: string): unknown {
  const value = cell.trim().toLowerCase();
  if (["true", "yes", "1", "x"].includes(value)) return true;
  if (["false", "no", "0"].includes(value)) return false;
  return cell; // the schema refuses it: "Completed must be true or false"
}

/**
 * A Brisk CSV row (by header name) as the import's task object, and the name in its `list`
 * cell ("" when absent); unknown columns are ignored.
 */
export function readBriskRow(header: string[], cells: string[]): { task: Record<string, unknown>; listName: string } {
  const task: Record<string, unknown> = {};
  let listName = "";
  header.forEach((name, i) => {
    const cell = unguardFormula(cells[i] ?? "");
    if (name === "list") listName = cell;
    const column = briskColumns[name as BriskColumn];
    if (column) column.read(cell, task);
  });
  return { task, listName };
}

/** The rows of a CSV text, each a list of cells (papaparse), and the records it could not read. */
export function parseCsv(csv: string): { records: string[][]; errors: { row: number; message: string }[] } {
  // RFC 4180 (and Todoist) separate with commas: no guessing, which fails on a short file.
  const result = Papa.parse<string[]>(csv.startsWith(bom) ? csv.slice(1) : csv, { header: false, delimiter: "," });
  return {
    records: result.data,
    errors: result.errors.map((error) => ({ row: (error.row ?? 0) + 1, message: error.message })),
  };
}
