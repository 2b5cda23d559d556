import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { expectLocator } from "./expect-locator.ts";

export { expectLocator };

export const baseUrl = inject("baseUrl");
export const chromiumPath = inject("chromiumPath");
/** Browser tests run only where a Chromium exists (CI installs one; see support/global-setup.ts). */
export const browserAvailable = chromiumPath !== "";

export const artifactsDir = join(import.meta.dirname, "..", "artifacts");

/**
 * One headless Chromium per test file, started the way these machines need it:
 * no sandbox (root), and no background networking (the network is closed).
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!browserAvailable) return;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("the browser is not running");
    return browser;
  };
}

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: "light" | "dark";
  /** The browser's IANA time zone (as the person's machine has it). */
  timezoneId?: string;
}

/**
 * A page in a fresh context (its own cookies). Console errors and CSP violations
 * fail the test that caused them: they are collected and checked by `assertCleanConsole`.
 */
export async function newPage(
  browser: Browser,
  options: PageOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    // Each page is its own client to the rate limiter (wrangler dev passes the header through; Cloudflare sets it).
    extraHTTPHeaders: { "CF-Connecting-IP": nextClientAddress() },
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? "light",
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Errors the page logged that are not the app's own expected refusals (a 4xx/5xx the test provoked). */
export function unexpectedErrors(errors: string[]): string[] {
  return errors.filter(
    (error) => !/Failed to load resource: the server responded with a status of (4\d\d|503)/.test(error),
  );
}

/** Random per page (each test file counts afresh, so a counter would repeat across files within a minute). */
export function nextClientAddress(): string {
  const part = () => Math.floor(Math.random() * 250) + 1;
  return `198.${18 + Math.floor(Math.random() * 2)}.${part()}.${part()}`;
}

let counter = 0;
export function uniqueEmail(prefix = "person"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

export const password = "a long and unusual passphrase";

/** Signs up through the form and waits for the task list. */
export async function signUp(page: Page, name: string, email: string = uniqueEmail()): Promise<string> {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/tasks");
  await expectLocator(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
  // The task list has hydrated (New task is disabled until then): keys typed before it would be lost.
  await expectLocator(page.getByRole("textbox", { name: "New task" })).toBeEnabled();
  return email;
}

export async function signIn(page: Page, email: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function addTask(page: Page, title: string) {
  const input = page.getByRole("textbox", { name: "New task" });
  await input.fill(title);
  await input.press("Enter");
  await expectLocator(page.getByRole("checkbox", { name: title })).toBeVisible();
}

export async function screenshot(page: Page, name: string) {
  await mkdir(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}

/**
 * Resolves once a service worker controls the page, i.e. it has installed (precached the shell) and
 * activated. `clientsClaim` takes over open pages when the worker activates, but Chromium can miss a
 * page whose navigation began while the worker was still installing (seen on a loaded machine: the
 * worker active, the page never controlled). Such a page is reloaded once — as a person's next visit
 * would be served by the worker anyway.
 */
export async function controlledByServiceWorker(page: Page): Promise<void> {
  const controlled = () => page.evaluate(() => navigator.serviceWorker.controller !== null);
  const describe = () =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      const worker = (w: ServiceWorker | null | undefined) => (w ? `${w.scriptURL} ${w.state}` : "none");
      return registration
        ? `installing ${worker(registration.installing)}, waiting ${worker(registration.waiting)}, active ${worker(registration.active)}`
        : "no registration";
    });
  try {
    // `ready` resolves once a worker for this scope is active (page.evaluate awaits it).
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  } catch (error) {
    throw new Error(`No service worker activated for ${page.url()} (${await describe()})`, { cause: error });
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await controlled()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (attempt === 0) await page.reload();
  }
  throw new Error(`No service worker took ${page.url()} over (${await describe()})`);
}

/**
 * Resolves once the replica stored in IndexedDB (decision 014) holds a task with this title — i.e. the
 * server has answered its create and the persister has written the answer. Polled with `evaluate`:
 * Playwright's `waitForFunction` does not await a returned Promise (a Promise is truthy), so a
 * predicate reading IndexedDB through it passes at once, before anything is stored.
 */
export async function replicaHolds(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const open = indexedDB.open("keyval-store");
          open.onerror = () => resolve("");
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains("keyval")) return resolve("");
            const read = db.transaction("keyval").objectStore("keyval").get("brisk-replica");
            read.onerror = () => resolve("");
            read.onsuccess = () => resolve(JSON.stringify(read.result ?? null));
          };
        }),
    );
    if (stored.includes(JSON.stringify(title).slice(1, -1))) return;
    if (Date.now() > deadline)
      throw new Error(`The stored replica never held "${title}" (it holds ${stored.slice(0, 300)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Fields of a task made straight through the API (faster than the form, and with tags, priority and due dates). */
export interface TaskSeed {
  title: string;
  tags?: string[];
  priority?: "none" | "low" | "medium" | "high";
  due?: { date: string; time: string | null; timeZone: string | null } | null;
}

/** An all-day due date `days` from today, on this machine's calendar (the browser's, unless a test sets timezoneId). */
export function allDay(days = 0): { date: string; time: null; timeZone: null } {
  const now = new Date();
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return { date: `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`, time: null, timeZone: null };
}

/**
 * Creates tasks for the signed-in person through the task API, from inside the page (its session
 * cookie gets the access token), then reloads so the list shows them.
 */
export async function createTasks(page: Page, tasks: TaskSeed[]): Promise<void> {
  await page.evaluate(async (seeds) => {
    const answer = await fetch("/api/auth/token", { cache: "no-store" });
    const { token } = (await answer.json()) as { token: string };
    const payload = token.split(".")[1] ?? "";
    const { sub } = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sub: string };
    for (const seed of seeds) {
      const response = await fetch(`/api/${sub}/tasks`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(seed),
      });
      if (!response.ok) throw new Error(`Creating "${seed.title}" answered ${response.status}`);
    }
  }, tasks);
  await page.reload();
  for (const { title } of tasks.slice(-1)) {
    await expectLocator(page.getByRole("checkbox", { name: title })).toBeVisible();
  }
}
