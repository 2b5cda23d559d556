import { describe, expect, it } from "vitest";
import { makeTask } from "../test/fake-server.ts";
import {
  compareTasks,
  defaultView,
  dueFilterOf,
  filtersForView,
  matchesDue,
  matchesNarrowing,
  matchesView,
  searchForView,
  sortOptions,
  type View,
  viewFromSearch,
} from "./task-view.ts";

/** Noon on 1 December 2026 in Berlin, looked at from Berlin (the API's `tz`). */
const zone = "Europe/Berlin";
const now = { now: Date.UTC(2026, 11, 1, 11, 0, 0), zone, personZone: zone };
const pad = (n: number) => String(n).padStart(2, "0");
/** Due on a day of December 2026 at a time there. */
const at = (day: number, hour = 23, minute = 59) => ({
  date: `2026-12-${pad(day)}`,
  time: `${pad(hour)}:${pad(minute)}`,
  timeZone: zone,
});

describe("the view in the URL", () => {
  it("keeps tag, priority and due filters beside status, sort and search", () => {
    const view: View = { ...defaultView, filter: "active", q: "milk", tag: "work", priority: "high", due: "week" };
    const search = searchForView(view);
    expect(search).toBe("?status=active&q=milk&tag=work&priority=high&due=week");
    expect(viewFromSearch(search)).toEqual(view);
  });

  it("normalises a tag like the server stores it, and ignores values the API would refuse", () => {
    expect(viewFromSearch("?tag=%20Work%20&priority=urgent&due=someday")).toEqual({ ...defaultView, tag: "work" });
    expect(viewFromSearch("?tag=%20%20")).toEqual(defaultView);
  });

  it("leaves the plain /tasks plain", () => {
    expect(searchForView(defaultView)).toBe("");
  });
});

describe("the server's filters for a view", () => {
  it("sends every filter the list shows with, and the time zone when a due filter needs a day", () => {
    const view: View = { ...defaultView, tag: "work", priority: "low", due: "today" };
    expect(filtersForView(view, "pending")).toEqual({
      status: "pending",
      tag: "work",
      priority: "low",
      due: "today",
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    expect(filtersForView({ ...defaultView, q: " milk " })).toEqual({ status: "all", q: "milk" });
  });
});

describe("due filters, by the API's rules", () => {
  const overdue = makeTask({ title: "Late", due: at(1, 9) });
  const laterToday = makeTask({ title: "Tonight", due: at(1) });
  const inSixDays = makeTask({ title: "Soon", due: at(7) });
  const inSevenDays = makeTask({ title: "Next week", due: at(8, 0, 0) });
  const yesterday = makeTask({
    title: "Done late",
    due: { date: "2026-11-30", time: null, timeZone: null },
    completed: true,
  });
  const undated = makeTask({ title: "Someday" });

  it("overdue: due before now and not completed", () => {
    expect(matchesDue(overdue, "overdue", now)).toBe(true);
    expect(matchesDue(yesterday, "overdue", now)).toBe(false);
    expect(matchesDue(laterToday, "overdue", now)).toBe(false);
  });

  it("today: within the current day; week: from the start of today to seven days later", () => {
    expect(matchesDue(overdue, "today", now)).toBe(true);
    expect(matchesDue(laterToday, "today", now)).toBe(true);
    expect(matchesDue(inSixDays, "today", now)).toBe(false);
    expect(matchesDue(inSixDays, "week", now)).toBe(true);
    expect(matchesDue(inSevenDays, "week", now)).toBe(false);
    expect(matchesDue(undated, "none", now)).toBe(true);
    expect(matchesDue(laterToday, "none", now)).toBe(false);
  });

  it("maps a task's due label to the filter it belongs to", () => {
    expect(dueFilterOf(overdue, now)).toBe("overdue");
    expect(dueFilterOf(laterToday, now)).toBe("today");
    expect(dueFilterOf(inSixDays, now)).toBe("week");
    expect(dueFilterOf(inSevenDays, now)).toBeNull();
    expect(dueFilterOf(undated, now)).toBeNull();
  });

  it("shows a task in a view only when every filter matches", () => {
    const tagged = makeTask({ title: "Report", tags: ["work"], priority: "high", due: at(3) });
    expect(matchesView(tagged, { ...defaultView, tag: "work", priority: "high", due: "week" }, now)).toBe(true);
    expect(matchesView(tagged, { ...defaultView, tag: "home" }, now)).toBe(false);
    expect(matchesView(tagged, { ...defaultView, priority: "low" }, now)).toBe(false);
    expect(matchesView(tagged, { ...defaultView, due: "today" }, now)).toBe(false);
  });
});

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
    expect(matchesNarrowing(makeTask({ description: "", tags: [], ...fields }), view(q))).toBe(expected);
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
