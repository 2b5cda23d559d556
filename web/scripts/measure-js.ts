/**
 * `pnpm --filter @brisk/web size` — the JavaScript each built page ships, gzipped.
 * Run after `pnpm --filter @brisk/web build`. For every page in dist/ it follows the
 * module scripts and island URLs the HTML names, then their static imports; inline
 * scripts count too. Chunks loaded only on demand (dynamic import) are listed apart.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const dist = resolve(import.meta.dirname, "..", "dist");

function pages(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "_astro" ? [] : pages(path);
    return name.endsWith(".html") ? [path] : [];
  });
}

const gz = (text: string | Buffer) => gzipSync(text, { level: 9 }).length;

function follow(file: string, seen: Set<string>, lazy: Set<string>) {
  if (seen.has(file)) return;
  seen.add(file);
  const code = readFileSync(file, "utf8");
  for (const match of code.matchAll(/(?:import|export)\s*(?:[\w*{}\s,$]*from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g)) {
    follow(resolve(dirname(file), match[1] as string), seen, lazy);
  }
  for (const match of code.matchAll(/import\(\s*["'`](\.{1,2}\/[^"'`]+\.js)["'`]\s*\)/g)) {
    lazy.add(resolve(dirname(file), match[1] as string));
  }
  // Vite's preload map names a lazy chunk and its dependencies relative to the site root.
  for (const list of code.matchAll(/__vite__mapDeps[^[]*\[([^\]]*)\]/g)) {
    for (const name of (list[1] as string).matchAll(/"(_astro\/[^"]+\.js)"/g)) lazy.add(join(dist, name[1] as string));
  }
}

const rows: string[][] = [["page", "JS files", "raw bytes", "gzip bytes", "on demand (gzip)"]];
for (const page of pages(dist).sort()) {
  const html = readFileSync(page, "utf8");
  const entries = new Set<string>();
  for (const match of html.matchAll(/<script[^>]*\bsrc="(\/_astro\/[^"]+\.js)"/g))
    entries.add(join(dist, match[1] as string));
  for (const match of html.matchAll(/(?:component|renderer)-url="(\/_astro\/[^"]+\.js)"/g)) {
    entries.add(join(dist, match[1] as string));
  }
  const seen = new Set<string>();
  const lazy = new Set<string>();
  for (const entry of entries) follow(entry, seen, lazy);
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
  const files = [...seen];
  const raw = files.reduce((sum, f) => sum + statSync(f).size, 0) + inline.reduce((sum, s) => sum + s.length, 0);
  const zipped = files.reduce((sum, f) => sum + gz(readFileSync(f)), 0) + inline.reduce((sum, s) => sum + gz(s), 0);
  const onDemand = [...lazy].filter((f) => !seen.has(f));
  const lazyZipped = onDemand.reduce((sum, f) => sum + gz(readFileSync(f)), 0);
  rows.push([
    `/${relative(dist, page)
      .replace(/index\.html$/, "")
      .replace(/\.html$/, "")}`,
    `${files.length} + ${inline.length} inline`,
    String(raw),
    String(zipped),
    onDemand.length ? String(lazyZipped) : "-",
  ]);
}

const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
console.log("\nGzip sizes are per file (level 9), summed; a browser fetching them over HTTP/2 pays about this.");
