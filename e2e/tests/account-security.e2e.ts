import { readFile } from "node:fs/promises";
import { base32 } from "@better-auth/utils/base32";
import { createOTP } from "@better-auth/utils/otp";
import type { Page } from "@playwright/test";
import { seriousViolations } from "../support/axe.ts";
import { newIp, screenshot, signIn, signUp } from "../support/browser.ts";
import { expect, test } from "../support/fixtures.ts";

/**
 * Two-factor authentication and passkeys as a person uses them: turn TOTP on from
 * /account (the code computed from the key the page shows, as an authenticator app
 * would), sign in with a code, then with a backup code; add a passkey with Chromium's
 * virtual authenticator and sign in with it.
 */

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/account") && !url.pathname.startsWith("/tasks"));
}

/** The elements that stick out past the right edge (the page would scroll sideways); none, ideally. */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    return [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > width + 1)
      .map(
        (element) =>
          `${element.tagName.toLowerCase()}.${element.className} ${Math.round(element.getBoundingClientRect().right)}/${width} ${element.textContent?.slice(0, 30)}`,
      );
  });
}

test.describe("account security", () => {
  for (const [colorScheme, width] of [
    ["light", 1280],
    ["dark", 320],
  ] as const) {
    test(`turns two-factor on, signs in with a code and with a backup code, and turns it off (${colorScheme}, ${width} px)`, async ({
      newPage,
    }) => {
      const { page } = await newPage({ colorScheme, width });
      const email = await signUp(page, "Two Factor");
      await page.goto("/account");
      await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
      await page.getByLabel("Password", { exact: true }).fill("a long and unusual passphrase");
      await page.getByRole("button", { name: "Continue" }).click();

      const qr = page.getByRole("img", { name: "QR code for your authenticator app" });
      await expect(qr.locator("svg")).toBeVisible();
      const secret = ((await page.getByTestId("totp-secret").textContent()) ?? "").replace(/\s+/g, "");
      expect(secret).toMatch(/^[A-Z2-7]+=*$/);
      const totp = createOTP(base32.decode(secret));
      expect(await seriousViolations(page)).toEqual([]);
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `account-two-factor-setup-${width}-${colorScheme}`);

      // A wrong code first: said next to the field.
      await page.getByLabel("Code from the app").fill("000000");
      await page.getByRole("button", { name: "Turn on", exact: true }).click();
      await expect(page.getByText("That code is not right").first()).toBeVisible();
      await page.getByLabel("Code from the app").fill(await totp.totp());
      await page.getByRole("button", { name: "Turn on", exact: true }).click();

      await expect(page.getByRole("heading", { name: "Save your backup codes" })).toBeVisible();
      const codes = (await page.getByRole("list", { name: "Backup codes" }).locator("code").allTextContents()).map(
        (code) => code.trim(),
      );
      expect(codes).toHaveLength(10);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Download backup codes" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("brisk-backup-codes.txt");
      const text = await readFile(await download.path(), "utf8");
      for (const code of codes) expect(text).toContain(code);
      expect(await seriousViolations(page)).toEqual([]);
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `account-backup-codes-${width}-${colorScheme}`);
      await page.getByRole("button", { name: "I have saved my backup codes" }).click();
      await expect(page.getByText("Two-factor authentication is on.").first()).toBeVisible();

      // Sign in again at once, from the same address (the set-up's code checks have a counter of their
      // own): the password, then the code from the app.
      await signOut(page);
      await page.goto("/sign-in");
      await signIn(page, email);
      const codeField = page.getByLabel("Authentication code");
      await expect(codeField).toBeVisible();
      await expect(codeField).toBeFocused();
      expect(await seriousViolations(page)).toEqual([]);
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `sign-in-code-${width}-${colorScheme}`);
      await codeField.fill(await totp.totp());
      await page.getByRole("button", { name: "Verify" }).click();
      await page.waitForURL("**/tasks");
      await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();

      // And with a backup code instead.
      await page.goto("/account");
      await signOut(page);
      await page.goto("/sign-in");
      await signIn(page, email);
      await page.getByLabel("Authentication code").fill(codes[0] ?? "");
      await page.getByRole("button", { name: "Verify" }).click();
      await page.waitForURL("**/tasks");
      await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();

      // Turning it off takes the password; then sign-in asks for the password only.
      await page.goto("/account");
      await page.getByRole("button", { name: "Turn off two-factor authentication" }).click();
      await page.getByLabel("Password", { exact: true }).fill("a long and unusual passphrase");
      await page.getByRole("button", { name: "Turn off", exact: true }).click();
      await expect(page.getByText("Two-factor authentication is off.").first()).toBeVisible();
      await signOut(page);
      // Sign-up signs in too, so this is the fourth sign-in from this client within a minute: the
      // limit is 3 per client address (docs/auth.md), so it comes from another address.
      await page.context().setExtraHTTPHeaders({ "CF-Connecting-IP": newIp() });
      await page.goto("/sign-in");
      await signIn(page, email);
      await page.waitForURL("**/tasks");
    });
  }

  test("adds a passkey, signs in with it (autofill, then the button), and removes it (dark, 320 px)", async ({
    newPage,
  }) => {
    const { context, page } = await newPage({ colorScheme: "dark", width: 320 });
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });

    await signUp(page, "Passkey Person");
    expect(await overflowing(page)).toEqual([]);
    await page.goto("/account");
    await expect(page.getByText("You have no passkeys yet.").first()).toBeVisible();
    await page.getByLabel("Passkey name").fill("Test laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByText("Passkey “Test laptop” added.").first()).toBeVisible();
    await expect(page.getByRole("list", { name: "Your passkeys" }).getByText("Test laptop").first()).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    expect(await overflowing(page)).toEqual([]);
    await screenshot(page, "account-passkeys-320-dark");

    // Where the browser offers passkeys among the email field's suggestions (conditional UI), Chromium's
    // virtual authenticator picks the one it holds as soon as the sign-in page asks: signed in at once.
    await signOut(page);
    await page.goto("/sign-in");
    await page.waitForURL("**/tasks");
    await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();

    // A browser without conditional UI: the button.
    await page.addInitScript(() => {
      if (window.PublicKeyCredential) window.PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    await page.goto("/account");
    await signOut(page);
    await page.goto("/sign-in");
    const button = page.getByRole("button", { name: "Sign in with a passkey" });
    await expect(button).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "sign-in-passkey-320-dark");
    await button.click();
    await page.waitForURL("**/tasks");
    await expect(page.getByRole("heading", { name: "Tasks" })).toBeVisible();

    await page.goto("/account");
    await page.getByRole("button", { name: "Remove passkey Test laptop" }).click();
    await expect(page.getByText("You have no passkeys yet.").first()).toBeVisible();
  });
});
