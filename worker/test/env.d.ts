// Bindings that only the test configuration (vitest.config.ts) adds.
declare namespace Cloudflare {
  interface Env {
    TEST_HANGING_ENDPOINT: string;
    TEST_BUNDLE_ALIASES: string;
  }
}

// Vite's `?raw` imports: a file's text (sample files of the tests).
declare module "*?raw" {
  const text: string;
  export default text;
}
