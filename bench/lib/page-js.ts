import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";

/**
 * The JavaScript each built page of the site ships: the module scripts its HTML
 * names, the islands' component and renderer URLs, everything those import
 * statically, and inline scripts. Chunks only imported on demand (`import()`) are
 * counted apart. Sizes are gzip level 9 per file, summed: about what a browser
 * downloads over HTTP/2 with a cold cache.
 */

export interface PageJs {
  page: string;
  files: number;
  inlineScripts: number;
  rawBytes: number;
  gzipBytes: number;
  /** JavaScript only loaded on demand, gzip. */
  lazyGzipBytes: number;
}

export const gzipSize = (data: string | Buffer) => gzipSync(data, { level: 9 }).length;

function htmlPages(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "_astro" ? [] : htmlPages(path);
    return name.endsWith(".html") ? [path] : [];
  });
}

/** "/", "/sign-in", … for dist/index.html, dist/sign-in.html or dist/sign-in/index.html. */
export function routeOf(dist: string, file: string): string {
  const path = relative(dist, file)
    .replace(/(^|\/)index\.html$/, "")
    .replace(/\.html$/, "");
  return `/${path}`.replace(/\/$/, "") || "/";
}

function follow(dist: string, file: string, seen: Set<string>, lazy: Set<string>) {
  if (seen.has(file) || !existsSync(file)) return;
  seen.add(file);
  const code = readFileSync(file, "utf8");
  for (const match of code.matchAll(
    /\b(?:import|export)\s*(?:[\w*${}\s,]*?from\s*)?["'](\.{1,2}\/[^"'\s]+\.js)["']/g,
  )) {
    follow(dist, resolve(dirname(file), match[1] as string), seen, lazy);
  }
  for (const match of code.matchAll(/\bimport\(\s*["'`](\.{1,2}\/[^"'`]+\.js)["'`]\s*\)/g)) {
    lazy.add(resolve(dirname(file), match[1] as string));
  }
  // Vite's preload list names lazily loaded chunks relative to the site root.
  for (const match of code.matchAll(/["'`](_astro\/[^"'`]+\.js)["'`]/g)) lazy.add(join(dist, match[1] as string));
}

export function measurePages(dist: string): PageJs[] {
  if (!existsSync(dist)) throw new Error(`${dist} does not exist: build the site first (pnpm build)`);
  return htmlPages(dist)
    .sort()
    .map((file) => {
      const html = readFileSync(file, "utf8");
      const entries = new Set<string>();
      for (const match of html.matchAll(/<script\b[^>]*\bsrc="(\/[^"]+\.js)"/g))
        entries.add(join(dist, match[1] as string));
      for (const match of html.matchAll(/\b(?:component|renderer|before-hydration)-url="(\/[^"]+\.js)"/g)) {
        entries.add(join(dist, match[1] as string));
      }
      const seen = new Set<string>();
      const lazy = new Set<string>();
      for (const entry of entries) follow(dist, entry, seen, lazy);
      const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
        .map((match) => match[1] as string)
        .filter((script) => script.trim() !== "");
      const files = [...seen];
      const onDemand = [...lazy].filter((path) => !seen.has(path) && existsSync(path));
      return {
        page: routeOf(dist, file),
        files: files.length,
        inlineScripts: inline.length,
        rawBytes:
          files.reduce((sum, path) => sum + statSync(path).size, 0) + inline.reduce((sum, s) => sum + s.length, 0),
        gzipBytes:
          files.reduce((sum, path) => sum + gzipSize(readFileSync(path)), 0) +
          inline.reduce((sum, s) => sum + gzipSize(s), 0),
        lazyGzipBytes: onDemand.reduce((sum, path) => sum + gzipSize(readFileSync(path)), 0),
      };
    });
}
