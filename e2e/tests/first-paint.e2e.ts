import { describe, expect, it } from "vitest";
import { addTask, browserAvailable, expectLocator, newPage, signUp, useBrowser } from "../support/browser.ts";
import { armFault, clearFaults } from "../support/stand-in.ts";

/**
 * Time to first tasks on /tasks with a far-away database (the stand-in delays every SQL answer
 * by 100 ms): warm (the replica in IndexedDB) and cold (none yet, signed in). Asserts the round
 * trips — none needed before the first tasks on a warm visit (every API request is held until they
 * show); on a cold one only the token and then the feed — and reports the times
 * (docs/performance.md), which a busy machine only makes slower.
 */
describe.runIf(browserAvailable)("the first tasks on /tasks", () => {
  const browser = useBrowser();

  interface FirstPaint {
    firstTasksMs: number;
    apiBefore: { name: string; startTime: number; responseEnd: number }[];
  }

  async function measure(page: import("playwright-core").Page): Promise<FirstPaint> {
    await page.reload();
    await expectLocator(page.getByRole("checkbox").first()).toBeVisible();
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

  it("shows them from the replica with no request, and cold after the token and one feed read", async () => {
    const { page } = await newPage(browser());
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector("li[data-task-id]")) {
          (window as unknown as { __firstTasks?: number }).__firstTasks = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await signUp(page, "Fay First-Paint");
    for (const title of ["One", "Two", "Three"]) await addTask(page, title);
    // A repeat visit comes after the writes were answered and the replica was stored (at most every 300 ms).
    await expectLocator(page.getByText("Saving…")).toHaveCount(0);
    await page.waitForTimeout(1_000);

    try {
      await armFault({ match: "", times: 100_000, action: "delay", ms: 100 });
      // Warm: every API request is held unanswered until the tasks show — they must not need one. (The page
      // may start its requests before it paints on a slow machine; what counts is that it waits for none.)
      const held: import("playwright-core").Route[] = [];
      await page.context().route("**/api/**", (route) => {
        held.push(route);
      });
      const warm = await measure(page);
      await page.context().unroute("**/api/**");
      for (const route of held) await route.continue().catch(() => {});
      // Cold: no replica and no remembered user (as after signing in).
      await page.evaluate(async () => {
        localStorage.removeItem("brisk-user");
        await new Promise((resolve) => {
          const request = indexedDB.deleteDatabase("keyval-store");
          request.onsuccess = request.onerror = request.onblocked = resolve;
        });
      });
      const cold = await measure(page);
      console.log(`[first-paint] warm ${JSON.stringify(warm)}`);
      console.log(`[first-paint] cold ${JSON.stringify(cold)}`);

      expect(
        warm.apiBefore.filter((entry) => entry.responseEnd > 0 && entry.responseEnd < warm.firstTasksMs),
        "a warm visit needs no answer before showing tasks",
      ).toEqual([]);
      const coldNames = cold.apiBefore.map((entry) => entry.name);
      expect(coldNames).toContain("/api/auth/token");
      expect(coldNames).toContain("/api/{userId}/tasks/changes");
      expect(
        coldNames.filter((name) => name.includes("/tasks")),
        "one feed read, no list or count requests",
      ).toEqual(["/api/{userId}/tasks/changes"]);
    } finally {
      await clearFaults();
    }
  });
});
