import { describe, it } from "vitest";
import { addTask, browserAvailable, expectLocator, newPage, signIn, signUp, useBrowser } from "../support/browser.ts";

describe.runIf(browserAvailable)("sessions and failures", () => {
  const browser = useBrowser();

  it("sends a person whose session ended elsewhere to sign in, with a message, and back afterwards", async () => {
    const laptop = await newPage(browser());
    await laptop.page.clock.install();
    const email = await signUp(laptop.page, "Sam Session");
    await addTask(laptop.page, "Still here afterwards");

    // On another device: sign in and sign out of all devices.
    const phone = await newPage(browser());
    await phone.page.goto("/sign-in");
    await signIn(phone.page, email);
    await phone.page.waitForURL("**/tasks");
    await phone.page.goto("/account");
    await phone.page.getByRole("button", { name: "Sign out of all devices" }).click();
    await phone.page.waitForURL((url) => url.pathname === "/sign-in" || url.pathname === "/");

    // The laptop's access token runs out; renewing it finds the session gone.
    await laptop.page.clock.fastForward("20:00");
    await laptop.page.getByRole("checkbox", { name: "Still here afterwards" }).click();
    await laptop.page.waitForURL(/\/sign-in/);
    await expectLocator(laptop.page.getByText("Your session has ended — please sign in again")).toBeVisible();
    await signIn(laptop.page, email);
    await laptop.page.waitForURL((url) => url.pathname === "/tasks");
    await expectLocator(laptop.page.getByRole("checkbox", { name: "Still here afterwards" })).toBeVisible();
  });

  it("says when to try again after too many sign-in attempts, and names a wrong password plainly", async () => {
    const { page } = await newPage(browser());
    const email = await signUp(page, "Tess Throttle");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname !== "/tasks");
    await page.goto("/sign-in");
    const attempt = async () => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("not the right passphrase");
      await page.getByRole("button", { name: "Sign in" }).click();
    };
    await attempt();
    await expectLocator(page.getByText("Email or password is incorrect")).toBeVisible();
    await attempt();
    await attempt();
    await attempt();
    await expectLocator(page.getByText(/try again/i)).toBeVisible();
  });

  it("rolls an optimistic change back, and says so, when the server refuses it", async () => {
    const { page } = await newPage(browser());
    await signUp(page, "Rita Rollback");
    await addTask(page, "Refused toggle");
    await addTask(page, "Refused delete");

    await page.route("**/api/*/tasks/**", (route) =>
      route.request().method() === "GET"
        ? route.fallback()
        : route.fulfill({
            status: 503,
            contentType: "application/problem+json",
            headers: { "Retry-After": "5" },
            body: JSON.stringify({
              type: "urn:brisk:problem:database_unavailable",
              title: "The database is unavailable",
              status: 503,
              detail: "The database did not answer; nothing was changed. Try again shortly.",
              code: "database_unavailable",
            }),
          }),
    );

    const checkbox = page.getByRole("checkbox", { name: "Refused toggle" });
    await checkbox.click();
    await expectLocator(checkbox).not.toBeChecked();
    const announcement = page.locator('[role="alert"], [role="status"]').filter({ hasText: /./ });
    await expectLocator(announcement.first()).toBeVisible();

    await page.getByRole("button", { name: 'Delete "Refused delete"' }).click();
    await expectLocator(page.getByRole("checkbox", { name: "Refused delete" })).toBeVisible();

    await page.unroute("**/api/*/tasks/**");
    await page.reload();
    await expectLocator(page.getByRole("checkbox", { name: "Refused toggle" })).not.toBeChecked();
    await expectLocator(page.getByRole("checkbox", { name: "Refused delete" })).toBeVisible();
  });
});
