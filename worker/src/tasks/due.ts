/**
 * When a task is due, and the rules that follow from it — the one place they are written
 * (docs/tasks-api.md "The due model", docs/decisions/020-dates-that-never-shift.md).
 * Free of drizzle and zod: the Worker's schemas and SQL follow these rules, and the web
 * app imports this module for its labels, views and order, so both read a task alike.
 *
 * `due` is `null` or `{date, time, timeZone}`:
 * - a date without a time is a calendar day, the same day in every zone (all-day);
 * - with a time it is that wall-clock time in `timeZone` (the person's zone when null): one instant.
 *
 * Rules, for a viewer in zone `zone` at instant `now` (their "today" is `now`'s date there):
 * - overdue: an all-day task once its day has ended there; a timed one once its instant has passed;
 * - today / within n days: all-day tasks compare calendar dates there, timed ones instants
 *   against the start of those days there;
 * - order (`sort=due`): by instant, an all-day task at the START of its day there (before the
 *   day's timed tasks), tasks without a due date last, ties by id.
 */

export interface Due {
  /** `YYYY-MM-DD`, a real date in the years 1000–9999. */
  date: string;
  /** `HH:MM`, 00:00–23:59, or null for an all-day task. */
  time: string | null;
  /** The IANA zone of `time`; null means the person's zone. Only with a time. */
  timeZone: string | null;
}

/** What the rules need to know besides the task: when and where the viewer is, and the person's own zone. */
export interface DueContext {
  /** Now, in milliseconds since the epoch. */
  now: number;
  /** The viewer's zone: `tz`, else the person's. */
  zone: string;
  /** The person's zone, which a timed `due` with a null `timeZone` is in. */
  personZone: string;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A real calendar date as `YYYY-MM-DD` in the years 1000–9999 (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = datePattern.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/** A wall-clock time as `HH:MM`, 00:00–23:59. */
export function isWallTime(value: string): boolean {
  return timePattern.test(value);
}

/**
 * An IANA zone name the runtime knows: `UTC` or `GMT` (any case), or an `Area/Location` name. Offsets (`+05:30`)
 * and POSIX forms (`UTC+5`) are refused: the runtime reads them one way, Postgres the
 * opposite way. So are names without a `/` (`IST`, `CET`, `EST5EDT`): Postgres reads its own
 * abbreviation table first, where `IST` is Israel's and `CET` has no summer time, while the
 * runtime reads IANA's (India's, and with summer time). A name the runtime
 * knows and Postgres does not (`US/Pacific-New`) is refused by the statement (22023),
 * which the routes answer as a 4xx too — no extra round trip to ask Postgres first.
 */
export function isZoneName(value: string): boolean {
  const universal = /^(UTC|GMT)$/i.test(value);
  if (!universal && !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/* ---------- dates and zones ---------- */

const dayMs = 86_400_000;

/** Midnight UTC of a `YYYY-MM-DD` date (plus a wall time), as if the wall clock were UTC. */
function wallAsUtc(date: string, time = "00:00"): number {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, 0, 0);
  return utc.getTime();
}

function isoDateOfUtc(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The date `days` days after `date` (before it, when negative). */
export function addDays(date: string, days: number): string {
  return isoDateOfUtc(wallAsUtc(date) + days * dayMs);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall clock in `zone` at an instant, read as if it were UTC (milliseconds). */
function wallClockAt(instant: number, zone: string): number {
  const parts: Record<string, string> = {};
  for (const part of partsFormatter(zone).formatToParts(new Date(instant))) parts[part.type] = part.value;
  const year = parts.era === "BC" ? 1 - Number(parts.year) : Number(parts.year);
  const utc = new Date(0);
  utc.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  utc.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return utc.getTime();
}

/** The zone's offset from UTC at an instant, in milliseconds (whole seconds). */
function offsetAt(instant: number, zone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallClockAt(whole, zone) - whole;
}

/** The calendar date in `zone` at an instant. */
export function dateIn(instant: number, zone: string): string {
  return isoDateOfUtc(wallClockAt(instant, zone));
}

/**
 * The instant of a wall-clock time in a zone, as Postgres reads `timestamp AT TIME ZONE`:
 * a time skipped by a spring-forward change is read with the offset from before it
 * (02:30 in New York on its spring day is 03:30 daylight time), a time that happens twice
 * when the clocks fall back is the later one.
 */
export function instantOf(date: string, time: string, zone: string): number {
  const wall = wallAsUtc(date, time);
  const before = offsetAt(wall - dayMs, zone);
  const after = offsetAt(wall + dayMs, zone);
  const candidates = [...new Set([after, offsetAt(wall, zone), before])]
    .map((offset) => wall - offset)
    .filter((instant) => offsetAt(instant, zone) === wall - instant);
  if (candidates.length === 0) return wall - before;
  return Math.max(...candidates);
}

/** The zone a timed `due` is in. */
export function zoneOf(due: Due, personZone: string): string {
  return due.timeZone ?? personZone;
}

/** The instant of a timed `due`; null for an all-day one. */
export function dueInstant(due: Due, personZone: string): number | null {
  return due.time === null ? null : instantOf(due.date, due.time, zoneOf(due, personZone));
}

/** The viewer's today. */
export function todayIn(context: Pick<DueContext, "now" | "zone">): string {
  return dateIn(context.now, context.zone);
}

/** The calendar day a task is due on, where the viewer is: an all-day task's own date, a timed one's date there. */
export function dueDayIn(due: Due, context: Pick<DueContext, "zone" | "personZone">): string {
  const instant = dueInstant(due, context.personZone);
  return instant === null ? due.date : dateIn(instant, context.zone);
}

/* ---------- the rules ---------- */

/** Whether the task is overdue (completion is the caller's: a completed task is never shown as overdue). */
export function isOverdue(due: Due | null, context: DueContext): boolean {
  if (!due) return false;
  const instant = dueInstant(due, context.personZone);
  return instant === null ? due.date < todayIn(context) : instant < context.now;
}

/**
 * Whether the task is due within `days` days from the viewer's today (1 = today, 7 = the
 * API's `week`): all-day tasks by date, timed ones by instant from the start of today there.
 */
export function isDueWithin(due: Due | null, days: number, context: DueContext): boolean {
  if (!due) return false;
  const today = todayIn(context);
  const end = addDays(today, days);
  const instant = dueInstant(due, context.personZone);
  if (instant === null) return due.date >= today && due.date < end;
  return instant >= instantOf(today, "00:00", context.zone) && instant < instantOf(end, "00:00", context.zone);
}

export function isDueToday(due: Due | null, context: DueContext): boolean {
  return isDueWithin(due, 1, context);
}

/** The instant a task sorts at for `sort=due`: a timed one's own, an all-day one's start of day there; none: null (last). */
export function dueSortKey(due: Due | null, context: Pick<DueContext, "zone" | "personZone">): number | null {
  if (!due) return null;
  return dueInstant(due, context.personZone) ?? instantOf(due.date, "00:00", context.zone);
}

/** Two `due` values alike. */
export function sameDue(a: Due | null, b: Due | null): boolean {
  return a === b || (a !== null && b !== null && a.date === b.date && a.time === b.time && a.timeZone === b.timeZone);
}
