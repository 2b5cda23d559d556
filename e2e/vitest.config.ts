import { defineConfig } from "vitest/config";

// Browser tests: real Chromium (playwright-core) against the app exactly as `pnpm dev` runs it.
export default defineConfig({
  test: {
    include: ["tests/**/*.e2e.ts"],
    globalSetup: ["./support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
