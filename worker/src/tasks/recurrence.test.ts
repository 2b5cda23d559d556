import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { walkedRules } from "../../test/recurrence-rules.ts";
import { addDays, type Due, instantOf } from "./due.ts";
import { nextDue, occurrences, type Recurrence, ruleProblem } from "./recurrence.ts";
import { describeRecurrence } from "./recurrence-text.ts";

/**
 * The recurrence rules (./recurrence.ts): which RRULEs are taken, and that completing one
 * occurrence after another walks exactly the dates rrule itself expands for the rule.
 */

const context = { now: Date.parse("2026-12-01T10:00:00Z"), personZone: "Europe/Berlin" };
const allDay = (date: string): Due => ({ date, time: null, timeZone: null });

/** Completes the task `times` times (from its due) and answers each due it moved to. */
function walk(recurrence: Recurrence, first: Due, times: number): string[] {
  const dates: string[] = [first.date];
  let due: Due | null = first;
  for (let done = 0; done < times && due; done++) {
    due = nextDue(recurrence, due, done, context);
    if (due) dates.push(due.date);
  }
  return dates;
}

describe("the rules the API takes", () => {
  it.each([
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
    "FREQ=MONTHLY",
    "FREQ=MONTHLY;BYMONTHDAY=1",
    "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYMONTHDAY=1,15",
    "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=1",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=YEARLY",
    "FREQ=YEARLY;INTERVAL=2;COUNT=5",
    "FREQ=DAILY;UNTIL=20261231",
    "FREQ=DAILY;UNTIL=20261231T235959Z",
  ])("takes %s", (rule) => {
    expect(ruleProblem(rule)).toBeNull();
  });

  it.each([
    ["", "characters"],
    ["RRULE:FREQ=DAILY", "prefix"],
    ["FREQ=HOURLY", "FREQ"],
    ["FREQ=SECONDLY", "FREQ"],
    ["INTERVAL=2", "FREQ"],
    ["FREQ=DAILY;INTERVAL=0", "INTERVAL"],
    ["FREQ=DAILY;INTERVAL=x", "KEY=VALUE"],
    ["FREQ=DAILY;COUNT=0", "COUNT"],
    ["FREQ=DAILY;COUNT=2;UNTIL=20261231", "both"],
    ["FREQ=DAILY;UNTIL=20260230", "UNTIL"],
    ["FREQ=DAILY;BYHOUR=9", "BYHOUR"],
    ["FREQ=WEEKLY;WKST=SU;BYDAY=MO", "WKST"],
    ["FREQ=YEARLY;BYMONTH=2", "BYMONTH"],
    ["FREQ=DAILY;BYDAY=MO", "DAILY"],
    ["FREQ=WEEKLY;BYDAY=1MO", "weekdays"],
    ["FREQ=WEEKLY;BYDAY=MO,MO", "twice"],
    ["FREQ=WEEKLY;BYMONTHDAY=1", "WEEKLY"],
    ["FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY"],
    ["FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"],
    ["FREQ=MONTHLY;BYDAY=TH", "BYSETPOS"],
    ["FREQ=MONTHLY;BYDAY=TH;BYSETPOS=6", "BYSETPOS"],
    ["FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=MO;BYSETPOS=1", "BYMONTHDAY, or BYDAY"],
    ["FREQ=DAILY;FREQ=WEEKLY", "twice"],
    ["freq=daily", "KEY=VALUE"],
    ["FREQ=DAILY\nRRULE:FREQ=WEEKLY", "KEY=VALUE"],
  ])("refuses %j, saying why", (rule, why) => {
    expect(ruleProblem(rule)).toContain(why);
  });
});

describe("completing one occurrence after another", () => {
  const rules = walkedRules;

  it("walks the dates rrule expands, for every supported rule and any first occurrence", () => {
    const firstDate = fc
      .date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2090-12-31T00:00:00Z"), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
    fc.assert(
      fc.property(fc.constantFrom(...rules), firstDate, (rule, date) => {
        const expected = occurrences(rule, date, 12);
        // A first due that is an occurrence of the rule (rrule's first), as quick add and the editor set it.
        const first = expected[0] as string;
        expect(walk({ rule, from: "due" }, allDay(first), 11)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("moves the 31st to the months that have one, and the last day to every month's last day", () => {
    expect(walk({ rule: "FREQ=MONTHLY", from: "due" }, allDay("2027-01-31"), 3)).toEqual([
      "2027-01-31",
      "2027-03-31",
      "2027-05-31",
      "2027-07-31",
    ]);
    expect(walk({ rule: "FREQ=MONTHLY;BYMONTHDAY=-1", from: "due" }, allDay("2027-01-31"), 3)).toEqual([
      "2027-01-31",
      "2027-02-28",
      "2027-03-31",
      "2027-04-30",
    ]);
  });

  it("keeps a leap day's task on leap days, yearly", () => {
    expect(walk({ rule: "FREQ=YEARLY", from: "due" }, allDay("2028-02-29"), 2)).toEqual([
      "2028-02-29",
      "2032-02-29",
      "2036-02-29",
    ]);
  });

  it("ends after COUNT occurrences, counting those already done", () => {
    const recurrence: Recurrence = { rule: "FREQ=WEEKLY;COUNT=3", from: "due" };
    expect(walk(recurrence, allDay("2026-12-07"), 5)).toEqual(["2026-12-07", "2026-12-14", "2026-12-21"]);
    expect(nextDue(recurrence, allDay("2026-12-21"), 2, context)).toBeNull();
  });

  it("ends with the last occurrence on or before UNTIL", () => {
    const recurrence: Recurrence = { rule: "FREQ=DAILY;UNTIL=20261203", from: "due" };
    expect(walk(recurrence, allDay("2026-12-01"), 5)).toEqual(["2026-12-01", "2026-12-02", "2026-12-03"]);
  });

  it("keeps a timed task's wall-clock time and zone across a DST change (the instant moves by 23 hours)", () => {
    const before: Due = { date: "2027-03-27", time: "09:00", timeZone: "Europe/Berlin" };
    const after = nextDue({ rule: "FREQ=DAILY", from: "due" }, before, 0, context);
    expect(after).toEqual({ date: "2027-03-28", time: "09:00", timeZone: "Europe/Berlin" });
    const hours =
      (instantOf("2027-03-28", "09:00", "Europe/Berlin") - instantOf("2027-03-27", "09:00", "Europe/Berlin")) /
      3_600_000;
    expect(hours).toBe(23);
    // Autumn: 25 hours, same wall clock.
    const autumn = nextDue(
      { rule: "FREQ=WEEKLY", from: "due" },
      { date: "2027-10-30", time: "02:30", timeZone: "America/New_York" },
      0,
      context,
    );
    expect(autumn).toEqual({ date: "2027-11-06", time: "02:30", timeZone: "America/New_York" });
  });

  it("counts from the day of completion in the person's zone when from=completion", () => {
    // 23:30 UTC on 1 December is already 2 December in Berlin.
    const late = { now: Date.parse("2026-12-01T23:30:00Z"), personZone: "Europe/Berlin" };
    const every3 = { rule: "FREQ=DAILY;INTERVAL=3", from: "completion" } as const;
    expect(nextDue(every3, allDay("2026-11-20"), 0, late)?.date).toBe(addDays("2026-12-02", 3));
    expect(nextDue(every3, allDay("2026-11-20"), 0, { ...late, personZone: "UTC" })?.date).toBe("2026-12-04");
    // A timed task counts in its own zone.
    const timed: Due = { date: "2026-11-20", time: "08:00", timeZone: "America/Los_Angeles" };
    expect(nextDue(every3, timed, 0, late)).toEqual({ ...timed, date: "2026-12-04" });
    // A weekday rule: the first Monday after the day of completion (2 December 2026 is a Wednesday).
    expect(nextDue({ rule: "FREQ=WEEKLY;BYDAY=MO", from: "completion" }, allDay("2026-11-02"), 0, late)?.date).toBe(
      "2026-12-07",
    );
  });

  it("ends at once a series that can never match again (the 31st every 12 months from February)", () => {
    expect(
      nextDue({ rule: "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30,31", from: "due" }, allDay("2027-02-01"), 0, context),
    ).toBeNull();
    // The 29th every 12 months from February does come: in the next leap year.
    expect(
      nextDue({ rule: "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=29", from: "due" }, allDay("2026-02-01"), 0, context)?.date,
    ).toBe("2028-02-29");
  });

  it("skips a month without the BYSETPOS-th last day (rrule 2.8.1 would answer the month's first such day)", () => {
    // February 1990 has four Mondays: no 5th last one. April 1990 has five; the 5th last is the 2nd.
    const fifthLastMonday = { rule: "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-5", from: "due" } as const;
    expect(nextDue(fifthLastMonday, allDay("1990-01-01"), 0, context)?.date).toBe("1990-04-02");
    // Every February only: the next with five Mondays is 2016's (Monday the 1st).
    const everyFebruary = { rule: "FREQ=MONTHLY;INTERVAL=12;BYDAY=MO;BYSETPOS=-5", from: "due" } as const;
    expect(nextDue(everyFebruary, allDay("2005-02-10"), 0, context)?.date).toBe("2016-02-01");
    // The 5th Monday from the start is unaffected: a month without one has none.
    expect(
      nextDue({ ...fifthLastMonday, rule: "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5" }, allDay("1990-01-01"), 0, context)?.date,
    ).toBe("1990-01-29");
  });

  it("ends a series whose next date would be past the year 9999", () => {
    expect(nextDue({ rule: "FREQ=YEARLY", from: "due" }, allDay("9999-06-01"), 0, context)).toBeNull();
  });
});

describe("labels", () => {
  it.each([
    ["FREQ=DAILY", "due", "Repeats every day"],
    ["FREQ=DAILY;INTERVAL=3", "completion", "Repeats every 3 days after completion"],
    ["FREQ=WEEKLY;BYDAY=MO", "due", "Repeats every week on Monday"],
    ["FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "due", "Repeats every 2 weeks on Monday and Thursday"],
    ["FREQ=MONTHLY;BYMONTHDAY=1", "due", "Repeats every month on the 1st"],
    ["FREQ=MONTHLY;BYMONTHDAY=-1", "due", "Repeats every month on the last day"],
    ["FREQ=MONTHLY;BYDAY=TH;BYSETPOS=1", "due", "Repeats every month on the first Thursday"],
    ["FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1", "due", "Repeats every month on the last Friday"],
    ["FREQ=YEARLY;COUNT=3", "due", "Repeats every year, 3 times"],
    ["FREQ=MONTHLY;BYMONTHDAY=12,22,-2", "due", "Repeats every month on the 12th, 22nd and 2nd last day"],
    [
      "FREQ=MONTHLY;INTERVAL=2;BYDAY=MO,FR;BYSETPOS=-2",
      "due",
      "Repeats every 2 months on the 2nd last Monday and Friday",
    ],
    ["FREQ=DAILY;COUNT=1", "completion", "Repeats every day, 1 time after completion"],
    ["FREQ=WEEKLY;UNTIL=20261231", "due", "Repeats every week until 2026-12-31"],
  ] as const)("says %s in English", (rule, from, text) => {
    expect(describeRecurrence({ rule, from })).toBe(text);
  });
});
