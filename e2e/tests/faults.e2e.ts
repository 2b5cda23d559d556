import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
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
import { armFault, clearFaults, recordTaskWrites, type SentWrite, serverTasks, sql } from "../support/stand-in.ts";

/**
 * The browser under database faults injected by the local Neon stand-in: each test looks
 * at what the person sees and at what the server holds (read through the API with the
 * person's own token). The Worker answers 503 with `Retry-After: 5` when it gives up; the
 * page waits at most 2 s before re-sending a create (web/src/lib/config.ts).
 */
describe.runIf(browserAvailable)("the browser under database faults", () => {
  const browser = useBrowser();
  afterEach(clearFaults);

  const item = (page: Page, title: string) =>
    page.getByRole("listitem").filter({ has: page.getByRole("checkbox", { name: title, exact: true }) });
  // The alert region is always there (hidden while empty), so reading it never waits for it to appear.
  const alert = (page: Page) => page.locator('[role="alert"]');
  const announcement = (page: Page) => page.locator('p[role="status"]');
  const newTask = (page: Page) => page.getByRole("textbox", { name: "New task" });
  const creates = (writes: SentWrite[], title: string) =>
    writes.filter((write) => write.method === "POST" && write.body?.title === title);
  const stored = async (page: Page, title: string) => (await serverTasks(page)).filter((task) => task.title === title);

  /** How each list item showing the title looks, read at once (never waiting for it to appear). */
  const shown = (page: Page, title: string) =>
    item(page, title).evaluateAll((items) =>
      items.map((li) => ({ busy: li.getAttribute("aria-busy"), saving: li.textContent?.includes("Saving…") ?? false })),
    );

  /** Shown once, not yet saved: busy, with "Saving…", and no "Added" said. */
  async function expectUnconfirmed(page: Page, title: string) {
    expect(await shown(page, title)).toEqual([{ busy: "true", saving: true }]);
    expect(await announcement(page).textContent()).not.toContain(`Added “${title}”`);
  }

  /** Shown once, saved: not busy, no "Saving…", and "Added" said. */
  async function expectSaved(page: Page, title: string) {
    await expect.poll(() => shown(page, title), { timeout: 20_000 }).toEqual([{ busy: null, saving: false }]);
    await expectLocator(announcement(page)).toContainText(`Added “${title}”`);
  }

  /** A new person on an empty, loaded task list (so no fault armed later hits the first load). */
  async function startSignedUp(name: string) {
    const { page, errors } = await newPage(browser());
    await signUp(page, name);
    await expectLocator(page.getByText("No tasks yet — add one above")).toBeVisible();
    await expectLocator(page.getByText("0 tasks left")).toBeVisible();
    return { page, errors, writes: recordTaskWrites(page) };
  }

  it("saves a create whose database answer was lost exactly once, re-sent by the browser under the same id", async () => {
    const { page, errors, writes } = await startSignedUp("Lena Lost");

    // One lost answer: the Worker's own retry finds the row it wrote and answers 200 (a
    // replay, not 201); the page sends the create once.
    await armFault({ action: "lose-response", match: sql.createTask, times: 1 });
    await addTask(page, "Answer lost once");
    await expectSaved(page, "Answer lost once");
    expect(creates(writes, "Answer lost once").map((write) => write.status)).toEqual([200]);
    expect(await stored(page, "Answer lost once")).toHaveLength(1);

    // Three lost answers: the Worker gives up (503) although the first try committed; the
    // page re-sends the create with the same id, and the server recognises it (200).
    const title = "Answer lost three times";
    await armFault({ action: "lose-response", match: sql.createTask, times: 3 });
    await addTask(page, title);
    await expect.poll(() => creates(writes, title)[0]?.status, { timeout: 20_000 }).toBe(503);
    await expectUnconfirmed(page, title);
    expect(await stored(page, title), "the first try committed").toHaveLength(1);
    await screenshot(page, "faults-create-retrying");

    await expectSaved(page, title);
    const sent = creates(writes, title);
    expect(sent.map((write) => write.status)).toEqual([503, 200]);
    expect(sent[1]?.body).toEqual(sent[0]?.body);
    expect(sent[0]?.body?.id).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(await stored(page, title)).toHaveLength(1);

    await page.reload();
    await expectLocator(item(page, title)).toHaveCount(1);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it("says plainly that a create failed when the database keeps failing, keeps nothing, and saves once on a retry", async () => {
    const { page, errors, writes } = await startSignedUp("Fay Failing");
    const title = "Never reaches the database";
    await armFault({ action: "fail", status: 503, match: sql.createTask, times: 100 });
    await newTask(page).fill(title);
    await newTask(page).press("Enter");
    await expectLocator(item(page, title)).toBeVisible();
    await expectUnconfirmed(page, title);

    await expectLocator(alert(page), 30_000).toContainText(`“${title}” could not be added.`);
    await expectLocator(alert(page)).toContainText("try again");
    await expectLocator(item(page, title)).toHaveCount(0);
    await expectLocator(newTask(page)).toHaveValue(title);
    await screenshot(page, "faults-create-failed");
    const sent = creates(writes, title);
    expect(sent.map((write) => write.status)).toEqual([503, 503, 503, 503]);
    expect(new Set(sent.map((write) => write.body?.id)).size, "every try under one id").toBe(1);
    expect(await stored(page, title)).toEqual([]);

    // The database is back: Enter on the title the field kept saves it, once.
    await clearFaults();
    await newTask(page).press("Enter");
    await expectSaved(page, title);
    await expectLocator(alert(page)).not.toContainText("could not be added");
    expect(await stored(page, title)).toHaveLength(1);
    await page.reload();
    await expectLocator(item(page, title)).toHaveCount(1);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it("settles a create whose every answer was lost by asking the server, and re-sends one it cannot settle under its id", async () => {
    const { page, errors, writes } = await startSignedUp("Uma Unknown");

    // Every answer to the create is lost (3 Worker tries × 4 browser tries), but the task
    // can be read: the page asks the server, finds it stored, and shows it saved.
    const found = "Committed, found by asking";
    await armFault({ action: "lose-response", match: sql.createTask, times: 12 });
    await addTask(page, found);
    await expectSaved(page, found);
    expect(creates(writes, found).map((write) => write.status)).toEqual([503, 503, 503, 503]);
    expect(await alert(page).textContent()).toBe("");
    expect(await stored(page, found)).toHaveLength(1);

    // The same, and reading the task back fails too: the page cannot know the first try
    // committed, so it says the create failed and takes the task back.
    const title = "Committed, never confirmed";
    await armFault({ action: "lose-response", match: sql.createTask, times: 12 });
    await armFault({ action: "fail", status: 503, match: sql.readTask, times: 100 });
    await newTask(page).fill(title);
    await newTask(page).press("Enter");
    await expectLocator(alert(page), 30_000).toContainText(`“${title}” could not be added.`);
    await expectLocator(item(page, title)).toHaveCount(0);
    await clearFaults();
    expect(await stored(page, title), "the first try committed").toHaveLength(1);
    await screenshot(page, "faults-create-unknown");

    // Retrying the same title sends the same id: the server answers with the task it holds.
    await newTask(page).press("Enter");
    await expectSaved(page, title);
    const sent = creates(writes, title);
    expect(sent.map((write) => write.status)).toEqual([503, 503, 503, 503, 200]);
    expect(new Set(sent.map((write) => write.body?.id)).size, "every try under one id").toBe(1);
    expect(await stored(page, title)).toHaveLength(1);
    await page.reload();
    await expectLocator(item(page, title)).toHaveCount(1);
    await expectLocator(item(page, found)).toHaveCount(1);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it("shows no success for a create slower than the Worker's database timeout until the server has it", async () => {
    const { page, errors, writes } = await startSignedUp("Sid Slow");
    const title = "Slower than the timeout";
    // DB_TIMEOUT_MS is 5 s (wrangler.toml): the Worker gives up at 5 s and answers 503, the
    // stand-in commits the insert at 6 s, and the page's re-send (≥ 7 s) finds it there.
    await armFault({ action: "delay", ms: 6_000, match: sql.createTask, times: 1 });
    await newTask(page).fill(title);
    await newTask(page).press("Enter");

    await expect.poll(() => creates(writes, title).length).toBe(1);
    expect(await stored(page, title), "nothing committed yet").toEqual([]);
    await expectUnconfirmed(page, title);
    await screenshot(page, "faults-create-slow");

    await expect.poll(() => creates(writes, title)[0]?.status, { timeout: 20_000 }).toBe(503);
    await expectUnconfirmed(page, title);

    await expectSaved(page, title);
    const sent = creates(writes, title);
    expect(sent.map((write) => write.status)).toEqual([503, 200]);
    expect(sent[1]?.body?.id).toBe(sent[0]?.body?.id);
    expect(await stored(page, title)).toHaveLength(1);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  /** Waits for the page to settle its last change to a task, then compares it with the server. */
  async function expectListEqualsServer(page: Page) {
    await expectLocator(page.locator('li[aria-busy="true"]'), 20_000).toHaveCount(0);
    const tasks = await serverTasks(page);
    await expectLocator(page.getByRole("checkbox")).toHaveCount(tasks.length);
    for (const task of tasks) {
      const checkbox = page.getByRole("checkbox", { name: task.title, exact: true });
      await expectLocator(checkbox).toHaveCount(1);
      expect(await checkbox.isChecked(), `"${task.title}" checked as the server holds it`).toBe(task.completed);
    }
  }

  it("shows a toggle as done only when the server applied it, whether its answer was lost or it was refused", async () => {
    const { page, errors, writes } = await startSignedUp("Tom Toggle");
    await addTask(page, "Toggle, answer lost");
    await addTask(page, "Toggle, refused");

    // The toggle committed, its answer was lost, and the Worker answers 503 (a toggle is not
    // repeated blindly): the page asks the server and finds it applied.
    await armFault({ action: "lose-response", match: sql.updateTask, times: 1 });
    await page.getByRole("checkbox", { name: "Toggle, answer lost" }).click();
    await expect.poll(() => writes.at(-1)?.status, { timeout: 20_000 }).toBe(503);
    await expectListEqualsServer(page);
    await expectLocator(page.getByRole("checkbox", { name: "Toggle, answer lost" })).toBeChecked();
    expect(await alert(page).textContent()).toBe("");

    // The database refuses every try: the page rolls the change back and says so.
    await armFault({ action: "fail", status: 503, match: sql.updateTask, times: 100 });
    await page.getByRole("checkbox", { name: "Toggle, refused" }).click();
    await expectLocator(alert(page)).toContainText("“Toggle, refused” could not be marked complete.");
    await expectListEqualsServer(page);
    await expectLocator(page.getByRole("checkbox", { name: "Toggle, refused" })).not.toBeChecked();
    await screenshot(page, "faults-toggle-refused");

    await clearFaults();
    await page.reload();
    await expectListEqualsServer(page);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it("shows an edit as saved only when the server applied it, whether its answer was lost or it was refused", async () => {
    const { page, errors, writes } = await startSignedUp("Eda Edit");
    await addTask(page, "Edit, answer lost");
    await addTask(page, "Edit, refused");
    const rename = async (from: string, to: string) => {
      await page.getByRole("button", { name: `Edit "${from}"` }).click();
      const field = page.getByRole("form", { name: `Editing "${from}"` }).getByRole("textbox", { name: "Title" });
      await field.fill(to);
      await field.press("Enter");
    };

    await armFault({ action: "lose-response", match: sql.updateTask, times: 1 });
    await rename("Edit, answer lost", "Edited, answer lost");
    await expect.poll(() => writes.at(-1)?.status, { timeout: 20_000 }).toBe(503);
    await expectListEqualsServer(page);
    await expectLocator(page.getByRole("checkbox", { name: "Edited, answer lost" })).toBeVisible();
    expect(await alert(page).textContent()).toBe("");

    await armFault({ action: "fail", status: 503, match: sql.updateTask, times: 100 });
    await rename("Edit, refused", "Edited, refused");
    await expectLocator(alert(page)).toContainText("Your changes to “Edit, refused” could not be saved.");
    await expectListEqualsServer(page);
    await expectLocator(page.getByRole("checkbox", { name: "Edit, refused" })).toBeVisible();
    await screenshot(page, "faults-edit-refused");

    await clearFaults();
    await page.reload();
    await expectListEqualsServer(page);
    expect(unexpectedErrors(errors)).toEqual([]);
  });
});
