/**
 * `pnpm test` — every suite, in turn: the site build (the Worker's tests serve it), the
 * development tooling's own tests (scripts/lib), the Worker in workerd with the stand-in's
 * conformance, the web app in jsdom, and the browser suite in Chromium (@playwright/test). Each runs whatever happened before it; a summary names every failure,
 * and the exit code is non-zero if any suite failed. BRISK_DB=postgres reaches every suite.
 */
import { runSuites } from "./lib/run-suites.ts";

const pnpm = (...args: string[]) => ({ command: "pnpm", args });

const { ok } = await runSuites([
  { name: "build", ...pnpm("build") },
  // Only scripts/ (a bare "scripts" filter also matched worker/scripts, whose tests the worker suite runs with
  // its own generous timeouts; here they ran a second time with vitest's default 10 s hooks, and failed on a
  // loaded machine).
  { name: "scripts", ...pnpm("exec", "vitest", "run", "--dir", "scripts") },
  { name: "worker", ...pnpm("--filter", "@brisk/worker", "test") },
  { name: "web", ...pnpm("--filter", "@brisk/web", "test") },
  // `playwright test` (e2e/playwright.config.ts); a failed test leaves its trace in e2e/artifacts/test-results.
  { name: "e2e", ...pnpm("--filter", "@brisk/e2e", "test") },
]);
process.exitCode = ok ? 0 : 1;
