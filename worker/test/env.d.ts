// Bindings that only the test configuration (vitest.config.ts) adds.
declare namespace Cloudflare {
  interface Env {
    TEST_HANGING_ENDPOINT: string;
  }
}
