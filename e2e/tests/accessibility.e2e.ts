import type { Page } from "@playwright/test";
import { seriousViolations } from "../support/axe.ts";
import { addTask, allDay, createTasks, screenshot, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

const signedOutPages = ["/", "/sign-in", "/sign-up"];
const signedInPages = ["/tasks", "/account"];

test.describe("accessibility and looks", () => {
  for (const colorScheme of ["light", "dark"] as const) {
    test(`has no serious accessibility violations, signed out and in (${colorScheme})`, async ({ newPage }) => {
      const { page } = await newPage({ colorScheme });
      const found: Record<string, string[]> = {};
      for (const path of signedOutPages) {
        await page.goto(path);
        found[path] = await seriousViolations(page);
      }
      await signUp(page, `Axe ${colorScheme}`);
      await addTask(page, "Check the contrast");
      await page.getByRole("checkbox", { name: "Check the contrast" }).check();
      await addTask(page, "Another task");
      await page.waitForLoadState("networkidle");
      for (const path of signedInPages) {
        await page.goto(path);
        await page.waitForLoadState("networkidle");
        found[path] = await seriousViolations(page);
      }
      // The bulk confirmation and the result with Undo, as they are on screen.
      await page.goto("/tasks");
      await page.getByRole("button", { name: "Clear completed" }).click();
      await expect(page.getByRole("alertdialog", { name: "Delete 1 completed task shown?" })).toBeVisible();
      found["/tasks asking"] = await seriousViolations(page);
      await page.getByRole("button", { name: "Delete 1 task" }).click();
      await expect(page.getByText("Deleted 1 completed task").first()).toBeVisible();
      // The list is dimmed while it is read again; the check is of the settled page.
      await expect(page.locator('.task-list[aria-busy="true"]')).toHaveCount(0);
      await screenshot(page, `tasks-undo-1280-${colorScheme}`);
      found["/tasks with Undo"] = await seriousViolations(page);
      const states = [...signedOutPages, ...signedInPages, "/tasks asking", "/tasks with Undo"];
      expect(found).toEqual(Object.fromEntries(states.map((path) => [path, []])));
    });
  }

  for (const colorScheme of ["light", "dark"] as const) {
    test(`has no serious violations with filters, labels that filter and Undo, comfortable and compact (${colorScheme})`, async ({
      newPage,
    }) => {
      const { page } = await newPage({ colorScheme });
      await signUp(page, `Dee Density ${colorScheme}`);
      await createTasks(page, [
        { title: "Renew passport", priority: "medium", due: allDay(-1), tags: ["errands"] },
        { title: "Write the quarterly report", priority: "high", due: allDay(0), tags: ["work", "q4"] },
        { title: "Plan the offsite", priority: "low", tags: ["work"] },
        { title: "Buy milk" },
      ]);
      await page.getByRole("checkbox", { name: "Buy milk" }).check();
      await expect(page.getByText("Saving…")).toHaveCount(0);
      const found: Record<string, string[]> = {};
      for (const density of ["comfortable", "compact"] as const) {
        for (const width of [1280, 320]) {
          await page.setViewportSize({ width, height: 800 });
          await page.goto("/tasks?tag=work");
          await expect(page.getByRole("button", { name: 'Remove filter "tag: work"' })).toBeVisible();
          const toggle = page.getByRole("button", { name: "Compact list" });
          if ((await toggle.getAttribute("aria-pressed")) !== String(density === "compact")) await toggle.click();
          await page.getByRole("link", { name: "Tag: q4" }).click();
          await expect(page.getByRole("checkbox")).toHaveCount(1);
          // One tag at a time, as the API takes it: its chip's removal shows every task again.
          await page.getByRole("button", { name: 'Remove filter "tag: q4"' }).click();
          await expect(page.getByRole("checkbox")).toHaveCount(4);
          await page.getByRole("link", { name: "Low priority" }).click();
          await expect(page.getByRole("button", { name: 'Remove filter "priority: low"' })).toBeVisible();
          // The last round's Undo is on the server; the stored replica may open a moment behind (issue 14).
          await expect(page.getByRole("checkbox", { name: "Plan the offsite" })).not.toBeChecked();
          await page.getByRole("checkbox", { name: "Plan the offsite" }).check();
          await expect(page.getByText("Completed “Plan the offsite”").first()).toBeVisible();
          // Pointed at, the offer stays while the page is checked as it is: chips, labels, Undo.
          await page.getByRole("button", { name: "Undo" }).hover();
          await expect(page.getByText("Saving…")).toHaveCount(0);
          await screenshot(page, `tasks-${density}-${width}-${colorScheme}`);
          found[`${density} ${width}`] = await seriousViolations(page);
          await page.getByRole("button", { name: "Undo" }).click();
          await expect(page.getByRole("checkbox", { name: "Plan the offsite" })).not.toBeChecked();
          await expect(page.getByText("Saving…")).toHaveCount(0);
        }
      }
      expect(found).toEqual({ "comfortable 1280": [], "comfortable 320": [], "compact 1280": [], "compact 320": [] });
    });
  }

  test("renders every page at 375 px and 1280 px, light and dark, without horizontal scrolling", async ({
    newPage,
  }) => {
    const widths = [375, 1280];
    const overflowing: string[] = [];
    for (const colorScheme of ["light", "dark"] as const) {
      for (const width of widths) {
        const { page } = await newPage({ colorScheme, width });
        for (const path of signedOutPages) {
          await page.goto(path);
          await screenshot(page, `${path === "/" ? "home" : path.slice(1)}-${width}-${colorScheme}`);
          if (await scrollsSideways(page)) overflowing.push(`${path} ${width} ${colorScheme}`);
        }
        await signUp(page, `Shot ${width} ${colorScheme}`);
        for (const title of [
          "Plan the week",
          "Buy groceries for the dinner party with the neighbours",
          "Renew passport",
        ]) {
          await addTask(page, title);
        }
        await page.getByRole("checkbox", { name: "Renew passport" }).check();
        await page.waitForLoadState("networkidle");
        for (const path of signedInPages) {
          await page.goto(path);
          await page.waitForLoadState("networkidle");
          await screenshot(page, `${path.slice(1)}-${width}-${colorScheme}`);
          if (await scrollsSideways(page)) overflowing.push(`${path} ${width} ${colorScheme}`);
        }
      }
    }
    expect(overflowing).toEqual([]);
  });

  for (const colorScheme of ["light", "dark"] as const) {
    test(`shows the conflict dialog accessibly at 320 px (${colorScheme})`, async ({ newPage, consoleErrors }) => {
      // The phone is taken offline: what it could not send is logged.
      consoleErrors.allow(/ERR_INTERNET_DISCONNECTED/);
      const laptop = await newPage({ colorScheme });
      const email = await signUp(laptop.page, "Cleo Contrast");
      await addTask(laptop.page, "Plan the trip");
      const phone = await newPage({ colorScheme, width: 320 });
      await phone.page.goto("/sign-in");
      await phone.page.getByLabel("Email").fill(email);
      await phone.page.getByLabel("Password").fill("a long and unusual passphrase");
      await phone.page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(phone.page.getByRole("checkbox", { name: "Plan the trip" })).toBeVisible();

      // Both edit the title, the phone offline: back online, it has to ask.
      await phone.context.setOffline(true);
      const rename = async (page: Page, to: string) => {
        await page.getByRole("button", { name: `Edit "Plan the trip"` }).click();
        await page.keyboard.press("ControlOrMeta+A");
        await page.keyboard.type(to);
        await page.keyboard.press("Enter");
      };
      await rename(phone.page, "Plan the trip to Rome, with a long title that has to wrap on a narrow screen");
      await rename(laptop.page, "Plan the trip to Lisbon");
      await expect(laptop.page.getByText("Saving…")).toHaveCount(0);
      await phone.context.setOffline(false);

      const dialog = phone.page.getByRole("dialog", { name: "Changed on another device" });
      await expect(dialog).toBeVisible();
      await screenshot(phone.page, `conflict-320-${colorScheme}`);
      expect(await seriousViolations(phone.page)).toEqual([]);
      expect(await scrollsSideways(phone.page)).toBe(false);
    });
  }
});

function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}
