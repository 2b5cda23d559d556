/**
 * Runs after `astro build`: copies Scalar's standalone API reference bundle, at the
 * version the lockfile pins, into the built site, where the Worker's /api/docs page
 * loads it from this origin (worker/src/app.ts, `apiReferenceScript`). No CDN, no
 * unpinned version, and the reference works offline.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const web = join(import.meta.dirname, "..");
const bundle = join(web, "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");
const target = join(web, "dist", "vendor", "scalar-api-reference.js");

mkdirSync(join(target, ".."), { recursive: true });
copyFileSync(bundle, target);
