import { addTask, baseUrl, signIn, signUp } from "../support/browser.ts";
import { expect, type NewPage, test } from "../support/fixtures.ts";

test.describe("sessions and failures", () => {
  /** On another device: sign in as `email` and sign out of all devices. */
  async function signOutEverywhereFromAnotherDevice(newPage: NewPage, email: string) {
    const phone = await newPage();
    await phone.page.goto("/sign-in");
    await signIn(phone.page, email);
    await phone.page.waitForURL("**/tasks");
    await phone.page.goto("/account");
    await phone.page.getByRole("button", { name: "Sign out of all devices" }).click();
    await phone.page.waitForURL((url) => url.pathname === "/sign-in" || url.pathname === "/");
  }

  test("sends a person whose session ended elsewhere to sign in, with a message, and back afterwards", async ({
    newPage,
  }) => {
    const laptop = await newPage();
    const email = await signUp(laptop.page, "Sam Session");
    await addTask(laptop.page, "Still here afterwards");

    // On another device: sign in and sign out of all devices. The live channel tells the laptop at once.
    await signOutEverywhereFromAnotherDevice(newPage, email);
    await laptop.page.waitForURL(/\/sign-in/);
    await expect(laptop.page.getByText("Your session has ended — please sign in again").first()).toBeVisible();
    await signIn(laptop.page, email);
    await laptop.page.waitForURL((url) => url.pathname === "/tasks");
    await expect(laptop.page.getByRole("checkbox", { name: "Still here afterwards" })).toBeVisible();
  });

  test("keeps what was typed across an ended session and restores it after signing in again", async ({ newPage }) => {
    const laptop = await newPage();
    const email = await signUp(laptop.page, "Dana Draft");
    await addTask(laptop.page, "Already saved");

    // Typing a new task with a description, and editing another, when the session ends elsewhere.
    const newTask = laptop.page.getByRole("textbox", { name: "New task" });
    await newTask.fill("Write the quarterly report");
    await laptop.page.getByRole("button", { name: "Details", exact: true }).click();
    const form = laptop.page.getByRole("form", { name: "Add a task" });
    await form.getByRole("textbox", { name: "Description" }).fill("Figures from Q3, and the hiring plan");

    // The session ends elsewhere while the person is typing: the live channel takes the laptop to sign-in.
    await signOutEverywhereFromAnotherDevice(newPage, email);
    await laptop.page.waitForURL(/\/sign-in/);
    await expect(laptop.page.getByText("Your session has ended — please sign in again").first()).toBeVisible();
    await signIn(laptop.page, email);
    await laptop.page.waitForURL((url) => url.pathname === "/tasks");

    await expect(laptop.page.getByText("Restored what you were typing").first()).toBeVisible();
    await expect(laptop.page.getByRole("textbox", { name: "New task" })).toHaveValue("Write the quarterly report");
    const restored = laptop.page.getByRole("form", { name: "Add a task" });
    await expect(restored.getByRole("textbox", { name: "Description" })).toHaveValue(
      "Figures from Q3, and the hiring plan",
    );
    await expect(laptop.page.getByRole("checkbox", { name: "Already saved" })).toBeVisible();

    // Once sent, the draft is gone: a reload shows an empty form and no note.
    await laptop.page.getByRole("textbox", { name: "New task" }).press("Enter");
    await expect(laptop.page.getByText("Added “Write the quarterly report”").first()).toBeVisible();
    await laptop.page.reload();
    await expect(laptop.page.getByRole("checkbox", { name: "Write the quarterly report" })).toBeVisible();
    await expect(laptop.page.getByRole("textbox", { name: "New task" })).toHaveValue("");
    await expect(laptop.page.getByText("Restored what you were typing")).toHaveCount(0);
  });

  test("keeps an open edit across an ended session", async ({ page }) => {
    await page.clock.install();
    const email = await signUp(page, "Eli Edit");
    await addTask(page, "Call the plumber");
    await page.getByRole("button", { name: 'Edit "Call the plumber"' }).click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("Call the plumber about the boiler");

    // The session ends (signed out of every device from this same browser's cookie jar).
    await page.context().clearCookies();
    await page.clock.fastForward("20:00");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/sign-in/);
    await signIn(page, email);
    await page.waitForURL((url) => url.pathname === "/tasks");

    await expect(page.getByText("Restored what you were typing").first()).toBeVisible();
    // The edit was queued as Enter was pressed: the list already shows it; the editor reopens as typed.
    const editor = page.getByRole("form", { name: /^Editing "Call the plumber/ });
    await expect(editor.getByRole("textbox", { name: "Title" })).toHaveValue("Call the plumber about the boiler");
    await editor.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("checkbox", { name: "Call the plumber about the boiler" })).toBeVisible();
    // Saved once "Saving…" is gone (the page's clock runs 20 minutes ahead, so each request renews the token).
    await expect(page.getByText("Saving…")).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole("checkbox", { name: "Call the plumber about the boiler" })).toBeVisible();
    await expect(page.getByRole("form", { name: /^Editing/ })).toHaveCount(0);
  });

  test("after signing in, follows a next address only within the site, however it is spelled", async ({ newPage }) => {
    const first = await newPage();
    const email = await signUp(first.page, "Nora Next");
    await first.context.close();
    for (const next of ["/.//evil.example/", "/x/..//evil.example/", "/./\\evil.example/"]) {
      const { page, context } = await newPage();
      await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
      await signIn(page, email);
      await page.waitForURL((url) => url.pathname !== "/sign-in");
      expect(new URL(page.url()).origin, next).toBe(baseUrl);
      expect(new URL(page.url()).pathname, next).toBe("/tasks");
      await context.close();
    }
  });

  test("says when to try again after too many sign-in attempts, and names a wrong password plainly", async ({
    signedIn,
  }) => {
    const { page, email } = signedIn;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname !== "/tasks");
    await page.goto("/sign-in");
    const attempt = async () => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("not the right passphrase");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
    };
    await attempt();
    await expect(page.getByText("Email or password is incorrect").first()).toBeVisible();
    await attempt();
    await attempt();
    await attempt();
    await expect(page.getByText(/try again/i).first()).toBeVisible();
  });

  test("rolls an optimistic change back, and says so, when the server refuses it", async ({ signedIn }) => {
    const { page } = signedIn;
    await addTask(page, "Refused toggle");
    await addTask(page, "Refused delete");

    // A refusal (a 4xx other than 412): a failure the server might get past (5xx) stays queued instead.
    await page.route("**/api/*/tasks/**", (route) =>
      route.request().method() === "GET"
        ? route.fallback()
        : route.fulfill({
            status: 422,
            contentType: "application/problem+json",
            body: JSON.stringify({
              type: "urn:brisk:problem:validation_failed",
              title: "The request breaks a rule",
              status: 422,
              detail: "The request breaks a rule",
              code: "validation_failed",
              errors: [{ path: "completed", message: "Not now" }],
            }),
          }),
    );

    const checkbox = page.getByRole("checkbox", { name: "Refused toggle" });
    await checkbox.click();
    await expect(checkbox).not.toBeChecked();
    const announcement = page.locator('[role="alert"], [role="status"]').filter({ hasText: /./ });
    await expect(announcement.first()).toBeVisible();

    await page.getByRole("button", { name: 'Delete "Refused delete"' }).click();
    await expect(page.getByRole("checkbox", { name: "Refused delete" })).toBeVisible();

    await page.unroute("**/api/*/tasks/**");
    await page.reload();
    await expect(page.getByRole("checkbox", { name: "Refused toggle" })).not.toBeChecked();
    await expect(page.getByRole("checkbox", { name: "Refused delete" })).toBeVisible();
  });
});
