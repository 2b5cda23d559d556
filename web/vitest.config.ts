import { defineConfig } from "vitest/config";

// Component and unit tests in jsdom; the network is the only thing faked (src/test/fake-api.ts).
export default defineConfig({
  test: {
    environment: "jsdom",
    environmentOptions: { jsdom: { url: "http://localhost:4321/" } },
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
    // Generous: a busy machine must only make the tests slower, never fail them.
    testTimeout: 60_000,
  },
});
