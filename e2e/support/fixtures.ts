import { type BrowserContext, test as base, type Page } from "@playwright/test";
import { newIp, signUp, unexpectedErrors, uniqueEmail } from "./browser.ts";
import { fromSuite } from "./env.ts";

export { expect } from "@playwright/test";

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: "light" | "dark";
  /** The browser's IANA time zone (as the person's machine has it). */
  timezoneId?: string;
}

/** A page in a fresh browser context: its own cookies, storage and client address. */
export interface OpenPage {
  context: BrowserContext;
  page: Page;
}

/** The `newPage` fixture, for helpers that open another device's page. */
export type NewPage = (options?: PageOptions) => Promise<OpenPage>;

export interface ConsoleErrors {
  /**
   * Lets the current test's pages log errors matching `pattern` — only for errors the test provokes on
   * purpose (a page taken offline logs every request it could not send).
   */
  allow(pattern: RegExp): void;
  /** Collects the console errors, uncaught exceptions and CSP violations of a page (done by `newPage`). */
  watch(page: Page, label: string): void;
}

interface Fixtures {
  /** Why the suite does not run (see support/global-setup.ts); empty when it does. */
  suiteGate: undefined;
  consoleErrors: ConsoleErrors;
  /** Opens a page in a new context; every one is closed after the test, and watched by the console guard. */
  newPage: NewPage;
  /** The name the `signedIn` person signs up with (`test.use({ personName })`). */
  personName: string;
  /** A new person, signed up through the form (which signs in) and on their empty task list. */
  signedIn: OpenPage & { email: string };
}

/**
 * The browser suite's `test`: pages in fresh contexts with their own client address, a signed-in person, and a
 * guard that fails any test whose pages logged an unexpected console error or CSP violation.
 */
export const test = base.extend<Fixtures>({
  suiteGate: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
    async ({}, use, testInfo) => {
      const skipped = fromSuite("skipped");
      // An automatic fixture is set up before any other, so a skipped run never launches a browser.
      testInfo.skip(skipped !== "", skipped);
      await use(undefined);
    },
    { auto: true },
  ],

  consoleErrors: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
    async ({}, use, testInfo) => {
      const logged: string[] = [];
      const allowed: RegExp[] = [];
      await use({
        allow: (pattern) => {
          allowed.push(pattern);
        },
        watch: (page, label) => {
          // A CSP violation is logged by Chromium as a console error ("Refused to …").
          page.on("console", (message) => {
            if (message.type() === "error") logged.push(`${label}: ${message.text()}`);
          });
          page.on("pageerror", (error) => logged.push(`${label}: ${error.message}`));
        },
      });
      const unexpected = unexpectedErrors(logged).filter((error) => !allowed.some((pattern) => pattern.test(error)));
      if (unexpected.length === 0) return;
      const report = `The pages logged errors:\n${unexpected.join("\n")}`;
      // A test that failed already keeps its own failure first; the errors go with it.
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach("console errors", { body: report });
      else throw new Error(report);
    },
    { auto: true },
  ],

  newPage: async ({ browser, consoleErrors }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (options = {}) => {
      const context = await browser.newContext({
        baseURL: fromSuite("baseUrl"),
        // Each page is its own client to the rate limiter (wrangler dev passes the header through; Cloudflare sets it).
        extraHTTPHeaders: { "CF-Connecting-IP": newIp() },
        viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
        colorScheme: options.colorScheme ?? "light",
        ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
      });
      contexts.push(context);
      const label = `page ${contexts.length}`;
      // Pages the context opens later (a popup, a second tab) are watched as well.
      context.on("page", (page) => consoleErrors.watch(page, label));
      const page = await context.newPage();
      return { context, page };
    });
    for (const context of contexts) await context.close().catch(() => {});
  },

  page: async ({ newPage }, use) => {
    await use((await newPage()).page);
  },

  personName: ["Pat Person", { option: true }],

  signedIn: async ({ newPage, personName }, use) => {
    const { context, page } = await newPage();
    const email = await signUp(page, personName, uniqueEmail());
    await use({ context, page, email });
  },
});
