import { seriousViolations } from "../support/axe.ts";
import { controlledByServiceWorker, offlineNoise, screenshot, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

/** The width and height a PNG declares in its header. */
function pngSize(bytes: Buffer): string {
  expect(bytes.subarray(1, 4).toString("latin1"), "a PNG signature").toBe("PNG");
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

const offlineStatus = "Offline — changes will sync";

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

test.describe("offline and installable", () => {
  test("is installable: a valid manifest with reachable icons, and a service worker controlling the page", async ({
    page,
  }) => {
    const context = page.context();
    await page.goto("/sign-in");
    await controlledByServiceWorker(page);

    // What Chromium itself makes of the manifest, and whether it would offer to install the app.
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send("Page.getAppManifest");
    expect(manifest.errors).toEqual([]);
    expect(new URL(manifest.url).pathname).toBe("/manifest.webmanifest");
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    // A test's browser context is an incognito one, where Chromium never offers to install: that
    // one is about the browser, not the app. Anything else (no manifest, icons, worker) counts.
    expect(installabilityErrors.filter((error) => error.errorId !== "in-incognito")).toEqual([]);

    const data = JSON.parse(manifest.data ?? "{}") as {
      name?: string;
      short_name?: string;
      start_url?: string;
      display?: string;
      theme_color?: string;
      background_color?: string;
      icons?: ManifestIcon[];
    };
    expect(data).toMatchObject({ short_name: "Brisk", start_url: "/tasks", display: "standalone" });
    expect(data.name).toBeTruthy();
    expect(data.theme_color).toMatch(/^#[0-9a-f]{6}$/);
    expect(data.background_color).toMatch(/^#[0-9a-f]{6}$/);

    // Every icon is there, of the type and size it claims: 192 and 512, plain and maskable, and the SVG.
    const icons = data.icons ?? [];
    const found: string[] = [];
    for (const icon of icons) {
      const response = await page.request.get(icon.src);
      expect(response.status(), icon.src).toBe(200);
      expect(response.headers()["content-type"], icon.src).toContain(icon.type);
      const body = await response.body();
      const size = icon.type === "image/png" ? pngSize(body) : icon.sizes;
      expect(size, icon.src).toBe(icon.sizes);
      found.push(`${icon.type} ${size} ${icon.purpose ?? "any"}`);
    }
    expect(found).toEqual(
      expect.arrayContaining([
        "image/svg+xml any any",
        "image/png 192x192 any",
        "image/png 512x512 any",
        "image/png 192x192 maskable",
        "image/png 512x512 maskable",
      ]),
    );

    const registration = await page.evaluate(async () => {
      const ready = await navigator.serviceWorker.ready;
      return { scope: ready.scope, script: ready.active?.scriptURL, state: ready.active?.state };
    });
    expect(new URL(registration.scope).pathname).toBe("/");
    expect(new URL(registration.script ?? "").pathname).toBe("/sw.js");
    expect(registration.state).toBe("activated");
  });

  test("opens /tasks offline after one visit, says it is offline, and stops saying so when back online", async ({
    newPage,
    consoleErrors,
  }) => {
    consoleErrors.allow(offlineNoise);
    const { context, page } = await newPage({ width: 320 });
    await signUp(page, "Offline Person");
    await controlledByServiceWorker(page);
    // Online, the status says nothing.
    await expect(page.getByText(offlineStatus)).toHaveCount(0);

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
    await expect(page.getByRole("textbox", { name: "New task" })).toBeVisible();
    const status = page.getByRole("status").filter({ hasText: offlineStatus });
    await expect(status.first()).toBeVisible();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1),
    ).toBe(true);

    // The offline state is accessible, light and dark, at 320 px.
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "tasks-offline-320-light");
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "tasks-offline-320-dark");

    // Filters live in the URL: the same cached page answers them.
    await page.goto("/tasks?status=completed");
    await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
    await expect(status.first()).toBeVisible();
    // The other pages were cached too; an address the app does not have gets the cached 404 page.
    await page.goto("/account");
    await expect(page.getByRole("heading", { name: "Account", exact: true })).toBeVisible();
    await page.goto("/no-such-page");
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();

    await page.goto("/tasks");
    await expect(status.first()).toBeVisible();
    await context.setOffline(false);
    await expect(page.getByText(offlineStatus)).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
    // What the page could not ask while offline it asks once back: who is signed in, and the email banner.
    await expect(page.getByText("Signed in as Offline Person").first()).toBeVisible();
    await expect(page.getByRole("region", { name: "Confirm your email address" })).toBeVisible();
  });

  test("offers a reload when a newer service worker takes over an open page", async ({ signedIn }) => {
    const { page } = signedIn;
    await controlledByServiceWorker(page);
    const offer = page.getByRole("status").filter({ hasText: "A new version of Brisk is ready." });
    await expect(offer).toHaveCount(0);

    // A deploy, as the browser sees it: another worker script for the same scope installs and takes over.
    await page.evaluate(() => navigator.serviceWorker.register("/sw.js?next-deploy"));
    await expect(offer.first()).toBeVisible({ timeout: 60_000 });
    await screenshot(page, "tasks-update-offer-1280-light");
    expect(await seriousViolations(page)).toEqual([]);
    // Reload loads the page anew (from the new worker): what this page held is gone.
    await page.evaluate(() => Object.assign(window, { beforeReload: true }));
    await page.getByRole("button", { name: "Reload" }).click();
    await page.waitForFunction(() => !("beforeReload" in window), undefined, { timeout: 60_000 });
    await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
  });
});
