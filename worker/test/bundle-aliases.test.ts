import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import * as zod from "zod";
import { memoryAdapter } from "../aliases/memory-adapter.ts";
import * as socialProviders from "../aliases/social-providers.ts";
import { createTelemetry } from "../aliases/telemetry.ts";

/**
 * wrangler.jsonc's `alias` replaces modules the Worker's dependencies import but
 * Brisk never runs (worker/aliases). vitest.config.ts applies the same table, so the
 * whole suite runs what ships — which is how it shows nothing Brisk does reaches them.
 */
describe("the bundle's module stand-ins", () => {
  it("are exactly the ones this file checks (a new stand-in comes with its test)", () => {
    expect(env.TEST_BUNDLE_ALIASES.split(",").sort()).toEqual(
      ["@better-auth/core/social-providers", "@better-auth/memory-adapter", "@better-auth/telemetry"].sort(),
    );
  });

  it("zod (patches/zod@4.6.7.patch, not a stand-in): its API without the translations of its messages", () => {
    // @hono/zod-openapi hands the `z` namespace to a function, so the bundler keeps every export it has:
    // with `locales` among them, 64 translations (~39 KB gzip) would ship. The patch removes that export.
    expect(Object.keys(zod)).not.toContain("locales");
    expect(Object.keys(zod.z)).not.toContain("locales");
    expect(Object.keys(zod.core)).not.toContain("locales");
    expect(Object.keys(zod)).toEqual(expect.arrayContaining(["z", "string", "object", "core", "iso", "coerce"]));
    expect(zod.z.string().safeParse(1).error?.issues[0]?.message).toBe(
      "Invalid input: expected string, received number",
    );
  });

  it("in-memory database: refuses, so a Worker without a database fails loudly", () => {
    expect(() => memoryAdapter()).toThrow(/always configures a database/);
  });

  it("telemetry: publishes nothing", async () => {
    const { publish } = await createTelemetry();
    await expect(publish()).resolves.toBeUndefined();
  });

  it("social sign-in: no providers", () => {
    expect(socialProviders.socialProviders).toEqual({});
    expect(socialProviders.socialProviderList).toEqual([]);
  });
});
