import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  type Due,
  type DueContext,
  dateIn,
  isOverdue as isDueOverdue,
  isDueToday,
  isDueWithin,
} from "../../../worker/src/tasks/due.ts";
import type { Task } from "./api-client.ts";
import { defaultView, dueFromInputs, dueInputs, formatDue, isOverdue, matchesView, upcomingDays } from "./task-view.ts";

/**
 * The list's labels and views follow the due rules the API's filters follow
 * (worker/src/tasks/due.ts): the same module, read here with a fixed "now" and zone.
 */
const zones = [
  "UTC",
  "America/Los_Angeles",
  "America/New_York",
  "America/Santiago",
  "Europe/Berlin",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "Pacific/Auckland",
  "Pacific/Kiritimati",
  "Pacific/Pago_Pago",
] as const;
const zone = fc.constantFrom(...zones);
/** "Now" anywhere in 2026–2027, DST changes included. */
const now = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) });
const pad = (n: number) => String(n).padStart(2, "0");

function task(due: Due | null, completed = false): Task {
  return {
    id: "5b0c7c1e-4d8e-4f7a-9a53-2f1f0b6f2d4e",
    userId: "u",
    list: "",
    position: "a0",
    title: "A task",
    description: "",
    completed,
    completedAt: completed ? "2026-01-01T00:00:00.000Z" : null,
    priority: "none",
    due,
    reminders: [],
    recurrence: null,
    completions: [],
    tags: [],
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    version: 1,
  };
}

/** A due near `now`: all day within ±20 days of today there, or timed within ±20 days in some zone or none. */
const dueNear = (at: number) =>
  fc.oneof(
    fc
      .integer({ min: -20, max: 20 })
      .map((days): Due => ({ date: addDays(dateIn(at, "UTC"), days), time: null, timeZone: null })),
    fc
      .tuple(
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.option(zone),
      )
      .map(
        ([days, h, m, own]): Due => ({
          date: addDays(dateIn(at, "UTC"), days),
          time: `${pad(h)}:${pad(m)}`,
          timeZone: own,
        }),
      ),
  );
const scene = now.chain((at) =>
  fc
    .record({ due: dueNear(at), zone, personZone: zone, completed: fc.boolean() })
    .map((rest) => ({ ...rest, now: at })),
);

describe("due labels and views", () => {
  it("show an all-day date as the same day in every zone, and save it back unchanged", () => {
    fc.assert(
      fc.property(fc.integer({ min: -3000, max: 3000 }), zone, zone, now, (days, viewer, person, at) => {
        const date = addDays("2026-12-05", days);
        const due: Due = { date, time: null, timeZone: null };
        const context: DueContext = { now: at, zone: viewer, personZone: person };
        expect(dueInputs(due, context)).toEqual({ due: date, dueTime: "" });
        expect(dueFromInputs({ due: date, dueTime: "" }, null, context)).toEqual(due);
        expect(dueFromInputs(dueInputs(due, context), due, context)).toBe(due);
      }),
    );
  });

  it("save a timed task's fields, when untouched, as the very same due (its zone kept)", () => {
    fc.assert(
      fc.property(scene, ({ due, ...context }) => {
        expect(dueFromInputs(dueInputs(due, context), due, context)).toBe(due);
      }),
    );
  });

  it("agree with the rules: overdue (with the words), Today and Upcoming", () => {
    fc.assert(
      fc.property(scene, ({ due, completed, ...context }) => {
        const t = task(due, completed);
        expect(isOverdue(t, context)).toBe(!completed && isDueOverdue(due, context));
        const today = !completed && (isDueOverdue(due, context) || isDueToday(due, context));
        expect(matchesView(t, { ...defaultView, filter: "today" }, context)).toBe(today);
        const upcoming = !completed && isDueWithin(due, upcomingDays, context);
        expect(matchesView(t, { ...defaultView, filter: "upcoming" }, context)).toBe(upcoming);
      }),
    );
  });

  it("say Today, Tomorrow, a weekday within a week, else a date — by the day where the viewer is", () => {
    const context: DueContext = {
      now: Date.parse("2026-12-01T10:00:00Z"),
      zone: "Europe/Berlin",
      personZone: "Europe/Berlin",
    };
    const day = (date: string) => formatDue({ date, time: null, timeZone: null }, context);
    expect(day("2026-12-01")).toBe("Today");
    expect(day("2026-12-02")).toBe("Tomorrow");
    expect(day("2026-12-04")).toBe(
      new Date(Date.UTC(2026, 11, 4)).toLocaleDateString(undefined, { timeZone: "UTC", weekday: "long" }),
    );
    expect(day("2026-12-08")).not.toMatch(/day$/);
    expect(day("2027-01-05")).toContain("2027");
    // 23:30 in Los Angeles on 1 December is 2 December in Berlin: "Tomorrow" there, with Berlin's time.
    const timed = formatDue({ date: "2026-12-01", time: "23:30", timeZone: "America/Los_Angeles" }, context);
    expect(timed.startsWith("Tomorrow, ")).toBe(true);
    expect(timed).toContain(
      new Date(Date.parse("2026-12-02T07:30:00Z")).toLocaleTimeString(undefined, {
        timeZone: "Europe/Berlin",
        hour: "numeric",
        minute: "2-digit",
      }),
    );
  });
});
