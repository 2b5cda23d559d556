import { resolve } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { experimental_readRawConfig } from "wrangler";

// The plugin builds the Worker with Vite, not with wrangler, so wrangler.jsonc's
// `alias` stand-ins (worker/aliases) are applied here too: the tests run what ships.
const wranglerConfig = "../wrangler.jsonc";
const { rawConfig } = experimental_readRawConfig({ config: wranglerConfig });
const aliases: Record<string, string> = rawConfig.alias ?? {};
const alias = Object.entries(aliases).map(([module, path]) => ({
  find: new RegExp(`^${module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`),
  replacement: resolve(import.meta.dirname, "..", path),
}));

export default defineConfig({
  test: {
    // The development mailbox prints one line per mail (for `pnpm dev`); tests read the mail instead.
    onConsoleLog: (log) => (log.includes("[mail]") ? false : undefined),
    projects: [
      {
        // The Worker itself, inside workerd, against the local Neon stand-in.
        extends: false,
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: wranglerConfig },
            miniflare: {
              bindings: {
                DATABASE_URL: inject("databaseUrl"),
                BETTER_AUTH_URL: "http://localhost",
                BETTER_AUTH_SECRET: "test-secret-that-is-long-enough-for-better-auth",
                NEON_FETCH_ENDPOINT: inject("neonEndpoint"),
                // Mail goes to the development mailbox, where tests read it (test/mailbox.ts).
                DEV_MAILBOX: "on",
                // Where a database that accepts connections but never answers is needed.
                TEST_HANGING_ENDPOINT: inject("hangingEndpoint"),
                // The stand-ins' names, so test/bundle-aliases.test.ts can refuse one it does not cover.
                TEST_BUNDLE_ALIASES: Object.keys(aliases).join(","),
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
          // Tests wait on real work (password hashing, database round trips); a busy machine must
          // only make them slower, never fail them. A hang still ends, after minutes.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The stand-in's protocol conformance, in Node, with the real driver and drizzle.
        extends: false,
        test: {
          name: "stand-in",
          include: ["local/**/*.test.ts", "scripts/**/*.test.ts", "../scripts/**/*.test.ts"],
          environment: "node",
          // These start processes (pnpm db:migrate, backends): as slow as the machine is busy.
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
