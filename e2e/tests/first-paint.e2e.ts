import { addTask, newIp, signIn, signUp } from "../support/browser.ts";
import { armFault, clearFaults } from "../support/database.ts";
import { expect, test } from "../support/fixtures.ts";

/**
 * Time to first tasks on /tasks with a far-away database (the stand-in delays every SQL answer
 * by 100 ms): warm (the replica in IndexedDB) and cold (none yet, signed in). Asserts the round
 * trips — none needed before the first tasks on a warm visit (every API request is held until they
 * show); on a cold one only the feed, with the access token this browser kept (decision 039), no
 * `/api/auth/token` first — and reports the times (docs/performance.md), which a busy machine only
 * makes slower.
 */
test.describe("the first tasks on /tasks", () => {
  interface FirstPaint {
    firstTasksMs: number;
    apiBefore: { name: string; startTime: number; responseEnd: number }[];
  }

  async function measure(page: import("@playwright/test").Page): Promise<FirstPaint> {
    await page.reload();
    return firstPaint(page);
  }

  /** The first tasks of the page now open, and the API requests it started before them. */
  async function firstPaint(page: import("@playwright/test").Page): Promise<FirstPaint> {
    await expect(page.getByRole("checkbox").first()).toBeVisible();
    return page.evaluate(() => {
      const first = (window as unknown as { __firstTasks?: number }).__firstTasks ?? Number.NaN;
      const apiBefore = performance
        .getEntriesByType("resource")
        .filter((entry) => new URL(entry.name).pathname.startsWith("/api/") && entry.startTime < first)
        .map((entry) => ({
          name: new URL(entry.name).pathname.replace(/^\/api\/[^/]+\/tasks/, "/api/{userId}/tasks"),
          startTime: Math.round(entry.startTime),
          responseEnd: Math.round((entry as PerformanceResourceTiming).responseEnd),
        }));
      return { firstTasksMs: Math.round(first), apiBefore };
    });
  }

  /** Deletes the replica (IndexedDB) of the page's origin. */
  const forgetReplica = (page: import("@playwright/test").Page) =>
    page.evaluate(
      () =>
        new Promise((resolve) => {
          const request = indexedDB.deleteDatabase("keyval-store");
          request.onsuccess = request.onerror = request.onblocked = resolve;
        }),
    );

  /** A cold visit: the feed read once, no token asked for first, nothing else of the task API. */
  function expectOneFeedReadOnly(cold: FirstPaint) {
    const coldNames = cold.apiBefore.map((entry) => entry.name);
    expect(coldNames, "the token this browser kept is used: no /token first").not.toContain("/api/auth/token");
    expect(coldNames).toContain("/api/{userId}/tasks/changes");
    expect(
      coldNames.filter((name) => name.includes("/tasks")),
      "one feed read, no list or count requests",
    ).toEqual(["/api/{userId}/tasks/changes"]);
  }

  test("shows them from the replica with no request, and cold after one feed read", async ({ page }) => {
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector("li[data-task-id]")) {
          (window as unknown as { __firstTasks?: number }).__firstTasks = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const email = await signUp(page, "Fay First-Paint");
    for (const title of ["One", "Two", "Three"]) await addTask(page, title);
    // A repeat visit comes after the writes were answered and the replica was stored (at most every 300 ms).
    await expect(page.getByText("Saving…")).toHaveCount(0);
    await page.waitForTimeout(1_000);

    try {
      await armFault({ match: "", times: 100_000, action: "delay", ms: 100 });
      // Warm: every API request is held unanswered until the tasks show — they must not need one. (The page
      // may start its requests before it paints on a slow machine; what counts is that it waits for none.)
      const held: import("@playwright/test").Route[] = [];
      await page.context().route("**/api/**", (route) => {
        held.push(route);
      });
      const warm = await measure(page);
      await page.context().unroute("**/api/**");
      for (const route of held) await route.continue().catch(() => {});
      // Cold: no replica (as after signing in, which keeps the new session's user id and token).
      await forgetReplica(page);
      const cold = await measure(page);
      console.log(`[first-paint] warm ${JSON.stringify(warm)}`);
      console.log(`[first-paint] cold ${JSON.stringify(cold)}`);

      expect(
        warm.apiBefore.filter((entry) => entry.responseEnd > 0 && entry.responseEnd < warm.firstTasksMs),
        "a warm visit needs no answer before showing tasks",
      ).toEqual([]);
      expectOneFeedReadOnly(cold);

      // Cold for real: signed out (the replica deleted), then signed in through the form.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/sign-in");
      // No replica whatever sign-out left behind (a real cold visit, as on a new device).
      await forgetReplica(page);
      await signIn(page, email);
      await page.waitForURL("**/tasks");
      const afterSignIn = await firstPaint(page);
      console.log(`[first-paint] cold after sign-in ${JSON.stringify(afterSignIn)}`);
      expectOneFeedReadOnly(afterSignIn);
    } finally {
      await clearFaults();
    }
  });

  test("keeps no token after sign-out, and never sends one person's kept token for another", async ({ page }) => {
    const context = page.context();
    const sent: string[] = [];
    page.on("request", (request) => {
      const header = request.headers().authorization;
      if (header) sent.push(header);
    });
    const keptToken = () => page.evaluate(() => localStorage.getItem("brisk-token"));
    const jwtsAtRest = () =>
      page.evaluate(() =>
        [localStorage, sessionStorage].flatMap((storage) =>
          Object.keys(storage).filter((key) => /eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(storage.getItem(key) ?? "")),
        ),
      );

    await signUp(page, "Ann Before");
    const annToken = await keptToken();
    expect(annToken, "the token is kept for the next page").toMatch(/^eyJ/);
    // Ann's session leaves this browser without a sign-out (cookies cleared); her token is still kept.
    await context.clearCookies();
    // Ann's page is left first: what it sent while still open (its feed, as it went) was hers to send.
    await page.goto("about:blank");
    sent.length = 0;
    // Another person at this browser (another client address: sign-up and sign-in are throttled per address).
    await page.setExtraHTTPHeaders({ "CF-Connecting-IP": newIp() });
    await signUp(page, "Bob After");
    await addTask(page, "Bob's task");
    // Even planted back beside Bob's user id, Ann's token is not used for him.
    await page.evaluate((token) => localStorage.setItem("brisk-token", token ?? ""), annToken);
    await page.reload();
    await expect(page.getByRole("checkbox", { name: "Bob's task" })).toBeVisible();
    expect(sent.length).toBeGreaterThan(0);
    expect(
      sent.filter((header) => header.includes(annToken ?? "-")),
      "Ann's token is never sent once Bob signed in",
    ).toEqual([]);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    expect(await jwtsAtRest(), "no token left in storage after sign-out").toEqual([]);
  });
});
