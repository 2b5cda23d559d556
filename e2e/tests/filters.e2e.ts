import type { Page } from "@playwright/test";
import { addTask, allDay, artifactsDir, createTasks, screenshot, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";
import { linkIn, waitForMail } from "../support/mailbox.ts";

/** Confirms the address from the mail, so the banner asking for it is gone (as it is for most people). */
async function verifyEmail(page: Page, email: string): Promise<void> {
  const mail = await waitForMail(email, "Confirm your email address for Brisk");
  await page.goto(linkIn(mail, "/verify-email"));
  await expect(page.getByText("Your email address is confirmed. Thank you.").first()).toBeVisible();
  await page.goto("/tasks");
  await expect(page.getByRole("region", { name: "Confirm your email address" })).toHaveCount(0);
}

const path = (page: Page) => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
};

test.describe("filters, undo and density", () => {
  test("filters by a task's tag and priority with chips in the URL; reload and the back button keep them", async ({
    signedIn,
  }) => {
    const { page } = signedIn;
    await createTasks(page, [
      { title: "Write report", tags: ["work"], priority: "high" },
      { title: "Plan offsite", tags: ["work"], priority: "low" },
      { title: "Buy milk", tags: ["home"], priority: "high", due: allDay(0) },
    ]);
    await expect(page.getByRole("checkbox")).toHaveCount(3);

    const report = page.getByRole("listitem").filter({ has: page.getByRole("checkbox", { name: "Write report" }) });
    await report.getByRole("link", { name: "Tag: work" }).click();

    expect(path(page)).toBe("/tasks?tag=work");
    await expect(page.getByRole("button", { name: 'Remove filter "tag: work"' })).toBeVisible();
    await expect(page.getByRole("checkbox")).toHaveCount(2);
    await expect(page.getByText("2 tasks left").first()).toBeVisible();

    await report.getByRole("link", { name: "High priority" }).click();
    expect(path(page)).toBe("/tasks?tag=work&priority=high");
    await expect(page.getByRole("checkbox")).toHaveCount(1);
    await screenshot(page, "tasks-filtered-1280-light");

    // Shareable: a reload opens on the same filters.
    await page.reload();
    await expect(page.getByRole("button", { name: 'Remove filter "priority: high"' })).toBeVisible();
    await expect(page.getByRole("checkbox")).toHaveCount(1);

    await page.goBack();
    await expect(page.getByRole("checkbox")).toHaveCount(2);
    expect(path(page)).toBe("/tasks?tag=work");
    await page.goBack();
    await expect(page.getByRole("checkbox")).toHaveCount(3);
    await expect(page.getByRole("button", { name: /^Remove filter/ })).toHaveCount(0);

    // The due label filters by the window it falls in; its chip takes the filter away again.
    const milk = page.getByRole("listitem").filter({ has: page.getByRole("checkbox", { name: "Buy milk" }) });
    await milk.getByRole("link", { name: /^Due / }).click();
    expect(path(page)).toBe("/tasks?due=today");
    await expect(page.getByRole("checkbox")).toHaveCount(1);
    await page.getByRole("button", { name: 'Remove filter "due: today"' }).click();
    await expect(page.getByRole("checkbox")).toHaveCount(3);
    expect(path(page)).toBe("/tasks");
  });

  test("marks complete only the tasks a tag shows, and Undo sets exactly those back", async ({ signedIn }) => {
    const { page } = signedIn;
    await createTasks(page, [
      { title: "Write report", tags: ["work"] },
      { title: "Plan offsite", tags: ["work"] },
      { title: "Buy milk", tags: ["home"] },
    ]);
    await page.goto("/tasks?tag=work");
    await expect(page.getByRole("checkbox")).toHaveCount(2);

    await page.getByRole("button", { name: "Mark all complete" }).click();
    await page.getByRole("button", { name: "Complete 2 tasks" }).click();
    await expect(page.getByText("Completed 2 tasks").first()).toBeVisible();
    await page.getByRole("button", { name: "Undo" }).focus();
    await expect(page.getByRole("checkbox", { name: "Write report" })).toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Plan offsite" })).toBeChecked();

    await page.getByRole("button", { name: 'Remove filter "tag: work"' }).click();
    await expect(page.getByRole("checkbox", { name: "Buy milk" })).not.toBeChecked();

    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByRole("checkbox", { name: "Write report" })).not.toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Plan offsite" })).not.toBeChecked();
    await page.reload();
    await expect(page.getByText("3 tasks left").first()).toBeVisible();
  });

  test("offers Undo after completing a task, announced, and the server has it back", async ({ signedIn }) => {
    const { page } = signedIn;
    await addTask(page, "Water the plants");
    await page.getByRole("checkbox", { name: "Water the plants" }).check();

    const toast = page.getByRole("status").filter({ hasText: "Completed “Water the plants”" });
    await expect(toast.first()).toBeVisible();
    await expect(page.getByText("0 tasks left").first()).toBeVisible();
    await expect(page.getByText("Saving…")).toHaveCount(0);
    await toast.getByRole("button", { name: "Undo" }).click();

    await expect(page.getByRole("checkbox", { name: "Water the plants" })).not.toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Water the plants" })).toBeFocused();
    await expect(page.getByText("Saving…")).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole("checkbox", { name: "Water the plants" })).not.toBeChecked();
  });

  test("fits at least 12 tasks on a 1280×800 screen when compact, and remembers it", async ({ newPage }) => {
    const { page } = await newPage({ height: 800 });
    await verifyEmail(page, await signUp(page, "Cam Compact"));
    await createTasks(
      page,
      Array.from({ length: 16 }, (_, i) => ({
        title: `Task number ${i + 1}`,
        tags: i % 3 === 0 ? ["work"] : [],
        priority: i % 4 === 0 ? ("high" as const) : ("none" as const),
      })),
    );
    const comfortable = await rowsInView(page);
    await page.screenshot({ path: `${artifactsDir}/tasks-comfortable-1280x800-light.png` });

    await page.getByRole("button", { name: "Compact list" }).click();
    await expect(page.getByRole("button", { name: "Compact list" })).toHaveAttribute("aria-pressed", /^true$/);
    const compact = await rowsInView(page);
    expect(compact).toBeGreaterThanOrEqual(12);
    expect(compact).toBeGreaterThan(comfortable);
    await page.screenshot({ path: `${artifactsDir}/tasks-compact-1280x800-light.png` });

    // Remembered, and compact from the first frame: the early script sets it before the island runs.
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.density)).toBe("compact");
    await expect(page.getByRole("button", { name: "Compact list" })).toHaveAttribute("aria-pressed", /^true$/);
  });

  for (const { email: state, confirm } of [
    { email: "confirmed", confirm: true },
    { email: "not yet confirmed (its banner on one slim line)", confirm: false },
  ]) {
    test(`shows the first task without scrolling on a 320×568 phone when compact, with a filter in force, the email ${state}`, async ({
      newPage,
    }) => {
      const { page } = await newPage({ width: 320, height: 568 });
      const email = await signUp(page, "Pia Phone");
      if (confirm) await verifyEmail(page, email);
      else await expect(page.getByRole("region", { name: "Confirm your email address" })).toBeVisible();
      await createTasks(page, [
        { title: "Second task", tags: ["home"] },
        { title: "First task, with a title long enough to wrap", tags: ["work"], priority: "high" },
      ]);
      await page.getByRole("button", { name: "Compact list" }).click();
      await page.getByRole("listitem").first().getByRole("link", { name: "Tag: work" }).click();
      await expect(page.getByRole("button", { name: 'Remove filter "tag: work"' })).toBeVisible();
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({
        path: `${artifactsDir}/tasks-filtered-320x568-compact-light${confirm ? "" : "-unconfirmed"}.png`,
      });
      // The task's checkbox and the start of its title are on screen.
      const first = page.getByRole("checkbox", { name: "First task, with a title long enough to wrap" });
      const box = await first.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(568);
    });
  }
});

/** How many task rows are wholly on screen. */
function rowsInView(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      [...document.querySelectorAll("li[data-task-id]")].filter((row) => {
        const { top, bottom } = row.getBoundingClientRect();
        return top >= 0 && bottom <= window.innerHeight;
      }).length,
  );
}
