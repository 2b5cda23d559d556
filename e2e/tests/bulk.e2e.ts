import { describe, expect, it } from "vitest";
import {
  addTask,
  browserAvailable,
  expectLocator,
  newPage,
  screenshot,
  signUp,
  unexpectedErrors,
  useBrowser,
} from "../support/browser.ts";

describe.runIf(browserAvailable)("acting on every task shown", () => {
  const browser = useBrowser();

  it("completes and clears only the tasks a search shows, says so on screen, and undoes both", async () => {
    const { page, errors } = await newPage(browser());
    await signUp(page, "Bea Bulk");
    for (const title of ["Buy milk", "Buy bread", "Call Alice", "Pay rent"]) await addTask(page, title);
    await page.getByRole("checkbox", { name: "Pay rent" }).check();
    await expectLocator(page.getByText("3 tasks left")).toBeVisible();

    // A search shows two of the four; the counter agrees with what is shown.
    await page.getByRole("textbox", { name: "Search tasks" }).fill("buy");
    await expectLocator(page.getByRole("checkbox")).toHaveCount(2);
    await expectLocator(page.getByText("2 tasks left")).toBeVisible();

    await page.getByRole("button", { name: "Mark all complete" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Complete 2 shown tasks?" });
    await expectLocator(confirm).toBeVisible();
    await screenshot(page, "bulk-confirm-1280");
    await confirm.getByRole("button", { name: "Complete 2 tasks" }).click();
    await expectLocator(page.getByRole("checkbox", { name: "Buy milk" })).toBeChecked();
    await expectLocator(page.getByText("Completed 2 tasks")).toBeVisible();
    // Focus holds the offer open (as it does for anyone who tabs to it), so no check below races its timer.
    await page.getByRole("button", { name: "Undo" }).focus();
    await expectLocator(page.getByText("0 tasks left")).toBeVisible();

    // Undo sets exactly those two back.
    await page.getByRole("button", { name: "Undo" }).click();
    await expectLocator(page.getByRole("checkbox", { name: "Buy milk" })).not.toBeChecked();
    await expectLocator(page.getByRole("checkbox", { name: "Buy bread" })).not.toBeChecked();
    await expectLocator(page.getByText("2 tasks left")).toBeVisible();

    // Clear completed with a search showing one completed task deletes only that one.
    await page.getByRole("checkbox", { name: "Buy bread" }).check();
    await expectLocator(page.getByText("1 task left")).toBeVisible();
    await page.getByRole("button", { name: "Clear completed" }).click();
    const clear = page.getByRole("alertdialog", { name: "Delete 1 completed task shown?" });
    await clear.getByRole("button", { name: "Delete 1 task" }).click();
    await expectLocator(page.getByRole("checkbox", { name: "Buy bread" })).toHaveCount(0);
    await expectLocator(page.getByText("Deleted 1 completed task")).toBeVisible();
    await page.getByRole("button", { name: "Undo" }).hover();

    await page.getByRole("textbox", { name: "Search tasks" }).fill("");
    await expectLocator(page.getByRole("checkbox", { name: "Pay rent" })).toBeChecked();
    await expectLocator(page.getByRole("checkbox", { name: "Call Alice" })).not.toBeChecked();
    await expectLocator(page.getByText("2 tasks left")).toBeVisible();

    // Undo brings the deleted task back under its id, still completed.
    await page.getByRole("button", { name: "Undo" }).click();
    await expectLocator(page.getByRole("checkbox", { name: "Buy bread" })).toBeChecked();
    await page.reload();
    await expectLocator(page.getByRole("checkbox", { name: "Buy bread" })).toBeChecked();
    await expectLocator(page.getByRole("checkbox", { name: "Pay rent" })).toBeChecked();
    await expectLocator(page.getByRole("checkbox", { name: "Buy milk" })).not.toBeChecked();
    await expectLocator(page.getByRole("checkbox", { name: "Call Alice" })).not.toBeChecked();
    await expectLocator(page.getByText("2 tasks left")).toBeVisible();

    expect(unexpectedErrors(errors)).toEqual([]);
  });
});
