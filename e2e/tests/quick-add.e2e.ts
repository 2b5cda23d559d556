import type { Page } from "@playwright/test";
import { seriousViolations } from "../support/axe.ts";
import { screenshot, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

/** Puts text on the page's clipboard event, as a paste from another app does. */
function paste(page: Page, text: string) {
  return page.getByRole("textbox", { name: "New task" }).evaluate((input, pasted) => {
    const data = new DataTransfer();
    data.setData("text/plain", pasted);
    input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

test.describe("quick add", () => {
  test("reads a date, a tag and a priority from New task, drops a removed chip back to words, and saves", async ({
    signedIn,
  }) => {
    const { page } = signedIn;
    const input = page.getByRole("textbox", { name: "New task" });
    await input.pressSequentially("Call mom tomorrow 5pm #family !high");

    const chips = page.getByRole("list", { name: "Recognised" });
    for (const label of ["Tomorrow 17:00", "#family", "High"]) {
      await expect(chips.getByRole("button", { name: `Remove "${label}"` })).toBeVisible();
    }
    expect(await chips.getByRole("button").allTextContents()).toEqual(["Tomorrow 17:00×", "#family×", "High×"]);
    await expect(page.getByText("Recognised: Tomorrow 17:00, #family, High")).toHaveAttribute("aria-live", /^polite$/);
    await screenshot(page, "quick-add-chips-1280-light");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: 'Remove "High"' }).click();
    await expect(chips.getByRole("button")).toHaveCount(2);
    await expect(chips.getByRole("button", { name: 'Remove "High"' })).toHaveCount(0);
    await expect(input).toBeFocused();
    await input.press("Enter");

    const item = page.getByRole("listitem").filter({ has: page.getByRole("checkbox", { name: "Call mom !high" }) });
    await expect(item).toBeVisible();
    await expect(item.getByText("family").first()).toBeVisible();
    await expect(item.getByText(/priority/)).toHaveCount(0);
    // A wall-clock time on tomorrow's date where the browser is (the due model: date and time, no instant).
    const tomorrowAtFive = await page.evaluate(() => {
      const due = new Date();
      due.setDate(due.getDate() + 1);
      const pad = (n: number) => String(n).padStart(2, "0");
      return `${due.getFullYear()}-${pad(due.getMonth() + 1)}-${pad(due.getDate())}T17:00`;
    });
    await expect(item.locator("time")).toHaveAttribute(
      "datetime",
      new RegExp(`^${tomorrowAtFive.replace(/[.]/g, "\\.")}$`),
    );
    // Saved, not only shown: a reload reads it back.
    await page.reload();
    await expect(page.getByRole("checkbox", { name: "Call mom !high" })).toBeVisible();
  });

  test("offers one task per pasted line, and works at 320 px in dark without sideways scrolling", async ({
    newPage,
  }) => {
    const { page } = await newPage({ width: 320, colorScheme: "dark" });
    await signUp(page, "Paula Paste");
    await page.getByRole("textbox", { name: "New task" }).pressSequentially("Water plants tonight #home p2");
    await expect(page.getByRole("list", { name: "Recognised" }).getByRole("button")).toHaveCount(3);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "quick-add-chips-320-dark");
    expect(await scrollsSideways(page)).toBe(false);
    await page.getByRole("textbox", { name: "New task" }).fill("");

    await paste(page, "Buy milk\nCall Ann tomorrow #errands\nWalk the dog !low");
    const offer = page.getByRole("alertdialog", { name: "Add 3 tasks, one per line?" });
    await expect(offer).toBeVisible();
    await expect(offer.getByRole("button", { name: "Add 3 tasks" })).toBeFocused();
    await screenshot(page, "quick-add-paste-320-dark");
    expect(await seriousViolations(page)).toEqual([]);
    expect(await scrollsSideways(page)).toBe(false);
    await offer.getByRole("button", { name: "Add 3 tasks" }).click();

    for (const title of ["Buy milk", "Call Ann", "Walk the dog"]) {
      await expect(page.getByRole("checkbox", { name: title })).toBeVisible();
    }
    const callAnn = page.getByRole("listitem").filter({ has: page.getByRole("checkbox", { name: "Call Ann" }) });
    await expect(callAnn.getByText("errands").first()).toBeVisible();
    await expect(page.getByText("3 tasks left").first()).toBeVisible();
  });
});

function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}
