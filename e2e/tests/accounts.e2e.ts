import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { addTask, signIn, signUp, uniqueEmail } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";
import { linkIn, waitForMail } from "../support/mailbox.ts";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const screenshotsDir = join(import.meta.dirname, "..", "..", "docs", "screenshots");

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (options: object) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"] } });
    return result.violations;
  })) as { id: string; impact: string | null; nodes: { target: string[] }[] }[];
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

const newPassword = "a fresh and different passphrase";

test.describe("accounts by mail", () => {
  test("signs up, shows a calm banner, and verifies the address from the mail", async ({ signedIn }) => {
    const { page, email } = signedIn;
    const banner = page.getByRole("region", { name: "Confirm your email address" });
    await expect(banner).toBeVisible();
    const first = await waitForMail(email, "Confirm your email address for Brisk");

    await banner.getByRole("button", { name: "Send again" }).click();
    await expect(banner.getByText(`Sent. Check ${email} for the link.`).first()).toBeVisible();
    const second = await waitForMail(email, "Confirm your email address for Brisk", new Date(first.sentAt));

    await page.goto(linkIn(second, "/verify-email"));
    await expect(page.getByText("Your email address is confirmed. Thank you.").first()).toBeVisible();
    await page.getByRole("link", { name: "Go to your tasks" }).click();
    await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();
    await page.waitForLoadState("networkidle");
    await expect(banner).toHaveCount(0);
  });

  test("resets a forgotten password from the mail: other sessions end, the new password works", async ({ newPage }) => {
    const laptop = await newPage();
    const email = await signUp(laptop.page, "Rita Reset");
    await addTask(laptop.page, "Survives the reset");

    const phone = await newPage();
    await phone.page.goto("/sign-in");
    await phone.page.getByRole("link", { name: "Forgot password?" }).click();
    await phone.page.waitForURL("**/forgot-password");
    await phone.page.getByLabel("Email").fill(email);
    await phone.page.getByRole("button", { name: "Send reset link" }).click();
    await expect(phone.page.getByText("If an account uses that address").first()).toBeVisible();

    const mail = await waitForMail(email, "Reset your Brisk password");
    await phone.page.goto(linkIn(mail, "/reset-password"));
    await phone.page.getByLabel("New password").fill(newPassword);
    await phone.page.getByRole("button", { name: "Set new password" }).click();
    await phone.page.waitForURL("**/tasks");
    await expect(phone.page.getByRole("checkbox", { name: "Survives the reset" })).toBeVisible();

    // The laptop's session ended: its next contact with the server takes it to sign in. (The
    // server also tells its live channel at once — worker/src/live/live.test.ts.)
    await laptop.page.reload();
    await laptop.page.waitForURL(/\/sign-in/, { timeout: 60_000 });
    await expect(laptop.page.getByText("Your session has ended — please sign in again").first()).toBeVisible();
    await laptop.page.getByLabel("Email").fill(email);
    await laptop.page.getByLabel("Password").fill(newPassword);
    await laptop.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await laptop.page.waitForURL("**/tasks");

    // The link worked once.
    await phone.page.goto(linkIn(mail, "/reset-password"));
    await phone.page.getByLabel("New password").fill("yet another passphrase");
    await phone.page.getByRole("button", { name: "Set new password" }).click();
    await expect(phone.page.getByText("This link has expired or has already been used.").first()).toBeVisible();
    await expect(phone.page.getByRole("link", { name: "Send a new link" })).toBeVisible();
  });

  test("changes the email address once it is confirmed from the new address", async ({ signedIn }) => {
    const { page, email } = signedIn;
    const newEmail = uniqueEmail("moved");
    await page.goto("/account");
    const details = page.getByRole("region", { name: "Your details" });
    await details.getByLabel("New email address").fill(newEmail);
    await details.getByRole("button", { name: "Send confirmation link" }).click();
    await expect(details.getByText(`Check ${newEmail} for a link to confirm it`).first()).toBeVisible();
    await waitForMail(email, "Your Brisk email address is being changed");
    const confirmation = await waitForMail(newEmail, "Confirm your new email address for Brisk");
    const shownEmail = details.locator("dt:text-is('Email') + dd");
    await expect(shownEmail).toContainText(email);

    await page.goto(linkIn(confirmation, "/verify-email"));
    await expect(page.getByText("Your email address is confirmed. Thank you.").first()).toBeVisible();
    await page.goto("/account");
    await expect(shownEmail).toContainText(newEmail);

    await details.getByLabel("Name").fill("Eli Renamed");
    await details.getByRole("button", { name: "Save name" }).click();
    await expect(details.getByText("Your name has been changed.").first()).toBeVisible();
    await expect(page.locator(".user-name")).toContainText("Eli Renamed");
  });

  test("ends another device's session from the devices list; that device goes to sign in", async ({ newPage }) => {
    const laptop = await newPage();
    const email = await signUp(laptop.page, "Dev Ice");
    const phone = await newPage();
    await phone.page.goto("/sign-in");
    await signIn(phone.page, email);
    await phone.page.waitForURL("**/tasks");

    await laptop.page.goto("/account");
    const devices = laptop.page.getByRole("region", { name: "Devices" });
    await expect(devices.getByRole("listitem")).toHaveCount(2);
    await expect(devices.getByText("This device", { exact: true })).toHaveCount(1);
    await devices.screenshot({ path: join(screenshotsDir, "account-devices-1280-light.png") });
    const other = devices
      .getByRole("listitem")
      .filter({ hasNot: laptop.page.getByText("This device", { exact: true }) });
    await other.getByRole("button", { name: /^Sign out / }).click();
    await expect(devices.getByRole("listitem")).toHaveCount(1);

    // The live channel may already be taking the phone to sign-in (a reload then races that navigation and
    // fails): the phone is reloaded only when it is still on its tasks.
    if (!phone.page.url().includes("/sign-in")) await phone.page.reload().catch(() => {});
    await phone.page.waitForURL(/\/sign-in/, { timeout: 60_000 });
    await expect(phone.page.getByText("Your session has ended — please sign in again").first()).toBeVisible();
  });

  for (const colorScheme of ["light", "dark"] as const) {
    test(`has no serious accessibility violations on the new pages, at 320 px (${colorScheme})`, async ({
      newPage,
    }) => {
      const { page } = await newPage({ colorScheme, width: 320 });
      const found: Record<string, string[]> = {};
      const shoot = (name: string) =>
        page.screenshot({ path: join(screenshotsDir, `${name}-320-${colorScheme}.png`), fullPage: true });

      await page.goto("/forgot-password");
      found["/forgot-password"] = await seriousViolations(page);
      await shoot("forgot-password");
      await page.goto("/reset-password?token=not-a-real-token");
      found["/reset-password"] = await seriousViolations(page);
      await page.getByLabel("New password").fill(newPassword);
      await page.getByRole("button", { name: "Set new password" }).click();
      await expect(page.getByRole("link", { name: "Send a new link" })).toBeVisible();
      found["/reset-password used"] = await seriousViolations(page);
      await shoot("reset-password-used");
      await page.goto("/verify-email?token=expired");
      await expect(page.getByRole("button", { name: "Send again" })).toBeVisible();
      found["/verify-email expired"] = await seriousViolations(page);
      await shoot("verify-email-expired");

      const email = await signUp(page, `Ally ${colorScheme}`);
      await expect(page.getByRole("button", { name: "Send again" })).toBeVisible();
      found["/tasks with banner"] = await seriousViolations(page);
      await page.goto("/account");
      await expect(page.getByText("This device", { exact: true }).first()).toBeVisible();
      found["/account"] = await seriousViolations(page);
      await shoot("account");
      const mail = await waitForMail(email, "Confirm your email address for Brisk");
      await page.goto(linkIn(mail, "/verify-email"));
      await expect(page.getByText("Your email address is confirmed. Thank you.").first()).toBeVisible();
      found["/verify-email"] = await seriousViolations(page);
      await page.goto("/__dev/mailbox");
      found["/__dev/mailbox"] = await seriousViolations(page);
      // The mailbox grows with every test; the first screenful shows what it looks like.
      if (colorScheme === "light") {
        await page.screenshot({ path: join(screenshotsDir, "dev-mailbox-320-light.png") });
      }

      const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(scrolls).toBe(false);
      expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));
    });
  }
});
