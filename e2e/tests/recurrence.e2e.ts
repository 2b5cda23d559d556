import { seriousViolations } from "../support/axe.ts";
import { allDay, screenshot } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

/**
 * Recurring tasks (docs/decisions/024-recurring-tasks.md): quick add stores the repeat; each
 * completion moves the due date to the next occurrence, keeps the task active and is recorded
 * in its history; Undo takes a completion back.
 */
test.describe("recurring tasks", () => {
  test("moves the due date once per completion, keeps the task active and shows each completion", async ({
    signedIn,
  }) => {
    const { page, context } = signedIn;
    const input = page.getByRole("textbox", { name: "New task" });
    await input.pressSequentially("Water plants every day #home");
    await expect(
      page.getByRole("list", { name: "Recognised" }).getByRole("button", { name: 'Remove "Every day"' }),
    ).toBeVisible();
    await input.press("Enter");

    const checkbox = page.getByRole("checkbox", { name: "Water plants" });
    const item = page.locator("li[data-task-id]").filter({ has: checkbox });
    await expect(item.getByText("Repeats every day").first()).toBeVisible();
    await expect(item.locator(`.task-meta time[datetime="${allDay(0).date}"]`)).toBeVisible();
    await expect(item.getByText("Saving…")).toHaveCount(0);

    for (const days of [1, 2, 3]) {
      await checkbox.click();
      // Shown at once, then saved: the next day, still active (unchecked), with Undo offered.
      await expect(item.locator(`.task-meta time[datetime="${allDay(days).date}"]`)).toBeVisible();
      await expect(checkbox).not.toBeChecked();
      await expect(page.getByRole("button", { name: "Undo" })).toBeVisible();
      await expect(item.getByText("Saving…")).toHaveCount(0);
    }

    // Saved, not only shown: a reload reads it back, with three completions in the history.
    await page.reload();
    await expect(item.locator(`.task-meta time[datetime="${allDay(3).date}"]`)).toBeVisible();
    const history = item.locator("details.task-history");
    await expect(history.locator("summary")).toContainText("Completed 3 times");
    await history.locator("summary").click();
    await expect(history.locator(".task-history-entry")).toHaveCount(3);
    // Newest first, each with the due date it completed.
    const entries = history.locator(".task-history-entry");
    for (const [i, days] of [2, 1, 0].entries()) {
      await expect(entries.nth(i).locator("time").nth(1)).toHaveAttribute(
        "datetime",
        new RegExp(`^${allDay(days).date}$`),
      );
    }
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "recurrence-history-1280-light");

    // Undo takes a completion back exactly: the due date and the history as they were.
    await checkbox.click();
    await expect(item.locator(`.task-meta time[datetime="${allDay(4).date}"]`)).toBeVisible();
    await page.getByRole("button", { name: "Undo" }).click();
    await expect(item.locator(`.task-meta time[datetime="${allDay(3).date}"]`)).toBeVisible();
    await expect(item.getByText("Saving…")).toHaveCount(0);
    await page.reload();
    await expect(item.locator(`.task-meta time[datetime="${allDay(3).date}"]`)).toBeVisible();
    await expect(history.locator("summary")).toContainText("Completed 3 times");
    await context.close();
  });
});
