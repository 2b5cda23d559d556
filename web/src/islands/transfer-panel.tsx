import { type ChangeEvent, useEffect, useId, useRef, useState } from "react";
import { exportTasks, getUserId, importTasks } from "../lib/api-client.ts";
import { storedChanges } from "../lib/outbox-storage.ts";
import { ApiError, describeError } from "../lib/problems.ts";
import { FormAlert } from "./form-field.tsx";

/**
 * The account page's Export and Import (docs/web.md "Export and import"): downloads of every
 * task as Brisk JSON or CSV, and an import of Brisk JSON, Brisk CSV or Todoist's CSV export.
 * The import is all or nothing on the server; what it added reaches the task list through
 * the change feed, like any other write.
 */

type ImportState =
  | { kind: "idle" }
  | { kind: "busy"; message: string }
  | { kind: "done"; message: string; warnings: string[] }
  | { kind: "refused"; message: string; rows: string[] };

const count = new Intl.NumberFormat(undefined);
const plural = (n: number, one: string, many: string) => `${count.format(n)} ${n === 1 ? one : many}`;

/** How many records a CSV holds after its header: line ends outside quoted cells (a count, not a parser). */
export function csvRecordCount(text: string): number {
  let records = 0;
  let quoted = false;
  let content = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === "\n" && !quoted) {
      if (content) records++;
      content = false;
    } else if (char !== "\r") content = true;
  }
  if (content) records++;
  return Math.max(0, records - 1);
}

/** What a file holds, in the words the progress line uses: "1 200 tasks" or "1 200 rows". */
function describeContent(text: string, type: string): string {
  if (type === "text/csv") return plural(csvRecordCount(text), "row", "rows");
  try {
    const tasks = (JSON.parse(text) as { tasks?: unknown }).tasks;
    if (Array.isArray(tasks)) return plural(tasks.length, "task", "tasks");
  } catch {
    // The server says what is wrong with it.
  }
  return "the file";
}

const typeOf = (file: File): "application/json" | "text/csv" =>
  /\.csv$/i.test(file.name) || file.type === "text/csv" ? "text/csv" : "application/json";

/** "rows.12.title" → "Row 12 (title)". */
function describeRow(path: string): string {
  const match = /^rows\.(\d+)(?:\.(.+))?$/.exec(path);
  if (!match) return path;
  return match[2] ? `Row ${match[1]} (${match[2]})` : `Row ${match[1]}`;
}

export function TransferPanel() {
  const [ready, setReady] = useState(false);
  const [exporting, setExporting] = useState<"json" | "csv" | null>(null);
  const [exportError, setExportError] = useState("");
  const [exportNote, setExportNote] = useState("");
  const [state, setState] = useState<ImportState>({ kind: "idle" });
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  useEffect(() => setReady(true), []);

  async function download(format: "json" | "csv") {
    setExporting(format);
    setExportError("");
    setExportNote("");
    try {
      const userId = await getUserId();
      const { file, name } = await exportTasks(userId, format);
      const url = URL.createObjectURL(file);
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      // Changes made on Tasks and still queued in this browser (offline, or sent when Tasks opens
      // again) are not on the server, so not in the file: say so rather than hand over less.
      const waiting = (await storedChanges(userId)).length;
      if (waiting > 0) {
        setExportNote(
          `${plural(waiting, "change", "changes")} made in this browser ${waiting === 1 ? "has" : "have"} not reached the server yet, so ${waiting === 1 ? "it is" : "they are"} not in this file. Open Tasks while online to send ${waiting === 1 ? "it" : "them"}, then export again.`,
        );
      }
    } catch (error) {
      setExportError(describeError(error));
    } finally {
      setExporting(null);
    }
  }

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.currentTarget.files?.[0];
    if (!file) return;
    const type = typeOf(file);
    const text = await file.text();
    setState({ kind: "busy", message: `Importing ${describeContent(text, type)}…` });
    try {
      const result = await importTasks(await getUserId(), text, type);
      const added = `Imported ${plural(result.imported, "task", "tasks")}`;
      const skipped = result.skipped > 0 ? `; ${plural(result.skipped, "was", "were")} already there` : "";
      setState({
        kind: "done",
        message: `${added}${skipped}.`,
        warnings: result.warnings.map((warning) => `${describeRow(warning.path)}: ${warning.message}`),
      });
    } catch (error) {
      const rows =
        error instanceof ApiError && error.code === "validation_failed"
          ? error.fieldErrors.map((issue) => `${describeRow(issue.path)}: ${issue.message}`)
          : [];
      const message =
        error instanceof ApiError && (error.status === 413 || error.status === 422 || error.status === 400)
          ? error.detail
          : describeError(error);
      setState({ kind: "refused", message, rows });
    } finally {
      if (inputRef.current) inputRef.current.value = "";
    }
  }

  const busy = state.kind === "busy";
  return (
    <section className="card" aria-labelledby="transfer-title">
      <h2 id="transfer-title">Export and import</h2>
      <p>Download every task, or add tasks from a Brisk export or Todoist's CSV export.</p>
      <div className="button-row">
        <button type="button" className="btn" disabled={!ready || exporting !== null} onClick={() => download("json")}>
          {exporting === "json" ? "Exporting…" : "Export (JSON)"}
        </button>
        <button type="button" className="btn" disabled={!ready || exporting !== null} onClick={() => download("csv")}>
          {exporting === "csv" ? "Exporting…" : "Export (CSV)"}
        </button>
      </div>
      <FormAlert message={exportError} />
      <div role="status" className="notice">
        {exportNote}
      </div>
      <p>
        <label htmlFor={inputId}>Import</label>
        <input
          className="file-input"
          id={inputId}
          ref={inputRef}
          type="file"
          accept=".json,.csv,application/json,text/csv"
          disabled={!ready || busy}
          aria-describedby={`${inputId}-hint`}
          onChange={onFile}
        />
      </p>
      <p id={`${inputId}-hint`} className="hint">
        Brisk JSON or CSV, or Todoist's CSV export; up to 2 MiB and 5 000 tasks. Importing the same file again adds
        nothing.
      </p>
      <div role="status" className="notice">
        {state.kind === "busy" || state.kind === "done" ? state.message : ""}
      </div>
      {state.kind === "done" && state.warnings.length > 0 ? (
        <ul aria-label="Imported with changes">
          {state.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      ) : null}
      <FormAlert message={state.kind === "refused" ? state.message : ""} />
      {state.kind === "refused" && state.rows.length > 0 ? (
        <ul aria-label="Rows that could not be imported">
          {state.rows.map((row) => (
            <li key={row}>{row}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
