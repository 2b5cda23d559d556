import { defineConfig } from "@playwright/test";
import { chromiumArgs, findChromium } from "./support/chromium.ts";

/**
 * Browser tests: Debian's Chromium driven by @playwright/test against the app exactly as `pnpm dev` runs it.
 *
 * The app is started by `support/global-setup.ts`, not by `webServer`: the tests need the local Neon stand-in's
 * control URL and the secret its connection string carries (to arm faults, tests/faults.e2e.ts), and both
 * come from free ports found and a secret made when the run starts. This file is evaluated again in every
 * worker process, so values made here would differ between the runner and the tests; a global setup makes them
 * once and hands them down in the environment, as Playwright documents. It also keeps the checks that come
 * before any app: BRISK_DB=postgres (the suite runs once, on PGlite) and "no Chromium" (fail with the install
 * hint, or skip with BRISK_E2E=skip), and it removes the run's PGlite directory afterwards.
 */
export default defineConfig({
  testDir: "tests",
  testMatch: "**/*.e2e.ts",
  globalSetup: "./support/global-setup.ts",
  // One app and one database for the whole run, on a 2-core machine shared with other work.
  workers: 1,
  fullyParallel: false,
  // A flaky test is fixed, never retried.
  retries: 0,
  forbidOnly: !!process.env.CI,
  // A browser, wrangler dev and a database on a machine that may be busy: generous, never tight.
  timeout: 180_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  // Traces of failed tests (and what Playwright writes with them); screenshots the tests take go to artifacts/.
  outputDir: "artifacts/test-results",
  use: {
    browserName: "chromium",
    launchOptions: { executablePath: findChromium(), args: chromiumArgs },
    trace: "retain-on-failure",
  },
});
