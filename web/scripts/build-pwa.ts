/**
 * Runs after `astro build`: makes the built site an installable app that opens offline.
 *
 * 1. renders the app icons (PNG, plain and maskable) from the SVG mark with
 *    @vite-pwa/assets-generator;
 * 2. writes dist/manifest.webmanifest from src/pwa/app-manifest.ts;
 * 3. generates dist/sw.js with Workbox (`generateSW`): it precaches every page, script,
 *    style and icon, answers navigations to them from the cache (the query ignored, so
 *    /tasks?status=active opens offline too), falls back to the cached 404 page for other
 *    navigations when the network is down, and never touches /api/*.
 *
 * docs/decisions/015-service-worker-with-workbox.md says why these tools and this update flow.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateMaskableAsset, generateTransparentAsset } from "@vite-pwa/assets-generator/api";
import { generateSW } from "workbox-build";
import { appleTouchIcon, appManifest, iconSource, maskableBackground, pngIcons } from "../src/pwa/app-manifest.ts";
import { precacheGlobs, precacheIgnores, toServedUrls } from "../src/pwa/precache.ts";

const dist = join(import.meta.dirname, "..", "dist");
const mark = readFileSync(join(dist, iconSource));
const png = { outputOptions: { compressionLevel: 9 } };

mkdirSync(join(dist, "icons"), { recursive: true });
const renders = pngIcons.map(async (icon) => {
  const size = Number(icon.sizes.split("x")[0]);
  const image =
    icon.purpose === "maskable"
      ? // The mark inside the maskable safe zone (the middle 80 %), on its own green to the edges.
        await generateMaskableAsset(
          "png",
          mark,
          { width: size, height: size },
          {
            padding: 0.2,
            resizeOptions: { background: maskableBackground, fit: "contain" },
            ...png,
          },
        )
      : await generateTransparentAsset("png", mark, { width: size, height: size }, { padding: 0.05, ...png });
  await image.toFile(join(dist, icon.src));
});
renders.push(
  generateTransparentAsset(
    "png",
    mark,
    { width: appleTouchIcon.size, height: appleTouchIcon.size },
    { padding: 0, resizeOptions: { background: maskableBackground, fit: "contain" }, ...png },
  ).then((image) => image.toFile(join(dist, appleTouchIcon.src)).then(() => undefined)),
);
await Promise.all(renders);

writeFileSync(join(dist, "manifest.webmanifest"), `${JSON.stringify(appManifest, null, 2)}\n`);

const { count, size, warnings } = await generateSW({
  globDirectory: dist,
  globPatterns: precacheGlobs,
  globIgnores: precacheIgnores,
  swDest: join(dist, "sw.js"),
  manifestTransforms: [toServedUrls],
  // Astro's file names carry a content hash: no revision needed.
  dontCacheBustURLsMatching: /^_astro\//,
  // /tasks?status=active&q=milk is the /tasks page: filters live in the URL, not in the page.
  ignoreURLParametersMatching: [/./],
  // A new version takes over at once and its pages are used from the next navigation on; the
  // open page offers "Reload" (src/components/app-status.astro). Old caches are removed.
  skipWaiting: true,
  clientsClaim: true,
  cleanupOutdatedCaches: true,
  // One file, sw.js, served with no-cache (public/_headers): nothing else to keep in step.
  inlineWorkboxRuntime: true,
  sourcemap: false,
  mode: "production",
  runtimeCaching: [
    {
      // Other navigations (not a precached page) go to the network; offline, the cached 404 page
      // answers instead of the browser's error page. The Worker's own paths (run_worker_first in
      // wrangler.jsonc) are left alone. Workbox copies this function's source into sw.js, so it
      // can use nothing from this module.
      urlPattern: ({ request, url }) => request.mode === "navigate" && !/^\/(api|cdn-cgi)\//.test(url.pathname),
      handler: "NetworkOnly",
      options: { precacheFallback: { fallbackURL: "/404" } },
    },
  ],
});
for (const warning of warnings) console.warn(warning);
console.log(`Service worker: ${count} files precached, ${(size / 1024).toFixed(1)} KiB.`);
