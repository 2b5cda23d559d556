/** Small statistics and formatting helpers shared by the benchmarks. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]); NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? Number.NaN;
  return lowValue + (highValue - lowValue) * (position - low);
}

/** Half the interquartile range relative to the median: how noisy a series of samples was. */
export function spread(values: readonly number[]): number {
  const m = median(values);
  return m === 0 ? 0 : (quantile(values, 0.75) - quantile(values, 0.25)) / 2 / m;
}

export const round = (value: number, digits = 0) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** 12 345 → "12 345"; fractional values keep `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return "–";
  const [whole = "", fraction] = Math.abs(value).toFixed(digits).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return `${value < 0 ? "−" : ""}${grouped}${fraction ? `.${fraction}` : ""}`;
}

export const formatRatio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 1)}×` : "–");
export const formatPercent = (value: number) => (Number.isFinite(value) ? `±${Math.round(value * 100)}%` : "–");
export const kib = (bytes: number) => `${formatNumber(bytes / 1024, 1)} KiB`;

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
  /** Lines printed under the table (how it was measured, what to read from it). */
  notes?: string[];
}

/** A table as aligned plain text for the terminal. */
export function renderText(table: Table): string {
  const all = [table.columns, ...table.rows];
  const widths = table.columns.map((_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const out = [
    `\n${table.title}`,
    line(table.columns),
    widths.map((w) => "─".repeat(w)).join("  "),
    ...table.rows.map(line),
  ];
  for (const note of table.notes ?? []) out.push(`  ${note}`);
  return out.join("\n");
}

/** A table as GitHub markdown, for docs/performance.md. */
export function renderMarkdown(table: Table): string {
  const escapeCell = (cell: string) => cell.replace(/\|/g, "\\|");
  // Columns of figures are right-aligned; words stay left.
  const numeric = (column: number) =>
    column > 0 && table.rows.every((row) => (row[column] ?? "") === "" || /^[\d−–±≤]/.test(row[column] ?? ""));
  const out = [
    `| ${table.columns.map(escapeCell).join(" | ")} |`,
    `| ${table.columns.map((_, i) => (numeric(i) ? "---:" : "---")).join(" | ")} |`,
    ...table.rows.map((row) => `| ${row.map(escapeCell).join(" | ")} |`),
  ];
  return `**${table.title}**\n\n${out.join("\n")}${table.notes?.length ? `\n\n${table.notes.join(" ")}` : ""}`;
}
