/**
 * Just enough of a source map reader to say which source file (and so which package)
 * each stretch of the bundle came from: used to split the bundle's gzip size by
 * package, and to name the package behind a CPU profile's hot functions.
 */

interface RawSourceMap {
  sources: string[];
  mappings: string;
}

/** One generated line's segments: [column, source index] pairs in column order. */
export type LineSegments = Int32Array;

export interface SourceMapIndex {
  sources: string[];
  /** Per generated line, flattened [column, source, column, source, …]. */
  lines: LineSegments[];
}

const base64 = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));

export function readSourceMap(json: string): SourceMapIndex {
  const map = JSON.parse(json) as RawSourceMap;
  const lines: LineSegments[] = [];
  let source = 0;
  for (const line of map.mappings.split(";")) {
    const pairs: number[] = [];
    let column = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const fields = decodeVlq(segment);
      column += fields[0] ?? 0;
      if (fields.length >= 4) {
        source += fields[1] ?? 0;
        pairs.push(column, source);
      } else {
        pairs.push(column, -1);
      }
    }
    lines.push(Int32Array.from(pairs));
  }
  return { sources: map.sources, lines };
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = base64.get(char) ?? 0;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** The source file a generated position (0-based line and column) came from. */
export function sourceAt(index: SourceMapIndex, line: number, column: number): string | undefined {
  const segments = index.lines[line];
  if (!segments || segments.length === 0) return undefined;
  let low = 0;
  let high = segments.length / 2 - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if ((segments[mid * 2] ?? 0) <= column) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  const source = found < 0 ? -1 : (segments[found * 2 + 1] ?? -1);
  return source < 0 ? undefined : index.sources[source];
}

/** The npm package (or repository folder) a source path belongs to. */
export function packageOf(source: string | undefined): string {
  if (!source) return "(bundler glue)";
  const at = source.lastIndexOf("node_modules/");
  if (at < 0) {
    const parts = source.replace(/^(\.\.\/)+/, "").split("/");
    return parts[0] === "worker" && parts[1] === "src"
      ? `worker/src/${parts[2]?.replace(/\.ts$/, "")}`
      : parts[0] || source;
  }
  // pnpm's store folder names the package even where its own source map points outside it
  // (drizzle-orm maps to ../src/*.ts, which lands in node_modules/src/).
  const store = /\.pnpm\/((?:@[^+/]+\+)?[^@/]+)@/.exec(source)?.[1]?.replace("+", "/");
  if (store) return store;
  const parts = source.slice(at + "node_modules/".length).split("/");
  return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? source);
}

/** The generated code split into stretches by package: package → concatenated text. */
export function splitByPackage(code: string, index: SourceMapIndex): Map<string, string> {
  const pieces = new Map<string, string[]>();
  const lines = code.split("\n");
  for (const [lineNumber, text] of lines.entries()) {
    const segments = index.lines[lineNumber] ?? new Int32Array();
    let start = 0;
    let owner = "(bundler glue)";
    const push = (end: number) => {
      if (end <= start) return;
      const list = pieces.get(owner) ?? [];
      list.push(text.slice(start, end));
      pieces.set(owner, list);
    };
    for (let i = 0; i < segments.length; i += 2) {
      const column = segments[i] ?? 0;
      push(column);
      start = column;
      const source = segments[i + 1] ?? -1;
      owner = source < 0 ? "(bundler glue)" : packageOf(index.sources[source]);
    }
    push(text.length);
  }
  return new Map([...pieces].map(([name, list]) => [name, list.join("")]));
}
