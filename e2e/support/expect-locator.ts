import type { Locator } from "playwright-core";
import { expect } from "vitest";

/**
 * Web-first assertions for playwright-core (whose `expect` lives in @playwright/test,
 * which would bring its own runner): each check is retried until it holds or the
 * timeout passes, as the page may still be rendering.
 */
export function expectLocator(locator: Locator, timeout = 10_000) {
  const retry = async (check: () => Promise<void>) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        await check();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const assertions = (negate: boolean) => {
    const is = (actual: unknown, expected: unknown, what: string) => {
      if (negate) expect(actual, `${what} of ${locator}`).not.toEqual(expected);
      else expect(actual, `${what} of ${locator}`).toEqual(expected);
    };
    return {
      toBeVisible: () => retry(async () => is(await locator.first().isVisible(), true, "visibility")),
      toBeChecked: () => retry(async () => is(await locator.isChecked(), true, "checked state")),
      toBeEnabled: () => retry(async () => is(await locator.isEnabled(), true, "enabled state")),
      toBeFocused: () =>
        retry(async () => is(await locator.evaluate((el) => el === document.activeElement), true, "focus")),
      toHaveCount: (count: number) => retry(async () => is(await locator.count(), count, "count")),
      toHaveValue: (value: string) => retry(async () => is(await locator.inputValue(), value, "value")),
      toContainText: (text: string) =>
        retry(async () => is((await locator.textContent())?.includes(text), true, `text "${text}"`)),
      toHaveAttribute: (name: string, pattern: RegExp) =>
        retry(async () => is(pattern.test((await locator.getAttribute(name)) ?? ""), true, `attribute ${name}`)),
    };
  };
  return { ...assertions(false), not: assertions(true) };
}
