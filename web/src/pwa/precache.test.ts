import { describe, expect, it } from "vitest";
import { pageUrl, toServedUrls } from "./precache.ts";

describe("pageUrl", () => {
  it("keys each built page by the URL people visit", () => {
    expect(pageUrl("index.html")).toBe("/");
    expect(pageUrl("tasks.html")).toBe("/tasks");
    expect(pageUrl("404.html")).toBe("/404");
    expect(pageUrl("docs/index.html")).toBe("/docs");
  });

  it("keeps other files at their own path", () => {
    expect(pageUrl("_astro/task-list.CakhvWUC.js")).toBe("/_astro/task-list.CakhvWUC.js");
    expect(pageUrl("manifest.webmanifest")).toBe("/manifest.webmanifest");
  });
});

describe("toServedUrls", () => {
  it("rewrites the URLs of Workbox's manifest and keeps the revisions", () => {
    expect(
      toServedUrls([
        { url: "tasks.html", revision: "abc", size: 1 },
        { url: "icons/icon-192.png", revision: "def", size: 2 },
      ]),
    ).toEqual({
      manifest: [
        { url: "/tasks", revision: "abc", size: 1 },
        { url: "/icons/icon-192.png", revision: "def", size: 2 },
      ],
      warnings: [],
    });
  });
});
