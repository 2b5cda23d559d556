import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appManifest, pngIcons, themeColors } from "./app-manifest.ts";

describe("the web app manifest", () => {
  it("has what an installable app needs: names, start URL, standalone display, colours", () => {
    expect(appManifest).toMatchObject({
      name: expect.any(String),
      short_name: "Brisk",
      start_url: "/tasks",
      display: "standalone",
      background_color: themeColors.light,
      theme_color: themeColors.light,
    });
  });

  it("offers an SVG icon and PNG icons of 192 and 512 px, plain and maskable", () => {
    expect(appManifest.icons.map((icon) => `${icon.type} ${icon.sizes} ${icon.purpose}`)).toEqual([
      "image/svg+xml any any",
      "image/png 192x192 any",
      "image/png 192x192 maskable",
      "image/png 512x512 any",
      "image/png 512x512 maskable",
    ]);
    expect(new Set(pngIcons.map((icon) => icon.src)).size).toBe(pngIcons.length);
  });

  it("uses the page background of each theme (--bg in global.css) for the window", () => {
    const css = readFileSync(join(import.meta.dirname, "..", "styles", "global.css"), "utf8");
    expect(css).toContain(`--bg: light-dark(${themeColors.light}, ${themeColors.dark});`);
  });
});
