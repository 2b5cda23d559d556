import type { Page } from "@playwright/test";
import { addTask, screenshot } from "../support/browser.ts";
import { armFault, clearFaults, recordTaskWrites, type SentWrite, serverTasks, sql } from "../support/database.ts";
import { expect, type OpenPage, test } from "../support/fixtures.ts";

/**
 * The browser under database faults injected by the local Neon stand-in: each test looks
 * at what the person sees and at what the server holds (read through the API with the
 * person's own token). The Worker answers 503 with `Retry-After: 5` when it gives up; the
 * page keeps the change queued and sends it again with back-off (web/src/lib/outbox.ts), so
 * a failure the server may get past is never shown as done, and never rolled back either.
 */
test.describe("the browser under database faults", () => {
  test.afterEach(clearFaults);

  const item = (page: Page, title: string) =>
    page.getByRole("listitem").filter({ has: page.getByRole("checkbox", { name: title, exact: true }) });
  // The alert region is always there (hidden while empty), so reading it never waits for it to appear.
  const alert = (page: Page) => page.locator('[role="alert"]');
  /** The task list's announcer (other regions on the page, such as the verify banner, are statuses too). */
  const announcement = (page: Page) => page.locator('p[role="status"].visually-hidden');
  const newTask = (page: Page) => page.getByRole("textbox", { name: "New task" });
  const creates = (writes: SentWrite[], title: string) =>
    writes.filter((write) => write.method === "POST" && write.body?.title === title);
  const stored = async (page: Page, title: string) => (await serverTasks(page)).filter((task) => task.title === title);

  /** How each list item showing the title looks, read at once (never waiting for it to appear). */
  const shown = (page: Page, title: string) =>
    item(page, title).evaluateAll((items) =>
      items.map((li) => ({ busy: li.getAttribute("aria-busy"), saving: li.textContent?.includes("Saving…") ?? false })),
    );

  /** Shown once, not yet saved: busy, with "Saving…". */
  async function expectUnconfirmed(page: Page, title: string) {
    expect(await shown(page, title)).toEqual([{ busy: "true", saving: true }]);
  }

  /** Shown once, saved: not busy, no "Saving…", and "Added" said. */
  async function expectSaved(page: Page, title: string) {
    await expect.poll(() => shown(page, title), { timeout: 20_000 }).toEqual([{ busy: null, saving: false }]);
    await expect(announcement(page)).toContainText(`Added “${title}”`);
  }

  /** The signed-in person's empty task list, loaded (so no fault armed later hits the first load). */
  async function onEmptyList({ page }: OpenPage) {
    await expect(page.getByText("No tasks yet — add one above").first()).toBeVisible();
    await expect(page.getByText("0 tasks left").first()).toBeVisible();
    return { page, writes: recordTaskWrites(page) };
  }

  test("saves a create whose database answer was lost exactly once, re-sent by the browser under the same id", async ({
    signedIn,
  }) => {
    const { page, writes } = await onEmptyList(signedIn);

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
    await expect(item(page, title)).toHaveCount(1);
  });

  test("keeps a create queued while the database keeps failing, stores nothing, and saves it once when it is back", async ({
    signedIn,
  }) => {
    const { page, writes } = await onEmptyList(signedIn);
    const title = "Waits for the database";
    await armFault({ action: "fail", status: 503, match: sql.createTask, times: 100 });
    await newTask(page).fill(title);
    await newTask(page).press("Enter");
    await expect(item(page, title)).toBeVisible();
    await expect.poll(() => creates(writes, title).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    await expectUnconfirmed(page, title);
    expect(await alert(page).textContent()).toBe("");
    await screenshot(page, "faults-create-failing");
    const sent = creates(writes, title);
    expect(new Set(sent.map((write) => write.body?.id)).size, "every try under one id").toBe(1);
    expect(await stored(page, title)).toEqual([]);

    // The database is back: the queued create lands, once.
    await clearFaults();
    await expectSaved(page, title);
    expect(creates(writes, title).at(-1)?.status).toBe(201);
    expect(new Set(creates(writes, title).map((write) => write.body?.id)).size).toBe(1);
    expect(await stored(page, title)).toHaveLength(1);
    await page.reload();
    await expect(item(page, title)).toHaveCount(1);
  });

  test("sends a create whose every answer was lost again under its id until one is answered, storing it once", async ({
    signedIn,
  }) => {
    const { page, writes } = await onEmptyList(signedIn);
    // Every answer is lost for a while (the Worker's 3 tries × 2 of the page's): the first try committed.
    const title = "Committed, answered later";
    await armFault({ action: "lose-response", match: sql.createTask, times: 6 });
    await addTask(page, title);
    await expectSaved(page, title);
    const sent = creates(writes, title);
    expect(sent.map((write) => write.status)).toEqual([503, 503, 200]);
    expect(new Set(sent.map((write) => write.body?.id)).size, "every try under one id").toBe(1);
    expect(await alert(page).textContent()).toBe("");
    expect(await stored(page, title)).toHaveLength(1);
    await page.reload();
    await expect(item(page, title)).toHaveCount(1);
  });

  test("shows no success for a create slower than the Worker's database timeout until the server has it", async ({
    signedIn,
  }) => {
    const { page, writes } = await onEmptyList(signedIn);
    const title = "Slower than the timeout";
    // DB_TIMEOUT_MS is 5 s (wrangler.jsonc): the Worker gives up at 5 s and answers 503, the
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
    expect(sent[0]?.status).toBe(503);
    expect(sent.at(-1)?.status, "the re-send finds the task the slow try stored").toBe(200);
    expect(new Set(sent.map((write) => write.body?.id)).size, "every try under one id").toBe(1);
    expect(await stored(page, title)).toHaveLength(1);
  });

  /**
   * Waits for the page to settle its last change to a task, then for it to show what the server holds
   * (the replica catches up through the feed, so the two agree once the last answer is read).
   */
  async function expectListEqualsServer(page: Page) {
    await expect(page.locator('li[aria-busy="true"]')).toHaveCount(0, { timeout: 20_000 });
    const held = async () => {
      const tasks = await serverTasks(page);
      const names = await page.getByRole("checkbox").evaluateAll((boxes) => boxes.length);
      const checks = await Promise.all(
        tasks.map(async (task) => {
          const checkbox = page.getByRole("checkbox", { name: task.title, exact: true });
          if ((await checkbox.count()) !== 1) return `${task.title}: missing`;
          return (await checkbox.isChecked()) === task.completed ? "" : `${task.title}: checked ${!task.completed}`;
        }),
      );
      return [names === tasks.length ? "" : `shown ${names}, held ${tasks.length}`, ...checks].filter(Boolean);
    };
    await expect.poll(held, { timeout: 20_000 }).toEqual([]);
  }

  test("shows a toggle as done only when the server applied it, whether its answer was lost or the database failed", async ({
    signedIn,
  }) => {
    const { page, writes } = await onEmptyList(signedIn);
    await addTask(page, "Toggle, answer lost");
    await addTask(page, "Toggle, refused");

    // The toggle committed and its answer was lost: it carries If-Match, so the Worker's own retry
    // finds the task one version on holding the change and answers 200 (docs/reliability.md).
    await armFault({ action: "lose-response", match: sql.updateTask, times: 1 });
    await page.getByRole("checkbox", { name: "Toggle, answer lost" }).click();
    await expect.poll(() => writes.at(-1)?.status, { timeout: 20_000 }).toBe(200);
    expect(writes.at(-1)?.method).toBe("PATCH");
    await expectListEqualsServer(page);
    await expect(page.getByRole("checkbox", { name: "Toggle, answer lost" })).toBeChecked();
    expect(await alert(page).textContent()).toBe("");

    // The database fails every try for a while: the toggle stays shown, queued ("Saving…"), not done.
    await armFault({ action: "fail", status: 503, match: sql.updateTask, times: 100 });
    await page.getByRole("checkbox", { name: "Toggle, refused" }).click();
    const failedBefore = writes.filter((w) => w.status === 503).length;
    await expect
      .poll(() => writes.filter((w) => w.status === 503).length, { timeout: 30_000 })
      .toBeGreaterThan(failedBefore + 1);
    await expectUnconfirmed(page, "Toggle, refused");
    expect((await serverTasks(page)).find((t) => t.title === "Toggle, refused")?.completed).toBe(false);
    await screenshot(page, "faults-toggle-queued");

    // Back: it lands, and a reload shows what the server holds.
    await clearFaults();
    await expectListEqualsServer(page);
    await expect(page.getByRole("checkbox", { name: "Toggle, refused" })).toBeChecked();
    await page.reload();
    await expectListEqualsServer(page);
  });

  test("shows an edit as saved only when the server applied it, whether its answer was lost or the database failed", async ({
    signedIn,
  }) => {
    const { page, writes } = await onEmptyList(signedIn);
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
    await expect.poll(() => writes.at(-1)?.status, { timeout: 20_000 }).toBe(200);
    await expectListEqualsServer(page);
    await expect(page.getByRole("checkbox", { name: "Edited, answer lost" })).toBeVisible();
    expect(await alert(page).textContent()).toBe("");

    await armFault({ action: "fail", status: 503, match: sql.updateTask, times: 100 });
    await rename("Edit, refused", "Edited, refused");
    const failedBefore = writes.filter((w) => w.status === 503).length;
    await expect
      .poll(() => writes.filter((w) => w.status === 503).length, { timeout: 30_000 })
      .toBeGreaterThan(failedBefore + 1);
    await expectUnconfirmed(page, "Edited, refused");
    expect((await serverTasks(page)).map((t) => t.title)).toContain("Edit, refused");
    await screenshot(page, "faults-edit-queued");

    await clearFaults();
    await expectListEqualsServer(page);
    await expect(page.getByRole("checkbox", { name: "Edited, refused" })).toBeVisible();
    await page.reload();
    await expectListEqualsServer(page);
  });
});
