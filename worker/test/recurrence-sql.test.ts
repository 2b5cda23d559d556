import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Due } from "../src/tasks/due.ts";
import { nextDue, ruleProblem } from "../src/tasks/recurrence.ts";
import { walkedRules } from "./recurrence-rules.ts";
import { sql } from "./stand-in-control.ts";

/**
 * Postgres computes a completed occurrence's next date itself (`brisk_next_due`, migration
 * 0014_recurrence-in-sql), so a complete is one statement (docs/decisions/024-recurring-tasks.md).
 * `nextDue` (src/tasks/recurrence.ts, on rrule) stays the reference: these tests hold the two
 * equal over random rules of the whole subset the API takes, random dates and completion counts.
 */

interface Case {
  rule: string;
  start: string;
  done: number;
}

const context = { now: Date.parse("2026-12-01T10:00:00Z"), personZone: "UTC" };
const allDay = (date: string): Due => ({ date, time: null, timeZone: null });

/** What nextDue answers for a rule counted from `start` (from: "due"; from: "completion" only picks another start). */
const expected = ({ rule, start, done }: Case) =>
  nextDue({ rule, from: "due" }, allDay(start), done, context)?.date ?? null;

/** What Postgres answers, for many cases in one statement. */
async function computed(cases: Case[]): Promise<(string | null)[]> {
  const rows = await sql<{ next: string | null }>(
    `select to_char(brisk_next_due(c.rule, c.start::date, c.done), 'YYYY-MM-DD') as next
     from unnest($1::text[], $2::text[], $3::integer[]) with ordinality as c(rule, start, done, n) order by n`,
    [cases.map((c) => c.rule), cases.map((c) => c.start), cases.map((c) => c.done)],
  );
  return rows.map((row) => row.next);
}

async function expectEqual(cases: Case[]) {
  const answers = await computed(cases);
  const differences = cases
    .map((c, i) => ({ ...c, sql: answers[i], code: expected(c) }))
    .filter((c) => c.sql !== c.code);
  expect(differences).toEqual([]);
}

const weekday = fc.constantFrom("MO", "TU", "WE", "TH", "FR", "SA", "SU");
const weekdays = fc.uniqueArray(weekday, { minLength: 1, maxLength: 7 }).map((days) => days.join(","));
const monthDay = fc.oneof(
  fc.constantFrom(1, 28, 29, 30, 31, -1, -2, -28, -29, -30, -31),
  fc.integer({ min: 1, max: 31 }),
  fc.integer({ min: -31, max: -1 }),
);
const monthDays = fc.uniqueArray(monthDay, { minLength: 1, maxLength: 4 }).map((days) => days.join(","));
const interval = fc.oneof(fc.integer({ min: 1, max: 30 }), fc.constantFrom(12, 24, 36, 48, 100, 999));
const date = (min: string, max: string) =>
  fc
    .date({ min: new Date(`${min}T00:00:00Z`), max: new Date(`${max}T00:00:00Z`), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
const until = fc.oneof(
  date("1990-01-01", "2110-12-31").map((d) => d.replaceAll("-", "")),
  date("1990-01-01", "2110-12-31").map((d) => `${d.replaceAll("-", "")}T235959Z`),
  fc.constantFrom("99991231", "20280229T000000Z"),
);

/** A rule of the subset: every FREQ with the parts it takes, INTERVAL, and COUNT or UNTIL (or neither). */
const rule = fc
  .record({
    freq: fc.constantFrom("DAILY", "WEEKLY", "MONTHLY", "YEARLY"),
    interval: fc.option(interval),
    byDay: weekdays,
    monthly: fc.constantFrom("BYMONTHDAY", "BYSETPOS", "plain"),
    weekly: fc.boolean(),
    monthDays,
    setPos: fc.constantFrom(1, 2, 3, 4, 5, -1, -2, -3, -4, -5),
    end: fc.oneof(
      fc.constant(null),
      fc.integer({ min: 1, max: 12 }).map((count) => `COUNT=${count}`),
      until.map((value) => `UNTIL=${value}`),
    ),
  })
  .map(({ freq, interval, byDay, monthly, weekly, monthDays, setPos, end }) => {
    const parts = [`FREQ=${freq}`];
    if (interval !== null) parts.push(`INTERVAL=${interval}`);
    if (freq === "WEEKLY" && weekly) parts.push(`BYDAY=${byDay}`);
    if (freq === "MONTHLY" && monthly === "BYMONTHDAY") parts.push(`BYMONTHDAY=${monthDays}`);
    if (freq === "MONTHLY" && monthly === "BYSETPOS") parts.push(`BYDAY=${byDay}`, `BYSETPOS=${setPos}`);
    if (end) parts.push(end);
    return parts.join(";");
  });

/** Due dates anywhere, and the ones calendars get wrong: leap days, 31sts, month and year ends, the year 9999. */
const start = fc.oneof(
  date("1990-01-01", "2100-12-31"),
  fc.constantFrom(
    "2024-02-29",
    "2028-02-29",
    "2100-02-28",
    "2000-02-29",
    "2026-01-31",
    "2026-03-31",
    "2026-08-31",
    "2026-12-31",
    "2027-12-31",
    "2026-02-28",
    "2026-04-30",
    "9999-12-01",
    "9999-06-30",
    "9998-12-31",
  ),
);

const aCase = fc.record({ rule, start, done: fc.integer({ min: 0, max: 13 }) });

describe("brisk_next_due equals nextDue", () => {
  it("generates only rules the API takes", () => {
    fc.assert(fc.property(rule, (r) => ruleProblem(r) === null));
  });

  it("for random rules of the subset, due dates and completion counts (many cases per statement)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(aCase, { minLength: 200, maxLength: 300 }), (cases) => expectEqual(cases)),
      { numRuns: 10 },
    );
  });

  it("for every rule the recurrence tests walk, from every day of two years (a leap year among them)", async () => {
    const rules = walkedRules;
    const days: string[] = [];
    for (let day = Date.parse("2027-01-01T00:00:00Z"); day < Date.parse("2029-01-01T00:00:00Z"); day += 86_400_000)
      days.push(new Date(day).toISOString().slice(0, 10));
    for (const r of rules) await expectEqual(days.map((d) => ({ rule: r, start: d, done: 0 })));
  });

  it.each([
    // The recurrence tests' fixed cases (src/tasks/recurrence.test.ts).
    ["FREQ=MONTHLY", "2027-01-31", 0, "2027-03-31"],
    ["FREQ=MONTHLY;BYMONTHDAY=-1", "2027-01-31", 0, "2027-02-28"],
    ["FREQ=YEARLY", "2028-02-29", 0, "2032-02-29"],
    ["FREQ=WEEKLY;COUNT=3", "2026-12-14", 1, "2026-12-21"],
    ["FREQ=WEEKLY;COUNT=3", "2026-12-21", 2, null],
    ["FREQ=DAILY;UNTIL=20261203", "2026-12-02", 0, "2026-12-03"],
    ["FREQ=DAILY;UNTIL=20261203", "2026-12-03", 0, null],
    ["FREQ=DAILY;UNTIL=20261203T000000Z", "2026-12-02", 0, "2026-12-03"],
    ["FREQ=WEEKLY;BYDAY=MO", "2026-12-02", 0, "2026-12-07"],
    ["FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30,31", "2027-02-01", 0, null],
    ["FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=29", "2026-02-01", 0, "2028-02-29"],
    ["FREQ=YEARLY", "9999-06-01", 0, null],
    // Never again, found by walking to the year 9999 (the 29th of February every 4 years from a common year).
    ["FREQ=MONTHLY;INTERVAL=48;BYMONTHDAY=29", "2025-02-01", 0, null],
    ["FREQ=YEARLY;INTERVAL=4", "2096-02-29", 0, "2104-02-29"],
  ] as const)("%s from %s after %i completions → %s", async (r, s, done, next) => {
    expect(expected({ rule: r, start: s, done })).toBe(next);
    expect(await computed([{ rule: r, start: s, done }])).toEqual([next]);
  });
});
