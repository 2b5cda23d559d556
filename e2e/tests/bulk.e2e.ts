import { addTask, screenshot } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

test.describe("acting on every task shown", () => {
  test("completes and clears only the tasks a search shows, says so on screen, and undoes both", async ({
    signedIn,
  }) => {
    const { page } = signedIn;
    for (const title of ["Buy milk", "Buy bread", "Call Alice", "Pay rent"]) await addTask(page, title);
    await page.getByRole("checkbox", { name: "Pay rent" }).check();
    await expect(page.getByText("3 tasks left").first()).toBeVisible();

    // A search shows two of the four; the counter agrees with what is shown.
    await page.getByRole("textbox", { name: "Search tasks" }).fill("buy");
    await expect(page.getByRole("checkbox")).toHaveCount(2);
    await expect(page.getByText("2 tasks left").first()).toBeVisible();

    await page.getByRole("button", { name: "Mark all complete" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Complete 2 shown tasks?" });
    await expect(confirm).toBeVisible();
    await screenshot(page, "bulk-confirm-1280");
    await confirm.getByRole("button", { name: "Complete 2 tasks" }).click();
    await expect(page.getByRole("checkbox", { name: "Buy milk" })).toBeChecked();
    await expect(page.getByText("Completed 2 tasks").first()).toBeVisible();
    // Focus holds the offer open (as it does for anyone who tabs to it), so no check below races its timer.
    await page.getByRole("button", { name: "Undo" }).focus();
    await expect(page.getByText("0 tasks left").first()).toBeVisible();

    // Undo sets exactly those two back.
    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByRole("checkbox", { name: "Buy milk" })).not.toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Buy bread" })).not.toBeChecked();
    await expect(page.getByText("2 tasks left").first()).toBeVisible();

    // Clear completed with a search showing one completed task deletes only that one.
    await page.getByRole("checkbox", { name: "Buy bread" }).check();
    await expect(page.getByText("1 task left").first()).toBeVisible();
    await page.getByRole("button", { name: "Clear completed" }).click();
    const clear = page.getByRole("alertdialog", { name: "Delete 1 completed task shown?" });
    await clear.getByRole("button", { name: "Delete 1 task" }).click();
    await expect(page.getByRole("checkbox", { name: "Buy bread" })).toHaveCount(0);
    await expect(page.getByText("Deleted 1 completed task").first()).toBeVisible();
    await page.getByRole("button", { name: "Undo" }).hover();

    await page.getByRole("textbox", { name: "Search tasks" }).fill("");
    await expect(page.getByRole("checkbox", { name: "Pay rent" })).toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Call Alice" })).not.toBeChecked();
    await expect(page.getByText("2 tasks left").first()).toBeVisible();

    // Undo brings the deleted task back under its id, still completed.
    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByRole("checkbox", { name: "Buy bread" })).toBeChecked();
    await page.reload();
    await expect(page.getByRole("checkbox", { name: "Buy bread" })).toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Pay rent" })).toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Buy milk" })).not.toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Call Alice" })).not.toBeChecked();
    await expect(page.getByText("2 tasks left").first()).toBeVisible();
  });
});
