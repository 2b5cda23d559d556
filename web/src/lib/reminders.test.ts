import { describe, expect, it } from "vitest";
import type { Task } from "./api-client.ts";
import { anyReminders, keepableReminders, upcomingReminders } from "./reminders.ts";

const now = Date.parse("2026-12-01T12:00:00.000Z");

function task(fields: Partial<Task>): Task {
  return {
    id: crypto.randomUUID(),
    userId: "u",
    title: "A task",
    description: "",
    completed: false,
    completedAt: null,
    priority: "none",
    due: { date: "2026-12-01", time: "14:00", timeZone: "UTC" },
    reminders: [],
    tags: [],
    list: "00000000-0000-4000-8000-000000000000",
    position: "a0",
    recurrence: null,
    completions: [],
    createdAt: "2026-12-01T10:00:00.000Z",
    updatedAt: "2026-12-01T10:00:00.000Z",
    version: 1,
    ...fields,
  };
}

describe("the open app's reminders", () => {
  it("lists the reminders still to come, earliest first, by the server's rules", () => {
    const first = task({ title: "First", reminders: [{ before: "PT1H" }, { before: "P1D" }] });
    const second = task({ title: "Second", reminders: [{ at: "2026-12-01T12:30:00.000Z" }] });
    const upcoming = upcomingReminders([first, second], now, "UTC");
    expect(upcoming.map((one) => [one.title, new Date(one.at).toISOString()])).toEqual([
      ["Second", "2026-12-01T12:30:00.000Z"],
      ["First", "2026-12-01T13:00:00.000Z"],
    ]);
  });

  it("leaves out completed tasks and reminders set after their time had passed", () => {
    const done = task({ completed: true, completedAt: "2026-12-01T11:00:00.000Z", reminders: [{ before: "PT1H" }] });
    const late = task({ updatedAt: "2026-12-01T13:30:00.000Z", reminders: [{ before: "PT1H" }] });
    expect(upcomingReminders([done, late], now, "UTC")).toEqual([]);
    expect(anyReminders([done])).toBe(false);
    expect(anyReminders([late])).toBe(true);
  });

  it("a due without a time keeps only `at` reminders", () => {
    expect(keepableReminders([{ before: "PT15M" }, { at: "2026-12-01T12:30:00.000Z" }], false)).toEqual([
      { at: "2026-12-01T12:30:00.000Z" },
    ]);
    expect(keepableReminders([{ before: "PT15M" }], true)).toEqual([{ before: "PT15M" }]);
  });
});
