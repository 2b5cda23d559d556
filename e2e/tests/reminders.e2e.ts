import type { Page } from "@playwright/test";
import { seriousViolations } from "../support/axe.ts";
import { addTask, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

/**
 * Reminders in the open app (docs/web.md "Reminders", docs/decisions/026-reminders.md): set from
 * the editor's presets, shown as a bell with the count, and — when their time comes, which the
 * page's clock is moved to rather than waited for — a system notification if allowed, otherwise
 * a message in the page.
 */

/** Records each notification the page makes (headless Chromium shows none a test could see). */
function recordNotifications() {
  const Original = window.Notification;
  const made: string[] = [];
  (window as unknown as { madeNotifications: string[] }).madeNotifications = made;
  const Recording = function (this: Notification, title: string, options?: NotificationOptions) {
    made.push(title);
    return new Original(title, options);
  } as unknown as typeof Notification;
  Object.defineProperty(Recording, "permission", { get: () => Original.permission });
  Object.defineProperty(Recording, "requestPermission", { value: Original.requestPermission.bind(Original) });
  window.Notification = Recording;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Gives the task a due date and time `minutes` from now (UTC, the page's zone) and a "15 minutes before" reminder. */
async function remindFifteenMinutesBefore(page: Page, title: string, minutes: number) {
  const due = new Date(Date.now() + minutes * 60_000);
  await page.getByRole("button", { name: `Edit "${title}"` }).click();
  const editor = page.getByRole("form", { name: `Editing "${title}"` });
  await editor.getByRole("button", { name: "Details" }).click();
  const preset = editor.getByRole("button", { name: "Remind 15 minutes before" });
  // No due time yet: the presets say why they cannot be used.
  expect(await preset.isDisabled()).toBe(true);
  await expect(editor.getByText("Set a due date and time to add reminders").first()).toBeVisible();
  await editor.getByLabel("Due date").fill(due.toISOString().slice(0, 10));
  await editor.getByLabel("Due time").fill(`${pad(due.getUTCHours())}:${pad(due.getUTCMinutes())}`);
  await preset.click();
  await expect(editor.getByRole("button", { name: "Remove reminder 15 minutes before" })).toBeVisible();
  await editor.getByRole("button", { name: "Save" }).click();
  const item = page.locator("li[data-task-id]", { has: page.getByRole("checkbox", { name: title }) });
  await expect(item.getByText("1 reminder", { exact: false })).toHaveCount(1);
  // Saved on the server before time moves (the page shows "Saving…" while it waits).
  await expect(item.getByText("Saving…")).toHaveCount(0);
}

test.describe("reminders in the open app", () => {
  test("shows a system notification when notifications are allowed", async ({ newPage }) => {
    const { page, context } = await newPage({ timezoneId: "UTC" });
    await context.grantPermissions(["notifications"]);
    await context.addInitScript(recordNotifications);
    await signUp(page, "Rosa");
    await page.clock.install();
    await page.reload();
    await addTask(page, "Water the plants");
    await remindFifteenMinutesBefore(page, "Water the plants", 20);
    // Allowed already: nothing to turn on.
    await expect(page.getByRole("button", { name: "Turn on reminders" })).toHaveCount(0);

    await page.clock.fastForward(6 * 60_000);
    await page.waitForFunction(
      () => (window as unknown as { madeNotifications: string[] }).madeNotifications.length > 0,
      undefined,
      { timeout: 10_000, polling: 100 },
    );
    const made = await page.evaluate(() => (window as unknown as { madeNotifications: string[] }).madeNotifications);
    expect(made).toEqual(["Reminder: Water the plants"]);
    await context.close();
  });

  test("offers to turn reminders on, and says it in the page when notifications are not allowed", async ({
    newPage,
  }) => {
    const { page, context } = await newPage({ timezoneId: "UTC" });
    await signUp(page, "Sol");
    await page.clock.install();
    await page.reload();
    await addTask(page, "Call the plumber");
    await remindFifteenMinutesBefore(page, "Call the plumber", 20);
    await expect(page.getByRole("button", { name: "Turn on reminders" })).toBeVisible();

    await page.clock.fastForward(6 * 60_000);
    const message = page.getByRole("status").filter({ hasText: "Reminder: Call the plumber" });
    await expect(message.first()).toBeVisible();
    // The bell, the offer and the message meet the page's accessibility bar.
    expect(await seriousViolations(page)).toEqual([]);
    // Once: more time passing shows it no second time.
    await page.clock.fastForward(60_000);
    await expect(page.getByText("Reminder: Call the plumber")).toHaveCount(1);
    await message.getByRole("button", { name: "Dismiss" }).click();
    await expect(page.getByText("Reminder: Call the plumber")).toHaveCount(0);
    await context.close();
  });
});
