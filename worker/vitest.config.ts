import { resolve } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { experimental_readRawConfig } from "wrangler";
import { testDatabaseUrl } from "./test/test-config.ts";

// The plugin builds the Worker with Vite, not with wrangler, so wrangler.toml's
// `[alias]` stand-ins (worker/aliases) are applied here too: the tests run what ships.
const wranglerConfig = "../wrangler.toml";
const { rawConfig } = experimental_readRawConfig({ config: wranglerConfig });
const aliases: Record<string, string> = rawConfig.alias ?? {};
const alias = Object.entries(aliases).map(([module, path]) => ({
  find: new RegExp(`^${module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`),
  replacement: resolve(import.meta.dirname, "..", path),
}));

export default defineConfig({
  test: {
    projects: [
      {
        // The Worker itself, inside workerd, against the local Neon stand-in.
        extends: false,
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: wranglerConfig },
            miniflare: {
              bindings: {
                DATABASE_URL: testDatabaseUrl,
                BETTER_AUTH_URL: "http://localhost",
                BETTER_AUTH_SECRET: "test-secret-that-is-long-enough-for-better-auth",
                NEON_FETCH_ENDPOINT: inject("neonEndpoint"),
                // Where a database that accepts connections but never answers is needed.
                TEST_HANGING_ENDPOINT: inject("hangingEndpoint"),
              },
            },
          })),
        ],
        resolve: { alias },
        test: {
          name: "worker",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          setupFiles: ["test/setup-file.ts"],
          // Test files share the stand-in's database, emptied before each file, so they run one at a time.
          fileParallelism: false,
        },
      },
      {
        // The stand-in's protocol conformance, in Node, with the real driver and drizzle.
        extends: false,
        test: {
          name: "stand-in",
          include: ["local/**/*.test.ts", "scripts/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
