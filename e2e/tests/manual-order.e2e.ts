import type { Page } from "@playwright/test";
import { addTask, signIn, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

/**
 * Manual order (docs/web.md "Manual order", decision 030): Sort by Manual, a task dragged by its
 * handle, Alt+↓ on the focused task, and the order on another device of the same person, live.
 * Every wait is for a condition, never for a time.
 */
test.describe("manual order", () => {
  const titles = (page: Page) =>
    page
      .locator("li[data-task-id] input[type=checkbox]")
      .evaluateAll((boxes) => boxes.map((box) => box.getAttribute("aria-label")));
  const checkbox = (page: Page, name: string) => page.getByRole("checkbox", { name, exact: true });
  const item = (page: Page, name: string) => page.locator("li[data-task-id]").filter({ has: checkbox(page, name) });
  /** Nothing queued: every change has been answered by the server. */
  const settled = (page: Page) => expect(page.locator("li[aria-busy]")).toHaveCount(0);

  test("moves a task by drag and drop (kept after a reload) and by Alt+↓, and another device sees it live", async ({
    newPage,
  }) => {
    const laptop = await newPage();
    const email = await signUp(laptop.page, "Manon Manual");
    // New tasks go to the top: added last, shown first.
    for (const title of ["Third", "Second", "First"]) await addTask(laptop.page, title);
    await settled(laptop.page);

    await laptop.page.getByRole("combobox", { name: "Sort by" }).selectOption({ label: "Manual" });
    await laptop.page.waitForURL((url) => url.search === "?sort=manual");
    await expect.poll(() => titles(laptop.page), { timeout: 20_000 }).toEqual(["First", "Second", "Third"]);

    // Drag "Third" by its handle onto the upper half of "First": it goes before it.
    const handle = laptop.page.getByRole("button", { name: "Move “Third”" });
    await expect(handle).toBeVisible();
    await handle.dragTo(item(laptop.page, "First"), { targetPosition: { x: 40, y: 4 } });
    await expect.poll(() => titles(laptop.page), { timeout: 20_000 }).toEqual(["Third", "First", "Second"]);
    await settled(laptop.page);

    await laptop.page.reload();
    await expect(laptop.page.getByRole("combobox", { name: "Sort by" })).toHaveValue("manual");
    await expect(checkbox(laptop.page, "Third")).toBeVisible();
    await expect.poll(() => titles(laptop.page), { timeout: 20_000 }).toEqual(["Third", "First", "Second"]);

    // Another device of the same person, in manual order too.
    const phone = await newPage();
    await phone.page.goto("/sign-in?next=%2Ftasks%3Fsort%3Dmanual");
    await signIn(phone.page, email);
    await phone.page.waitForURL((url) => url.pathname === "/tasks");
    if (!phone.page.url().includes("sort=manual")) await phone.page.goto("/tasks?sort=manual");
    await expect.poll(() => titles(phone.page), { timeout: 30_000 }).toEqual(["Third", "First", "Second"]);

    // Alt+↓ on the focused task: one place down, focus kept, said politely.
    await checkbox(laptop.page, "Third").focus();
    await laptop.page.keyboard.press("Alt+ArrowDown");
    await expect.poll(() => titles(laptop.page), { timeout: 20_000 }).toEqual(["First", "Third", "Second"]);
    await expect(checkbox(laptop.page, "Third")).toBeFocused();
    await expect(laptop.page.getByText("Moved “Third” to position 2 of 3")).toHaveCount(1);
    await settled(laptop.page);

    await expect.poll(() => titles(phone.page), { timeout: 30_000 }).toEqual(["First", "Third", "Second"]);

    // Another sort shows no handle.
    await laptop.page.getByRole("combobox", { name: "Sort by" }).selectOption({ label: "Newest" });
    await expect(laptop.page.getByRole("button", { name: "Move “Third”" })).toHaveCount(0);
  });
});
