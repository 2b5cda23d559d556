/**
 * Recurring tasks: which RRULEs the API takes, and where a completed occurrence moves `due` —
 * the one place these rules are written (docs/tasks-api.md "Recurring tasks",
 * docs/decisions/024-recurring-tasks.md). Free of drizzle and zod like ./due.ts, so the web
 * app imports it for its labels and its replica.
 *
 * The rule runs on calendar days: rrule expands it in UTC over midnights that stand for dates,
 * and a timed `due` keeps its wall-clock time and zone on the new date (09:00 in Berlin stays
 * 09:00 across a DST change; Postgres computes the instant, as for any due).
 */
import { type Options, RRule } from "rrule";
import { type Due, dateIn, isCalendarDate } from "./due.ts";

export interface Recurrence {
  /** An RFC 5545 RRULE without the `RRULE:` prefix, in the subset {@link ruleProblem} accepts. */
  rule: string;
  /** Whether the next occurrence counts from the due date or from the day of completion. */
  from: "due" | "completion";
}

/** One recorded completion of a recurring task: when, and the due date it had then. */
export interface Completion {
  at: string;
  due: Due;
}

/** How many completions a task keeps (newest first); older ones are dropped. */
export const completionsKept = 20;

const frequencies = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"] as const;
const weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const maxRuleLength = 200;

/**
 * Why a rule is outside the subset the API stores, or null when it is inside:
 * FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, COUNT or UNTIL (not both); WEEKLY may name
 * BYDAY (plain weekdays); MONTHLY takes BYMONTHDAY (±1–31), or BYDAY with BYSETPOS (±1–5)
 * picking one of those days of the month. Nothing else (no BYHOUR, BYMONTH, WKST, DTSTART…):
 * each of those would need its own rules for what "the next occurrence" is.
 */
export function ruleProblem(rule: string): string | null {
  if (rule.length === 0 || rule.length > maxRuleLength)
    return `The rule must be an RRULE of 1 to ${maxRuleLength} characters`;
  if (/^RRULE:/i.test(rule)) return "Write the rule without the RRULE: prefix, e.g. FREQ=WEEKLY;BYDAY=MO";
  const parts = new Map<string, string>();
  for (const part of rule.split(";")) {
    const match = /^([A-Z]+)=([A-Z0-9,+-]+)$/.exec(part);
    if (!match) return `"${part}" is not a KEY=VALUE part of an RRULE`;
    const [, key, value] = match as unknown as [string, string, string];
    if (parts.has(key)) return `${key} is given twice`;
    parts.set(key, value);
  }
  const freq = parts.get("FREQ");
  if (!freq || !(frequencies as readonly string[]).includes(freq))
    return "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY";
  for (const key of parts.keys()) {
    if (!["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYSETPOS"].includes(key))
      return `${key} is not supported; the rule may use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY and BYSETPOS`;
  }
  const interval = parts.get("INTERVAL");
  if (interval !== undefined && !wholeIn(interval, 1, 999)) return "INTERVAL must be a whole number from 1 to 999";
  const count = parts.get("COUNT");
  if (count !== undefined && !wholeIn(count, 1, 9999)) return "COUNT must be a whole number from 1 to 9999";
  const until = parts.get("UNTIL");
  if (until !== undefined && untilDate(until) === null)
    return "UNTIL must be a date YYYYMMDD or a UTC time YYYYMMDDTHHMMSSZ";
  if (count !== undefined && until !== undefined) return "COUNT and UNTIL cannot both be given";
  const byDay = parts.get("BYDAY");
  const byMonthDay = parts.get("BYMONTHDAY");
  const bySetPos = parts.get("BYSETPOS");
  if (byDay !== undefined) {
    const days = byDay.split(",");
    if (!days.every((day) => weekdays.includes(day))) return "BYDAY must list weekdays such as MO,TH";
    if (new Set(days).size !== days.length) return "BYDAY names a weekday twice";
  }
  if (freq === "DAILY" || freq === "YEARLY") {
    if (byDay ?? byMonthDay ?? bySetPos) return `FREQ=${freq} takes only INTERVAL, COUNT and UNTIL`;
  }
  if (freq === "WEEKLY" && (byMonthDay ?? bySetPos)) return "FREQ=WEEKLY takes BYDAY, not BYMONTHDAY or BYSETPOS";
  if (freq === "MONTHLY") {
    if (byMonthDay !== undefined && (byDay ?? bySetPos)) return "FREQ=MONTHLY takes BYMONTHDAY, or BYDAY with BYSETPOS";
    if (byMonthDay !== undefined && !byMonthDay.split(",").every((day) => monthDay(day)))
      return "BYMONTHDAY must list days from 1 to 31 or -31 to -1";
    if ((byDay === undefined) !== (bySetPos === undefined))
      return "FREQ=MONTHLY with BYDAY needs BYSETPOS (e.g. BYDAY=TH;BYSETPOS=1, the first Thursday)";
    if (bySetPos !== undefined && !/^-?[1-5]$/.test(bySetPos)) return "BYSETPOS must be one of 1 to 5 or -1 to -5";
  }
  try {
    RRule.parseString(rule);
  } catch {
    return "The rule cannot be read as an RRULE";
  }
  return null;
}

function wholeIn(value: string, min: number, max: number): boolean {
  return /^\d{1,4}$/.test(value) && Number(value) >= min && Number(value) <= max;
}

function monthDay(value: string): boolean {
  return /^-?\d{1,2}$/.test(value) && Math.abs(Number(value)) >= 1 && Math.abs(Number(value)) <= 31;
}

/** The calendar date of an UNTIL value (a date, or a UTC time whose date it is), or null. */
function untilDate(value: string): string | null {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T([01]\d|2[0-3])[0-5]\d[0-5]\dZ)?$/.exec(value);
  if (!match) return null;
  const date = `${match[1]}-${match[2]}-${match[3]}`;
  return isCalendarDate(date) ? date : null;
}

/** What a completion needs besides the task: when it happened and the person's zone. */
export interface CompletionContext {
  /** The completion instant, milliseconds since the epoch. */
  now: number;
  /** The person's zone (an all-day task's "today" for `from: "completion"`). */
  personZone: string;
}

/**
 * Where completing the current occurrence moves the task: the next occurrence's `due`, or
 * null when this was the last (COUNT occurrences done, or none left on or before UNTIL).
 *
 * - `from: "due"`: the rule's first date after the current due date, the rule starting there;
 * - `from: "completion"`: its first date after the day of completion (in the due's zone for a
 *   timed task, else the person's), the rule starting that day ("every 3 days" → 3 days after).
 *
 * `done` is how many occurrences were completed before this one (COUNT counts them).
 */
export function nextDue(recurrence: Recurrence, due: Due, done: number, context: CompletionContext): Due | null {
  const options = RRule.parseString(recurrence.rule);
  if (options.count != null && done + 1 >= options.count) return null;
  const start =
    recurrence.from === "due"
      ? due.date
      : dateIn(context.now, due.time === null ? context.personZone : (due.timeZone ?? context.personZone));
  const dtstart = utcMidnight(start);
  const rule = new RRule({ ...options, count: null, dtstart });
  if (neverAgain(options, dtstart)) return null;
  const next = fromTheEnd(options) ? firstReal(rule, dtstart, options) : rule.after(dtstart, false);
  if (!next) return null;
  const date = isoDate(next);
  if (!isCalendarDate(date)) return null;
  return { ...due, date };
}

/** The occurrences of a rule from a first date on (at most `limit`), as dates: what rrule itself expands. */
export function occurrences(rule: string, first: string, limit: number): string[] {
  const dtstart = utcMidnight(first);
  return new RRule({ ...RRule.parseString(rule), dtstart })
    .all((_, i) => i < limit)
    .map(isoDate)
    .filter((date) => isCalendarDate(date));
}

const longestMonths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether the rule can never match again: a monthly rule whose INTERVAL is a whole number of
 * years visits one month only, and when that month has none of its BYMONTHDAYs (the 31st every
 * 12 months from February), rrule would walk every year to 9999 looking (~0.3 s of CPU). Every
 * other rule of the subset matches again within a few periods.
 */
function neverAgain(options: Partial<Options>, dtstart: Date): boolean {
  if (options.freq !== RRule.MONTHLY || (options.interval ?? 1) % 12 !== 0 || options.bymonthday == null) return false;
  const longest = longestMonths[dtstart.getUTCMonth()] ?? 31;
  return ![options.bymonthday].flat().some((day) => Math.abs(day) <= longest);
}

/** A BYSETPOS counted from the month's end (-1 to -5), or null. */
function fromTheEnd(options: Partial<Options>): number | null {
  const position = [options.bysetpos ?? []].flat()[0];
  return position !== undefined && position < 0 ? position : null;
}

/**
 * The first occurrence after `dtstart` for a BYSETPOS counted from the end. rrule 2.8.1 answers
 * the -5th Monday of a month with four with the month's first Monday (iter/poslist.js takes
 * `tmp.slice(-5)[0]`); RFC 5545 says that month has none. Such answers are passed over: a real
 * one has exactly -BYSETPOS of the BYDAY weekdays from it to the month's end.
 */
function firstReal(rule: RRule, dtstart: Date, options: Partial<Options>): Date | null {
  const wanted = -(fromTheEnd(options) ?? -1);
  const days = new Set(
    [options.byweekday ?? []]
      .flat()
      .map((day) => (typeof day === "number" ? day : typeof day === "string" ? weekdays.indexOf(day) : day.weekday)),
  );
  let found: Date | null = null;
  rule.all((date) => {
    if (date > dtstart && daysToMonthEnd(date, days) === wanted) found = date;
    return found === null;
  });
  return found;
}

/** How many days from `date` to the end of its month (both included) fall on these weekdays (0 = Monday). */
function daysToMonthEnd(date: Date, weekdays: Set<number>): number {
  let count = 0;
  for (const day = new Date(date); day.getUTCMonth() === date.getUTCMonth(); day.setUTCDate(day.getUTCDate() + 1)) {
    if (weekdays.has((day.getUTCDay() + 6) % 7)) count++;
  }
  return count;
}

/** The date's midnight in UTC: how rrule is given a calendar day. */
function utcMidnight(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

function isoDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}
