/**
 * What the service worker keeps, and under which URLs: the rules `scripts/build-pwa.ts`
 * hands to Workbox. Kept apart from the build script so they are tested on their own.
 */

/** Files of the built site the service worker precaches: every page, script, style, icon and the manifest. */
export const precacheGlobs = ["**/*.{html,js,css,svg,png,webmanifest}"];
/**
 * Never precached: Scalar's 4 MB bundle for the Worker's /api/docs page (an API page, not the app),
 * and the service worker itself.
 */
export const precacheIgnores = ["vendor/**", "sw.js"];

/**
 * The URL a page is served under, from its built file: the site is built with
 * `build.format: "file"` and Workers Static Assets serves `tasks.html` as `/tasks`
 * (and redirects `/tasks.html` there), so the cache is keyed by the URL people visit.
 */
export function pageUrl(file: string): string {
  if (file === "index.html") return "/";
  if (file.endsWith("/index.html")) return `/${file.slice(0, -"/index.html".length)}`;
  if (file.endsWith(".html")) return `/${file.slice(0, -".html".length)}`;
  return `/${file}`;
}

/** Workbox manifest transform: pages under the URLs people visit, other files under their own path. */
export function toServedUrls<Entry extends { url: string }>(
  entries: Entry[],
): { manifest: Entry[]; warnings: string[] } {
  return { manifest: entries.map((entry) => ({ ...entry, url: pageUrl(entry.url) })), warnings: [] };
}
