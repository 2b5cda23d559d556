import { password, screenshot, uniqueEmail } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

test.describe("using Brisk with the keyboard alone", () => {
  test("signs up, adds, moves, toggles, edits and deletes tasks without a mouse", async ({ page }) => {
    await page.goto("/sign-up");
    await page.waitForLoadState("networkidle");

    // Tab to each field in order and type, then submit with Enter.
    await page.getByLabel("Name").focus();
    await page.keyboard.type("Keyboard Kim");
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Email")).toBeFocused();
    await page.keyboard.type(uniqueEmail("kim"));
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
    try {
      await page.waitForURL("**/tasks", { timeout: 15_000 });
    } catch (error) {
      await screenshot(page, "keyboard-sign-up-stuck");
      throw error;
    }
    await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();

    // `n` focuses New task (from anywhere but a field).
    await page.locator("body").focus();
    await page.keyboard.press("Escape");
    await page.keyboard.press("n");
    await expect(page.getByRole("textbox", { name: "New task" })).toBeFocused();
    for (const title of ["First", "Second", "Third"]) {
      await page.keyboard.type(title);
      await page.keyboard.press("Enter");
      await expect(page.getByRole("checkbox", { name: title })).toBeVisible();
    }
    // Shortcuts never fire while typing: "x" and "j" went into the field.
    await page.keyboard.type("jx");
    await expect(page.getByRole("textbox", { name: "New task" })).toHaveValue("jx");
    await page.getByRole("textbox", { name: "New task" }).fill("");

    // Leave the field, then j/k move between tasks and x toggles the focused one.
    await page.keyboard.press("Escape");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("k");
    await page.keyboard.press("x");
    const toggled = page.getByRole("checkbox", { checked: true });
    await expect(toggled).toHaveCount(1);

    // e edits the focused task; Escape cancels; e again, type, Enter saves.
    await page.keyboard.press("e");
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("Discarded");
    await page.keyboard.press("Escape");
    await expect(page.getByRole("checkbox", { name: "Discarded" })).toHaveCount(0);
    await page.keyboard.press("e");
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("Renamed by keyboard");
    await page.keyboard.press("Enter");
    await expect(page.getByRole("checkbox", { name: "Renamed by keyboard" })).toBeVisible();

    // Delete removes the focused task, with Undo reachable by keyboard.
    await page.keyboard.press("Escape");
    const before = await page.getByRole("listitem").count();
    await page.keyboard.press("Delete");
    await expect(page.getByText("Task deleted").first()).toBeVisible();
    await expect(page.getByRole("listitem")).toHaveCount(before - 1);

    // ? lists the shortcuts.
    await page.keyboard.press("?");
    await expect(page.getByRole("dialog")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toHaveCount(0);
  });
});
