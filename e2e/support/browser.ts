import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { expect, type Page } from "@playwright/test";
import { fromSuite } from "./env.ts";

/** The app under test (started by support/global-setup.ts). */
export const baseUrl = fromSuite("baseUrl");

export const artifactsDir = join(import.meta.dirname, "..", "artifacts");

/** Errors the page logged that are not the app's own expected refusals (a 4xx/5xx the test provoked). */
export function unexpectedErrors(errors: string[]): string[] {
  return errors.filter(
    (error) => !/Failed to load resource: the server responded with a status of (4\d\d|503)/.test(error),
  );
}

/** What Chromium logs for requests that could not leave while a test had taken the page offline. */
export const offlineNoise = /net::ERR_INTERNET_DISCONNECTED|Failed to fetch/;

/** A fresh client address per page: sign-ups and sign-ins are rate limited per address. */
export { newIp } from "../../worker/test/accounts.ts";

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
  await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
  // The task list has hydrated (New task is disabled until then): keys typed before it would be lost.
  await expect(page.getByRole("textbox", { name: "New task" })).toBeEnabled();
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
  await expect(page.getByRole("checkbox", { name: title })).toBeVisible();
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
  const registrationState = () =>
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
    throw new Error(`No service worker activated for ${page.url()} (${await registrationState()})`, { cause: error });
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await controlled()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (attempt === 0) await page.reload();
  }
  throw new Error(`No service worker took ${page.url()} over (${await registrationState()})`);
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
    await expect(page.getByRole("checkbox", { name: title })).toBeVisible();
  }
}
