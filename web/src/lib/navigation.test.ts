import { describe, expect, it } from "vitest";
import { safeNext } from "./navigation.ts";

describe("safeNext", () => {
  it.each([
    ["/tasks", "/tasks"],
    ["/tasks?status=active&q=milk", "/tasks?status=active&q=milk"],
    ["/account#devices", "/account#devices"],
    ["/x/../account", "/account"],
    [`${window.location.origin}/account`, "/account"],
  ])("follows %s on this site as %s", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    // Plainly another host.
    "//evil.example",
    "//evil.example/tasks",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "https:evil.example",
    "http://localhost.evil.example/",
    // Another host only once the URL parser has normalised the path.
    "/.//evil.example",
    "/.//evil.example/tasks?x=1",
    "/x/..//evil.example",
    "/./\\evil.example",
    "/x/../\\evil.example",
    "/%2e//evil.example",
    "/%2E/%2E//evil.example",
    "/x/%2e%2e//evil.example",
    "/.\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    // Not a page at all.
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://[::1",
  ])("refuses %j and falls back to the task list", (next) => {
    const followed = safeNext(next);
    expect(followed).toBe("/tasks");
  });

  it("never returns an address the browser would read as another host", () => {
    const tricky = ["/.//", "/x/..//", "/./\\", "/%2e//", "//", "/\\", "\\/", "/\t/", "/./%2f/"];
    for (const prefix of tricky) {
      const followed = safeNext(`${prefix}evil.example`);
      expect(new URL(followed, window.location.origin).origin).toBe(window.location.origin);
    }
  });

  it("falls back when there is no next address", () => {
    expect(safeNext(null)).toBe("/tasks");
    expect(safeNext("")).toBe("/tasks");
    expect(safeNext(undefined, "/account")).toBe("/account");
  });
});
