// @ts-check
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import react from "@astrojs/react";
import { defineConfig } from "astro/config";

// The scripts pages carry inline (src/inline/*.js, written verbatim by InlineScript):
// Astro hashes the scripts it bundles but not `is:inline` ones, so their hashes are added here.
const inlineDir = new URL("./src/inline/", import.meta.url);
const inlineScriptHashes = readdirSync(inlineDir)
  .filter((name) => name.endsWith(".js"))
  .map(
    (name) =>
      `sha256-${createHash("sha256")
        .update(readFileSync(new URL(name, inlineDir)))
        .digest("base64")}`,
  );

// A fully static site: the Worker serves web/dist with Workers Static Assets, and
// React hydrates only the islands that must react.
export default defineConfig({
  output: "static",
  integrations: [react()],
  // tasks.html rather than tasks/index.html: Workers Static Assets then serves /tasks
  // itself, with no redirect to /tasks/ (the URLs the spec and the redirects use).
  build: { format: "file" },
  trailingSlash: "never",
  devToolbar: { enabled: false },
  // No code blocks here; Shiki's inline styles would not pass the CSP anyway.
  markdown: { syntaxHighlight: false },
  security: {
    // Astro writes a <meta http-equiv="content-security-policy"> into every page, with
    // hashes for each script and style it emits (the inline theme script included), so
    // no 'unsafe-inline' is needed. What a meta tag cannot carry (frame-ancestors) and
    // the other security headers are in public/_headers.
    csp: {
      algorithm: "SHA-256",
      scriptDirective: { hashes: /** @type {`sha256-${string}`[]} */ (inlineScriptHashes) },
      directives: [
        "default-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "manifest-src 'self'",
        // The service worker (/sw.js, scripts/build-pwa.ts); no other workers.
        "worker-src 'self'",
      ],
    },
  },
});
