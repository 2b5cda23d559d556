import { describe, expect, it } from "vitest";
import {
  addTask,
  browserAvailable,
  expectLocator,
  newPage,
  signIn,
  signUp,
  unexpectedErrors,
  useBrowser,
} from "../support/browser.ts";

describe.runIf(browserAvailable)("the main flow", () => {
  const browser = useBrowser();

  it("signs up, manages tasks, keeps them over a reload, signs out and back in", async () => {
    const { page, errors } = await newPage(browser());
    const email = await signUp(page, "Ada Lovelace");
    await expectLocator(page.getByText("No tasks yet — add one above")).toBeVisible();
    await expectLocator(page.getByRole("banner")).toContainText("Ada Lovelace");

    for (const title of ["Buy milk", "Call Alice", "File taxes"]) await addTask(page, title);
    // Empty input adds nothing; titles are trimmed.
    const newTask = page.getByRole("textbox", { name: "New task" });
    await newTask.fill("   ");
    await newTask.press("Enter");
    await newTask.fill("  Water plants  ");
    await newTask.press("Enter");
    await expectLocator(page.getByRole("checkbox", { name: "Water plants", exact: true })).toBeVisible();
    await expectLocator(page.getByRole("listitem")).toHaveCount(4);
    await expectLocator(page.getByText("4 tasks left")).toBeVisible();

    await page.getByRole("checkbox", { name: "Buy milk" }).check();
    await expectLocator(page.getByText("3 tasks left")).toBeVisible();
    await expectLocator(page.getByRole("button", { name: "Clear completed" })).toBeVisible();

    await page.getByRole("link", { name: "Active" }).click();
    await expectLocator(page.getByRole("link", { name: "Active" })).toHaveAttribute("aria-current", /.+/);
    await expectLocator(page.getByRole("checkbox", { name: "Buy milk" })).toHaveCount(0);
    await page.reload();
    await expectLocator(page.getByRole("link", { name: "Active" })).toHaveAttribute("aria-current", /.+/);
    await expectLocator(page.getByRole("checkbox", { name: "Call Alice" })).toBeVisible();
    await expectLocator(page.getByRole("checkbox", { name: "Buy milk" })).toHaveCount(0);

    await page.getByRole("link", { name: "All" }).click();
    await expectLocator(page.getByRole("checkbox", { name: "Buy milk" })).toBeChecked();

    await page.getByRole("button", { name: 'Edit "Call Alice"' }).click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("Call Alice about the trip");
    await page.keyboard.press("Enter");
    await expectLocator(page.getByRole("checkbox", { name: "Call Alice about the trip" })).toBeVisible();

    await page.getByRole("button", { name: 'Delete "File taxes"' }).click();
    await expectLocator(page.getByText("Task deleted")).toBeVisible();
    await expectLocator(page.getByRole("checkbox", { name: "File taxes" })).toHaveCount(0);
    await page.getByRole("button", { name: "Undo" }).click();
    await expectLocator(page.getByRole("checkbox", { name: "File taxes" })).toBeVisible();

    await page.reload();
    await expectLocator(page.getByRole("checkbox", { name: "File taxes" })).toBeVisible();
    await expectLocator(page.getByRole("checkbox", { name: "Call Alice about the trip" })).toBeVisible();
    await expectLocator(page.getByRole("checkbox", { name: "Buy milk" })).toBeChecked();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname !== "/tasks");
    await page.goto("/tasks");
    await page.waitForURL(/\/sign-in\?next=(%2F|\/)tasks/);
    await signIn(page, email);
    await page.waitForURL((url) => url.pathname === "/tasks");
    await expectLocator(page.getByRole("checkbox", { name: "File taxes" })).toBeVisible();

    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it("shows a second person none of the first person's tasks", async () => {
    const first = await newPage(browser());
    await signUp(first.page, "First Person");
    await addTask(first.page, "First person's secret plan");

    const second = await newPage(browser());
    await signUp(second.page, "Second Person");
    await expectLocator(second.page.getByText("No tasks yet — add one above")).toBeVisible();
    expect(await second.page.content()).not.toContain("secret plan");
    await second.page.getByRole("textbox", { name: "Search tasks" }).fill("secret");
    await expectLocator(second.page.getByRole("checkbox")).toHaveCount(0);
  });
});
