import type { Page } from "@playwright/test";
import {
  addTask,
  controlledByServiceWorker,
  offlineNoise,
  password,
  replicaHolds,
  signIn,
  signUp,
} from "../support/browser.ts";
import { recordTaskWrites, serverTasks } from "../support/database.ts";
import { expect, type NewPage, test } from "../support/fixtures.ts";

/**
 * The replica kept in step across devices (docs/web.md "Sync"): two browser contexts of one
 * person are two devices. Changes arrive through the live channel and the change feed, so the
 * tests wait for the condition (generously), never for a fixed time.
 */
test.describe("sync between devices", () => {
  /** A second device of the person signed in on `email`, on /tasks. */
  async function secondDevice(newPage: NewPage, email: string) {
    const device = await newPage();
    await device.page.goto("/sign-in");
    await signIn(device.page, email);
    await device.page.waitForURL((url) => url.pathname === "/tasks");
    await expect(device.page.getByRole("heading", { name: "Tasks" })).toBeVisible();
    return device;
  }

  const checkbox = (page: Page, name: string) => page.getByRole("checkbox", { name, exact: true });

  test("shows a create, an edit, a complete and a delete on the other device without a reload", async ({ newPage }) => {
    const laptop = await newPage();
    const email = await signUp(laptop.page, "Lee Live");
    const phone = await secondDevice(newPage, email);
    await expect(phone.page.getByText("No tasks yet — add one above").first()).toBeVisible();
    const phoneNavigations: string[] = [];
    phone.page.on("framenavigated", (frame) => {
      if (frame === phone.page.mainFrame()) phoneNavigations.push(frame.url());
    });

    let started = Date.now();
    await addTask(laptop.page, "Water the plants");
    await expect(checkbox(phone.page, "Water the plants")).toBeVisible();
    const createSeen = Date.now() - started;

    await laptop.page.getByRole("button", { name: 'Edit "Water the plants"' }).click();
    await laptop.page.keyboard.press("ControlOrMeta+A");
    await laptop.page.keyboard.type("Water the garden");
    started = Date.now();
    await laptop.page.keyboard.press("Enter");
    await expect(checkbox(phone.page, "Water the garden")).toBeVisible();
    const editSeen = Date.now() - started;

    started = Date.now();
    await checkbox(laptop.page, "Water the garden").check();
    await expect(checkbox(phone.page, "Water the garden")).toBeChecked();
    await expect(phone.page.getByText("0 tasks left").first()).toBeVisible();
    const completeSeen = Date.now() - started;

    started = Date.now();
    await laptop.page.getByRole("button", { name: 'Delete "Water the garden"' }).click();
    // Pointed at, the Undo offer stays (its time stands still): the deletion reaches the phone while
    // Undo is still offered — it is sent at once, not held until the offer goes (decision 034).
    await laptop.page.getByRole("button", { name: "Undo" }).hover();
    await expect(checkbox(phone.page, "Water the garden")).toHaveCount(0);
    const deleteSeen = Date.now() - started;
    await expect(laptop.page.getByText("Task deleted").first()).toBeVisible();
    // Undo restores it under its token: back on both devices, completed as it was.
    await laptop.page.getByRole("button", { name: "Undo" }).click();
    await expect(checkbox(phone.page, "Water the garden")).toBeChecked();
    await expect(checkbox(laptop.page, "Water the garden")).toBeChecked();

    expect(phoneNavigations, "the phone never reloaded").toEqual([]);
    // A measurement to report (docs/performance.md), not an assertion on a busy machine.
    console.log(
      `[sync] seen on the other device after (ms): create ${createSeen}, edit ${editSeen}, ` +
        `complete ${completeSeen}, delete ${deleteSeen}`,
    );

    // Another person sees none of it, live or not.
    const stranger = await newPage();
    await signUp(stranger.page, "Sam Stranger");
    await addTask(laptop.page, "Private errand");
    await expect(checkbox(phone.page, "Private errand")).toBeVisible();
    await expect(stranger.page.getByText("No tasks yet — add one above").first()).toBeVisible();
    expect(await stranger.page.content()).not.toContain("Private errand");
  });

  test("keeps changes made offline and sends each exactly once when the network returns", async ({
    signedIn,
    consoleErrors,
  }) => {
    consoleErrors.allow(/ERR_INTERNET_DISCONNECTED/);
    const { context, page } = signedIn;
    await addTask(page, "Edit me offline");
    await addTask(page, "Complete me offline");
    await addTask(page, "Delete me offline");
    await expect.poll(async () => (await serverTasks(page)).length, { timeout: 30_000 }).toBe(3);
    const writes = recordTaskWrites(page);

    await context.setOffline(true);
    await addTask(page, "Added offline");
    await page.getByRole("button", { name: 'Edit "Edit me offline"' }).click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("Edited offline");
    await page.keyboard.press("Enter");
    await checkbox(page, "Complete me offline").check();
    await page.getByRole("button", { name: 'Delete "Delete me offline"' }).click();
    await expect(checkbox(page, "Delete me offline")).toHaveCount(0);
    await expect(checkbox(page, "Edited offline")).toBeVisible();
    await expect(page.getByText("2 tasks left").first()).toBeVisible();
    // Offline is not a signed-out session.
    expect(new URL(page.url()).pathname).toBe("/tasks");

    await context.setOffline(false);
    await expect
      .poll(async () => (await serverTasks(page)).map((t) => `${t.title}:${t.completed}`).sort(), { timeout: 60_000 })
      .toEqual(["Added offline:false", "Complete me offline:true", "Edited offline:false"]);
    // Each change once: one create, one edit, one complete, one delete answered with success.
    await expect
      .poll(() => writes.filter((w) => w.status >= 200 && w.status < 300).length, { timeout: 30_000 })
      .toBe(4);
    const ok = writes.filter((w) => w.status >= 200 && w.status < 300).map((w) => w.method);
    expect(ok.sort()).toEqual(["DELETE", "PATCH", "PATCH", "POST"]);
  });

  test("keeps a task added just before a reload that IndexedDB had no time to store, and sends it once", async ({
    signedIn,
    consoleErrors,
  }) => {
    // Its create is aborted as if the network had gone.
    consoleErrors.allow(/ERR_INTERNET_DISCONNECTED/);
    const { page } = signedIn;
    await addTask(page, "Saved before");
    const writes = recordTaskWrites(page);
    // The page goes at once after the task is added: its writes to IndexedDB never land (seen in Chromium on a
    // reload right after a change), and its request never reaches the server.
    await page.evaluate(() => {
      IDBObjectStore.prototype.put = () => {
        throw new DOMException("The page is going", "AbortError");
      };
    });
    await page.route("**/api/*/tasks", async (route) => {
      if (route.request().method() === "POST") await route.abort("internetdisconnected");
      else await route.fallback();
    });
    await page.getByRole("textbox", { name: "New task" }).fill("Added just before the reload");
    await page.getByRole("textbox", { name: "New task" }).press("Enter");
    await expect(page.getByText("Added “Added just before the reload”").first()).toBeVisible();
    await page.reload();
    await page.unrouteAll({ behavior: "ignoreErrors" });

    await expect(checkbox(page, "Added just before the reload")).toBeVisible();
    await expect
      .poll(async () => (await serverTasks(page)).map((t) => t.title).sort(), { timeout: 60_000 })
      .toEqual(["Added just before the reload", "Saved before"]);
    await expect
      .poll(() => writes.filter((w) => w.status >= 200 && w.status < 300).length, { timeout: 30_000 })
      .toBe(1);
    // A later visit has nothing left to send.
    await page.reload();
    await expect(checkbox(page, "Added just before the reload")).toBeVisible();
    await expect(page.getByText(/will sync/)).toHaveCount(0);
    expect(writes.filter((w) => w.status >= 200 && w.status < 300).map((w) => w.method)).toEqual(["POST"]);
  });

  test("asks which value to keep when both devices changed the same field, and merges different fields", async ({
    newPage,
    consoleErrors,
  }) => {
    // The phone is taken offline.
    consoleErrors.allow(offlineNoise);
    const laptop = await newPage();
    const email = await signUp(laptop.page, "Cora Conflict");
    await addTask(laptop.page, "Plan the trip");
    await addTask(laptop.page, "Book the hotel");
    const phone = await secondDevice(newPage, email);
    await expect(checkbox(phone.page, "Book the hotel")).toBeVisible();

    // The phone goes offline; both devices edit the same task's title.
    await phone.context.setOffline(true);
    await phone.page.getByRole("button", { name: 'Edit "Plan the trip"' }).click();
    await phone.page.keyboard.press("ControlOrMeta+A");
    await phone.page.keyboard.type("Plan the trip to Rome");
    await phone.page.keyboard.press("Enter");
    // And different fields of another: the phone its title, the laptop its completion.
    await phone.page.getByRole("button", { name: 'Edit "Book the hotel"' }).click();
    await phone.page.keyboard.press("ControlOrMeta+A");
    await phone.page.keyboard.type("Book the hotel near the station");
    await phone.page.keyboard.press("Enter");

    await laptop.page.getByRole("button", { name: 'Edit "Plan the trip"' }).click();
    await laptop.page.keyboard.press("ControlOrMeta+A");
    await laptop.page.keyboard.type("Plan the trip to Lisbon");
    await laptop.page.keyboard.press("Enter");
    await checkbox(laptop.page, "Book the hotel").check();
    await expect
      .poll(async () => (await serverTasks(laptop.page)).map((t) => t.title).sort(), { timeout: 30_000 })
      .toEqual(["Book the hotel", "Plan the trip to Lisbon"]);
    await expect
      .poll(async () => (await serverTasks(laptop.page)).find((t) => t.title === "Book the hotel")?.completed, {
        timeout: 30_000,
      })
      .toBe(true);

    await phone.context.setOffline(false);
    const dialog = phone.page.getByRole("dialog", { name: "Changed on another device" });
    await expect(dialog).toBeVisible();
    const title = dialog.getByRole("group", { name: "Title" });
    await expect(title.getByRole("radio", { name: "Yours: Plan the trip to Rome" })).toBeVisible();
    await title.getByRole("radio", { name: "Other device: Plan the trip to Lisbon" }).check();
    await dialog.getByRole("button", { name: "Keep these" }).click();
    await expect(dialog).toHaveCount(0);

    // The choice and the merge hold everywhere: the server, the phone, the laptop.
    await expect
      .poll(async () => (await serverTasks(laptop.page)).map((t) => `${t.title}:${t.completed}`).sort(), {
        timeout: 30_000,
      })
      .toEqual(["Book the hotel near the station:true", "Plan the trip to Lisbon:false"]);
    for (const page of [phone.page, laptop.page]) {
      await expect(checkbox(page, "Plan the trip to Lisbon")).toBeVisible();
      await expect(checkbox(page, "Book the hotel near the station")).toBeChecked();
    }
  });

  test("takes the other device to sign-in when one signs out of all devices", async ({ newPage }) => {
    const laptop = await newPage();
    const email = await signUp(laptop.page, "Eve Everywhere");
    await addTask(laptop.page, "Still mine after signing in");
    const phone = await secondDevice(newPage, email);
    await phone.page.goto("/account");
    await phone.page.getByRole("button", { name: "Sign out of all devices" }).click();
    const started = Date.now();
    await laptop.page.waitForURL(/\/sign-in/, { timeout: 30_000 });
    console.log(`[sync] the other device reached sign-in after ${Date.now() - started} ms`);
    await expect(laptop.page.getByText("Your session has ended — please sign in again").first()).toBeVisible();
    await laptop.page.getByLabel("Email").fill(email);
    await laptop.page.getByLabel("Password").fill(password);
    await laptop.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await laptop.page.waitForURL((url) => url.pathname === "/tasks");
    await expect(checkbox(laptop.page, "Still mine after signing in")).toBeVisible();
  });

  // The app shell comes from the service worker's cache (decision 015), the tasks from the replica.
  // This test was skipped for two rounds as "the replica sometimes reverts": the cause was the test's own
  // `replicaHolds`, which did not wait (see e2e/support/browser.ts), so on a loaded machine the page went
  // offline before the create had reached the server — and the app rightly kept it as a pending change.
  test("opens /tasks offline from the replica after a reload", async ({ signedIn, consoleErrors }) => {
    consoleErrors.allow(offlineNoise);
    const { context, page } = signedIn;
    await addTask(page, "There after an offline reload");
    await controlledByServiceWorker(page);
    await replicaHolds(page, "There after an offline reload");
    await context.setOffline(true);
    await page.reload();
    await expect(checkbox(page, "There after an offline reload")).toBeVisible();
    expect(new URL(page.url()).pathname).toBe("/tasks");

    // A change made in the reloaded, offline page waits, is counted, and lands once back online.
    await addTask(page, "Added after an offline reload");
    await expect(page.getByText("Offline — 1 change will sync").first()).toBeVisible();
    await context.setOffline(false);
    await expect
      .poll(async () => (await serverTasks(page)).map((task) => task.title).sort(), { timeout: 30_000 })
      .toEqual(["Added after an offline reload", "There after an offline reload"]);
    await expect(page.getByText("Offline — 1 change will sync")).toHaveCount(0);
  });
});
