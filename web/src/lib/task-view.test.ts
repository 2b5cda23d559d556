import { describe, expect, it } from "vitest";
import { makeTask } from "../test/fake-server.ts";
import { compareTasks, defaultView, matchesSearch, sortOptions } from "./task-view.ts";

/** The replica is filtered and sorted by the server's rules (worker/src/tasks/task-text.ts), not a copy of them. */
describe("the view's search and order", () => {
  const view = (q: string) => ({ ...defaultView, q });

  it.each([
    ["RENT pay", { title: "Pay rent" }, true],
    ["cafe", { title: "Café au lait" }, true],
    ["CAFÉ", { title: "cafe" }, true],
    ["van rent", { title: "Move", description: "Rent the van" }, true],
    ["errands", { title: "Shop", tags: ["errands"] }, true],
    ["rent car", { title: "Pay rent" }, false],
  ])("matches %j in %j: %s", (q, fields, expected) => {
    expect(matchesSearch(makeTask({ description: "", tags: [], ...fields }), view(q))).toBe(expected);
  });

  it("sorts titles in natural order, letter case and accents aside, ties by id", () => {
    const tasks = ["Item 10", "item 2", "ITEM 1", "Éclair", "eclair", "apple"].map((title, i) =>
      makeTask({ title, id: `00000000-0000-4000-8000-00000000000${i}` }),
    );
    expect(tasks.sort(compareTasks("title")).map((task) => task.title)).toEqual([
      "apple",
      "Éclair",
      "eclair",
      "ITEM 1",
      "item 2",
      "Item 10",
    ]);
  });

  it("offers the title sort as Title (natural order)", () => {
    expect(sortOptions.find((option) => option.value === "title")?.label).toBe("Title (natural order)");
  });
});
