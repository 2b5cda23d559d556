/**
 * What support/global-setup.ts hands to the tests. It runs in Playwright's runner process before any worker
 * starts, and the workers inherit its environment: these variables are the channel (Playwright's documented
 * way to pass data from a global setup to tests).
 */
export const suiteEnv = {
  /** The app's origin, `http://localhost:<port>`. */
  baseUrl: "BRISK_E2E_BASE_URL",
  /** The local Neon stand-in's origin, for arming faults (`POST /__stand-in/faults`). */
  standInUrl: "BRISK_E2E_STAND_IN_URL",
  /** The connection string that carries the stand-in's secret: it refuses requests without it. */
  standInDatabaseUrl: "BRISK_E2E_STAND_IN_DATABASE_URL",
  /** Set when the suite does not run (BRISK_DB=postgres, or no Chromium with BRISK_E2E=skip): why. */
  skipped: "BRISK_E2E_SKIPPED",
} as const;

export function fromSuite(name: keyof typeof suiteEnv): string {
  return process.env[suiteEnv[name]] ?? "";
}
