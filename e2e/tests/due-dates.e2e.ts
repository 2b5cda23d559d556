import { addTask, signIn, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

/**
 * Dates that never shift (docs/decisions/020-dates-that-never-shift.md): a task due on a day,
 * set in Los Angeles, is due that same day in Auckland — a day ahead of it; Today and
 * Upcoming list what is due where the person looks.
 */
test.describe("due dates across time zones", () => {
  test("shows a task due 5 December, set in Los Angeles, as due 5 December in Auckland too", async ({ newPage }) => {
    const la = await newPage({ timezoneId: "America/Los_Angeles" });
    const email = await signUp(la.page, "Dana");
    await addTask(la.page, "Dentist");
    await la.page.getByRole("button", { name: 'Edit "Dentist"' }).click();
    const editor = la.page.getByRole("form", { name: 'Editing "Dentist"' });
    await editor.getByRole("button", { name: "Details" }).click();
    await editor.getByLabel("Due date").fill("2026-12-05");
    await editor.getByRole("button", { name: "Save" }).click();
    const dueInLa = la.page.locator('li[data-task-id] time[datetime="2026-12-05"]');
    await expect(dueInLa).toBeVisible();
    const label = await dueInLa.textContent();
    // Saved and read back from the server (a reload reads the replica the feed filled).
    await la.page.waitForLoadState("networkidle");

    const nz = await newPage({ timezoneId: "Pacific/Auckland" });
    await nz.page.goto("/sign-in");
    await signIn(nz.page, email);
    await nz.page.waitForURL("**/tasks");
    const dueInNz = nz.page.locator('li[data-task-id] time[datetime="2026-12-05"]');
    await expect(dueInNz).toBeVisible();
    expect(await dueInNz.textContent()).toBe(label);
    await nz.page.getByRole("button", { name: 'Edit "Dentist"' }).click();
    const nzEditor = nz.page.getByRole("form", { name: 'Editing "Dentist"' });
    await nzEditor.getByRole("button", { name: "Details" }).click();
    expect(await nzEditor.getByLabel("Due date").inputValue()).toBe("2026-12-05");
    await nzEditor.getByLabel("Due date").press("Escape");
    await la.context.close();
    await nz.context.close();
  });

  test("lists overdue and today's tasks under Today and the next 14 days by day under Upcoming", async ({
    newPage,
  }) => {
    const { page, context } = await newPage({ timezoneId: "Pacific/Auckland" });
    await signUp(page, "Tama");
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Auckland" }).format(new Date());
    const shift = (days: number) => {
      const date = new Date(`${today}T12:00:00Z`);
      date.setUTCDate(date.getUTCDate() + days);
      return date.toISOString().slice(0, 10);
    };
    for (const [title, days] of [
      ["Pay the bill", -1],
      ["Call mum", 0],
      ["Book flights", 5],
      ["Someday", 30],
    ] as const) {
      await addTask(page, title);
      await page.getByRole("button", { name: `Edit "${title}"` }).click();
      const editor = page.getByRole("form", { name: `Editing "${title}"` });
      await editor.getByRole("button", { name: "Details" }).click();
      await editor.getByLabel("Due date").fill(shift(days));
      await editor.getByRole("button", { name: "Save" }).click();
      await expect(page.locator(`li[data-task-id] time[datetime="${shift(days)}"]`)).toBeVisible();
    }
    await page.getByRole("link", { name: "Today", exact: true }).click();
    await page.waitForURL("**/tasks?view=today");
    const titles = async () =>
      page.getByRole("checkbox").evaluateAll((boxes) => boxes.map((box) => box.getAttribute("aria-label")));
    await expect(page.getByRole("checkbox", { name: "Call mum" })).toBeVisible();
    expect((await titles()).sort()).toEqual(["Call mum", "Pay the bill"]);
    await expect(page.locator(".badge-overdue", { hasText: "Overdue" })).toBeVisible();

    await page.getByRole("link", { name: "Upcoming", exact: true }).click();
    await page.waitForURL("**/tasks?view=upcoming");
    await expect(page.getByRole("checkbox", { name: "Book flights" })).toBeVisible();
    expect(await titles()).toEqual(["Call mum", "Book flights"]);
    expect(await page.getByRole("heading", { level: 3 }).count()).toBe(2);
    // The view survives a reload (it is in the URL).
    await page.reload();
    await expect(page.getByRole("link", { name: "Upcoming", exact: true })).toHaveAttribute("aria-current", /^page$/);
    await context.close();
  });
});
