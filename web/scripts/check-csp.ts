/**
 * `pnpm --filter @brisk/web check:csp` — after a build, proves each page's CSP allows
 * exactly what the page carries: every inline <script> and <style> is hashed in the page's
 * <meta http-equiv="content-security-policy">, no 'unsafe-inline' or 'unsafe-eval' is
 * used, and no style="" attribute (which hashes cannot allow) is present.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const dist = resolve(import.meta.dirname, "..", "dist");
const problems: string[] = [];
const pages = readdirSync(dist).filter((name) => name.endsWith(".html"));

for (const page of pages) {
  const html = readFileSync(join(dist, page), "utf8");
  const policy = /<meta http-equiv="content-security-policy" content="([^"]+)"/.exec(html)?.[1];
  if (!policy) {
    problems.push(`${page}: no CSP meta tag`);
    continue;
  }
  const directive = (name: string) => new RegExp(`(?:^|;)\\s*${name}\\s+([^;]*)`).exec(policy)?.[1] ?? "";
  for (const name of ["script-src", "style-src"]) {
    if (/'unsafe-(inline|eval)'/.test(directive(name))) problems.push(`${page}: ${name} allows unsafe code`);
  }
  const check = (kind: "script-src" | "style-src", body: string) => {
    const hash = `'sha256-${createHash("sha256").update(body).digest("base64")}'`;
    if (!directive(kind).includes(hash)) problems.push(`${page}: inline ${kind} ${hash} is not allowed`);
  };
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g))
    check("script-src", match[1] ?? "");
  for (const match of html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)) check("style-src", match[1] ?? "");
  if (/<[^>]+\sstyle="/.test(html)) problems.push(`${page}: a style="" attribute (blocked by the CSP)`);
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`CSP covers every inline script and style on ${pages.length} pages.`);
