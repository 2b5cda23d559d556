import { defineConfig } from "vitest/config";

// Browser tests: real Chromium (playwright-core) against the app exactly as `pnpm dev` runs it.
export default defineConfig({
  test: {
    include: ["tests/**/*.e2e.ts"],
    globalSetup: ["./support/global-setup.ts"],
    // A browser, wrangler dev and a database on a machine that may be busy: generous, never tight.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
