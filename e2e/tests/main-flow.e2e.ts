import { addTask, signIn, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

test.describe("the main flow", () => {
  test("signs up, manages tasks, keeps them over a reload, signs out and back in", async ({ newPage }) => {
    const { page } = await newPage();
    const email = await signUp(page, "Ada Lovelace");
    await expect(page.getByText("No tasks yet — add one above").first()).toBeVisible();
    await expect(page.getByRole("banner")).toContainText("Ada Lovelace");

    for (const title of ["Buy milk", "Call Alice", "File taxes"]) await addTask(page, title);
    // Empty input adds nothing; titles are trimmed.
    const newTask = page.getByRole("textbox", { name: "New task" });
    await newTask.fill("   ");
    await newTask.press("Enter");
    await newTask.fill("  Water plants  ");
    await newTask.press("Enter");
    await expect(page.getByRole("checkbox", { name: "Water plants", exact: true })).toBeVisible();
    await expect(page.getByRole("listitem")).toHaveCount(4);
    await expect(page.getByText("4 tasks left").first()).toBeVisible();

    await page.getByRole("checkbox", { name: "Buy milk" }).check();
    await expect(page.getByText("3 tasks left").first()).toBeVisible();
    await expect(page.getByRole("button", { name: "Clear completed" })).toBeVisible();

    await page.getByRole("link", { name: "Active" }).click();
    await expect(page.getByRole("link", { name: "Active" })).toHaveAttribute("aria-current", /.+/);
    await expect(page.getByRole("checkbox", { name: "Buy milk" })).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole("link", { name: "Active" })).toHaveAttribute("aria-current", /.+/);
    await expect(page.getByRole("checkbox", { name: "Call Alice" })).toBeVisible();
    await expect(page.getByRole("checkbox", { name: "Buy milk" })).toHaveCount(0);

    await page.getByRole("link", { name: "All" }).click();
    await expect(page.getByRole("checkbox", { name: "Buy milk" })).toBeChecked();

    await page.getByRole("button", { name: 'Edit "Call Alice"' }).click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("Call Alice about the trip");
    await page.keyboard.press("Enter");
    await expect(page.getByRole("checkbox", { name: "Call Alice about the trip" })).toBeVisible();

    await page.getByRole("button", { name: 'Delete "File taxes"' }).click();
    await expect(page.getByText("Task deleted").first()).toBeVisible();
    await expect(page.getByRole("checkbox", { name: "File taxes" })).toHaveCount(0);
    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByRole("checkbox", { name: "File taxes" })).toBeVisible();

    await page.reload();
    await expect(page.getByRole("checkbox", { name: "File taxes" })).toBeVisible();
    await expect(page.getByRole("checkbox", { name: "Call Alice about the trip" })).toBeVisible();
    await expect(page.getByRole("checkbox", { name: "Buy milk" })).toBeChecked();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname !== "/tasks");
    await page.goto("/tasks");
    await page.waitForURL(/\/sign-in\?next=(%2F|\/)tasks/);
    await signIn(page, email);
    await page.waitForURL((url) => url.pathname === "/tasks");
    await expect(page.getByRole("checkbox", { name: "File taxes" })).toBeVisible();
  });

  test("shows a second person none of the first person's tasks", async ({ newPage }) => {
    const first = await newPage();
    await signUp(first.page, "First Person");
    await addTask(first.page, "First person's secret plan");

    const second = await newPage();
    await signUp(second.page, "Second Person");
    await expect(second.page.getByText("No tasks yet — add one above").first()).toBeVisible();
    expect(await second.page.content()).not.toContain("secret plan");
    await second.page.getByRole("textbox", { name: "Search tasks" }).fill("secret");
    await expect(second.page.getByRole("checkbox")).toHaveCount(0);
  });
});
