/** A small log-log line chart in text: one letter per series, one column per x value. */
export function asciiChart(xs: number[], series: { name: string; values: number[] }[], height = 12): string[] {
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  if (all.length === 0) return ["(no data)"];
  const low = Math.log10(Math.min(...all));
  const high = Math.log10(Math.max(...all));
  const span = Math.max(high - low, 0.01);
  const columnWidth = 10;
  const width = xs.length * columnWidth;
  const grid = Array.from({ length: height }, () => Array.from({ length: width }, () => " "));
  const letters = "ABCDEFGHIJ";
  series.forEach((s, index) => {
    s.values.forEach((value, i) => {
      if (!(value > 0)) return;
      const row = height - 1 - Math.round(((Math.log10(value) - low) / span) * (height - 1));
      const column = i * columnWidth + 4 + (index % 3);
      const cells = grid[row] as string[];
      cells[column] = cells[column] === " " ? (letters[index] as string) : "*";
    });
  });
  const label = (row: number) => {
    const value = 10 ** (low + ((height - 1 - row) / (height - 1)) * span);
    return (value >= 100 ? value.toFixed(0) : value.toFixed(1)).padStart(6);
  };
  const lines = grid.map(
    (cells, row) => `${row % 3 === 0 || row === height - 1 ? label(row) : "      "} ┤${cells.join("")}`,
  );
  lines.push(`       └${"─".repeat(width)}`);
  lines.push(
    `        ${xs.map((x) => (x >= 1000 ? `${x / 1000}k` : String(x)).padStart(5).padEnd(columnWidth)).join("")}`,
  );
  lines.push(
    `  ms (log) against the user's tasks (log); ${series.map((s, i) => `${letters[i]} = ${s.name}`).join(", ")}; * = overlap`,
  );
  return lines;
}
