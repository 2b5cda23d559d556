/**
 * Quick add: "Call mom tomorrow 5pm #family !high" → title, due, tags, priority, repeat, and the spans that were
 * recognised. Dates and times are chrono-node's (English, casual); repeats are a small grammar of our own
 * whose RRULE text the rrule package must parse. Pure: the clock and the zone are parameters.
 * The rules, and why: docs/decisions/021-quick-add-on-chrono-node.md.
 */
import * as chrono from "chrono-node/en";
import { RRule } from "rrule";
import type { Priority } from "./api-client.ts";
import type { QuickAdd, QuickDue, QuickPart, QuickRecurrence } from "./quick-add-task.ts";

export interface QuickAddOptions {
  /** The moment "today", "tomorrow" and "5pm" are read against. */
  now: Date;
  /** The person's IANA zone: "today" is the day there. */
  timeZone: string;
  /** Whether repeat phrases are recognised (the API stores `recurrence`); otherwise they stay in the title. */
  repeats: boolean;
  /** Texts of chips the person removed: they stay in the title and are not recognised again. */
  ignore?: readonly string[];
}

const MAX_TAGS = 10;
const MAX_TAG_LENGTH = 32;

/** A calendar day, counted in whole days (UTC midnight as a day number keeps it free of any zone). */
interface Day {
  year: number;
  month: number;
  day: number;
}

const pad = (n: number) => String(n).padStart(2, "0");
const isoDay = (d: Day) => `${d.year}-${pad(d.month)}-${pad(d.day)}`;
const utcOf = (d: Day) => new Date(Date.UTC(d.year, d.month - 1, d.day));
const dayOf = (date: Date): Day => ({
  year: date.getUTCFullYear(),
  month: date.getUTCMonth() + 1,
  day: date.getUTCDate(),
});
const addDays = (d: Day, days: number) => dayOf(new Date(utcOf(d).getTime() + days * 86_400_000));
const weekdayOf = (d: Day) => utcOf(d).getUTCDay();

/** The wall clock in `timeZone` at `now`, and that zone's offset from UTC in minutes then. */
function wallClock(now: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(now);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const today: Day = { year: get("year"), month: get("month"), day: get("day") };
  const minutes = get("hour") * 60 + get("minute");
  const asUtc = Date.UTC(today.year, today.month - 1, today.day, get("hour"), get("minute"));
  const offset = Math.round((asUtc - Math.floor(now.getTime() / 60_000) * 60_000) / 60_000);
  return { today, minutes, offset };
}

// ---------------------------------------------------------------------------------------------- repeats

const WEEKDAY = "(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:r(?:s)?)?|fri|sat(?:ur)?|sun)(?:day)?";
const WEEKDAY_CODES = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const;
const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const weekdayIndex = (word: string) =>
  ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].indexOf(word.slice(0, 3).toLowerCase());
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ORDINALS: Record<string, number> = {
  first: 1,
  "1st": 1,
  second: 2,
  "2nd": 2,
  third: 3,
  "3rd": 3,
  fourth: 4,
  "4th": 4,
  last: -1,
};
const ORDINAL_WORDS = ["", "first", "second", "third", "fourth"];
const ordinalSuffix = (n: number) =>
  n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th";

/** A repeat as found: its RRULE parts, filled in from the first due day where the phrase left them open. */
interface RepeatMatch {
  start: number;
  end: number;
  freq: "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY";
  interval: number;
  byDay?: number[];
  /** Monthly on a weekday: 1–4, or -1 for the last. */
  setPos?: number;
  /** Monthly on a day: 1–30, or -1 for the last day. */
  monthDay?: number;
}

const every = "\\b(?:every|each)\\s+";
const PART_OF_DAY = "morning|afternoon|evening|night";
/** "every tuesday night", "every day in the morning": a part of the day right after a repeat goes with it. */
const partOfDayAfter = new RegExp(`^\\s+(?:in\\s+the\\s+|at\\s+)?(?:${PART_OF_DAY})\\b`, "i");
const repeatPatterns: Array<{ pattern: RegExp; read: (m: RegExpExecArray) => Omit<RepeatMatch, "start" | "end"> }> = [
  {
    // every first monday (of the month), every last fri
    pattern: new RegExp(
      `${every}(first|second|third|fourth|last|1st|2nd|3rd|4th)\\s+(${WEEKDAY})(?:\\s+of\\s+(?:the|each|every)\\s+month)?\\b`,
      "i",
    ),
    read: (m) => ({
      freq: "MONTHLY",
      interval: 1,
      byDay: [weekdayIndex(m[2] as string)],
      setPos: ORDINALS[(m[1] as string).toLowerCase()] as number,
    }),
  },
  {
    // every morning, every evening: each day (the part of the day sets no time, as with a date)
    pattern: new RegExp(`${every}(?:${PART_OF_DAY})\\b`, "i"),
    read: () => ({ freq: "DAILY", interval: 1 }),
  },
  {
    // every weekday, every weekend
    pattern: new RegExp(`${every}(weekday|weekend)\\b`, "i"),
    read: (m) => ({
      freq: "WEEKLY",
      interval: 1,
      byDay: (m[1] as string).toLowerCase() === "weekday" ? [1, 2, 3, 4, 5] : [6, 0],
    }),
  },
  {
    // every monday, every other tue, every mon and thu, every mon, wed, fri, every mon wed fri
    pattern: new RegExp(`${every}(other\\s+)?(${WEEKDAY}(?:(?:\\s*(?:,|and|&)\\s*|\\s+)${WEEKDAY})*)\\b`, "i"),
    read: (m) => ({
      freq: "WEEKLY",
      interval: m[1] ? 2 : 1,
      byDay: [...new Set((m[2] as string).split(/\s*(?:,|and|&)\s*|\s+/i).map(weekdayIndex))],
    }),
  },
  {
    // every day, every 2 weeks (on tuesday), every other month, every month on the 1st / the last day
    pattern: new RegExp(
      `${every}(other\\s+|(\\d{1,2})\\s+)?(day|week|month|year)s?` +
        `(?:\\s+on\\s+(?:(${WEEKDAY})|the\\s+(?:(\\d{1,2})(?:st|nd|rd|th)|(last)\\s+day)))?\\b`,
      "i",
    ),
    read: (m) => {
      const unit = (m[3] as string).toLowerCase();
      const interval = m[1]?.trim().toLowerCase() === "other" ? 2 : Number(m[2] ?? 1);
      const freq = ({ day: "DAILY", week: "WEEKLY", month: "MONTHLY", year: "YEARLY" } as const)[
        unit as "day" | "week" | "month" | "year"
      ];
      const repeat: Omit<RepeatMatch, "start" | "end"> = { freq, interval };
      if (m[4] && freq === "WEEKLY") repeat.byDay = [weekdayIndex(m[4])];
      if (freq === "MONTHLY" && (m[5] || m[6])) repeat.monthDay = m[6] ? -1 : Number(m[5]);
      return repeat;
    },
  },
  {
    // (on) the 1st of every month, on the 15th each month, on the last day of every month
    pattern: /\b(?:on\s+)?the\s+(?:(\d{1,2})(?:st|nd|rd|th)|(last)\s+day)\s+(?:of\s+)?(?:every|each)\s+month\b/i,
    read: (m) => ({ freq: "MONTHLY", interval: 1, monthDay: m[2] ? -1 : Number(m[1]) }),
  },
  {
    // every 15th (of the month)
    pattern: new RegExp(
      `${every}(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)(?:\\s+of\\s+(?:the|each|every)\\s+month)?\\b`,
      "i",
    ),
    read: (m) => ({ freq: "MONTHLY", interval: 1, monthDay: Number(m[1]) }),
  },
  {
    pattern: /\b(daily|weekly|fortnightly|monthly|yearly|annually)\b/i,
    read: (m) => {
      const word = (m[1] as string).toLowerCase();
      if (word === "fortnightly") return { freq: "WEEKLY", interval: 2 };
      const freq = ({ daily: "DAILY", weekly: "WEEKLY", monthly: "MONTHLY" } as const)[
        word as "daily" | "weekly" | "monthly"
      ];
      return { freq: freq ?? "YEARLY", interval: 1 };
    },
  },
];

/** The first repeat phrase in the text (only one is recognised; a second stays in the title). */
function findRepeat(text: string): RepeatMatch | null {
  let best: RepeatMatch | null = null;
  for (const { pattern, read } of repeatPatterns) {
    const m = pattern.exec(text);
    if (!m) continue;
    const end = m.index + m[0].length;
    const found = { ...read(m), start: m.index, end: end + (partOfDayAfter.exec(text.slice(end))?.[0].length ?? 0) };
    if (found.monthDay !== undefined && (found.monthDay === 0 || found.monthDay > 31)) continue;
    if (found.interval < 1) continue;
    if (!best || found.start < best.start || (found.start === best.start && found.end > best.end)) best = found;
  }
  return best;
}

/** The RRULE text and its chip label, with open parts taken from the anchor day (the due date, or today). */
function ruleOf(repeat: RepeatMatch, anchor: Day): { rule: string; label: string } {
  const interval = repeat.interval > 1 ? `;INTERVAL=${repeat.interval}` : "";
  const everyUnit = (unit: string) => (repeat.interval > 1 ? `Every ${repeat.interval} ${unit}s` : `Every ${unit}`);
  switch (repeat.freq) {
    case "DAILY":
      return { rule: `FREQ=DAILY${interval}`, label: everyUnit("day") };
    case "WEEKLY": {
      const days = repeat.byDay ?? [weekdayOf(anchor)];
      const sorted = [...days].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
      const names = sorted.map((d) => WEEKDAY_NAMES[d] as string);
      const rule = `FREQ=WEEKLY${interval};BYDAY=${sorted.map((d) => WEEKDAY_CODES[d]).join(",")}`;
      if (sorted.join() === "1,2,3,4,5" && repeat.interval === 1) return { rule, label: "Every weekday" };
      if (repeat.interval === 1) return { rule, label: `Every ${listOf(names)}` };
      return { rule, label: `${everyUnit("week")} on ${listOf(names)}` };
    }
    case "MONTHLY": {
      if (repeat.setPos !== undefined && repeat.byDay) {
        const day = repeat.byDay[0] as number;
        const which = repeat.setPos === -1 ? "last" : ORDINAL_WORDS[repeat.setPos];
        return {
          rule: `FREQ=MONTHLY${interval};BYDAY=${WEEKDAY_CODES[day]};BYSETPOS=${repeat.setPos}`,
          label: `${everyUnit("month")} on the ${which} ${WEEKDAY_NAMES[day]}`,
        };
      }
      // The 31st (asked for or the anchor's) is read as the month's last day: BYMONTHDAY=31 would skip short months.
      const asked = repeat.monthDay ?? anchor.day;
      const monthDay = asked === 31 ? -1 : asked;
      const on = monthDay === -1 ? "the last day" : `the ${monthDay}${ordinalSuffix(monthDay)}`;
      return { rule: `FREQ=MONTHLY${interval};BYMONTHDAY=${monthDay}`, label: `${everyUnit("month")} on ${on}` };
    }
    case "YEARLY":
      return { rule: `FREQ=YEARLY${interval}`, label: everyUnit("year") };
  }
}

function listOf(words: string[]): string {
  return words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** The rule's first day on or after `from` (rrule on UTC-midnight days, which stand for calendar days). */
function firstOccurrence(rule: string, from: Day, after: boolean): Day | null {
  const options = RRule.parseString(rule);
  const start = utcOf(from);
  const next = new RRule({ ...options, dtstart: start }).after(start, !after);
  return next ? dayOf(next) : null;
}

// ------------------------------------------------------------------------------------------------ dates

/** Words chrono reads as dates that are, in a title, more often just words. */
const NOT_DATES = new Set(["sun", "sat", "wed", "now", "second", "mar", "may", "march", "june", "august"]);

interface DateMatch {
  start: number;
  end: number;
  /** The day, or null when only a time was said ("5pm", "at 9"). */
  day: Day | null;
  time: string | null;
}

/**
 * chrono reads "the 20th" only beside a month. "on the 20th" is read as a day of the month when it ends the
 * phrase (the text's end, a tag, a time, "every"…), so "Comment on the 2nd draft" keeps its words.
 */
const dayOfMonthParser: chrono.Parser = {
  pattern: () => /\bon\s+the\s+(\d{1,2})(?:st|nd|rd|th)(?=\s*(?:$|[,.;:!#@_\d]|(?:at|by|from|every|each)\b))/i,
  extract: (context, match) => {
    const day = Number(match[1]);
    return day >= 1 && day <= 31 ? context.createParsingComponents({ day }) : null;
  },
};
const parser = chrono.casual.clone();
parser.parsers.push(dayOfMonthParser);

/** The next `day` of a month from `today` on (today itself included), skipping months too short for it. */
function nextMonthDay(today: Day, day: number): Day {
  let { year, month } = today;
  if (day < today.day) month += 1;
  for (;;) {
    if (month > 12) [year, month] = [year + 1, 1];
    if (day <= new Date(Date.UTC(year, month, 0)).getUTCDate()) return { year, month, day };
    month += 1;
  }
}

function findDate(masked: string, now: Date, today: Day, offset: number): DateMatch | null {
  const results = parser.parse(masked, { instant: now, timezone: offset }, { forwardDate: true });
  for (const result of results) {
    const text = result.text;
    const start = result.start;
    const tags = result.tags();
    const relative = tags.has("result/relativeDate");
    const casualDay = [...tags].some((tag) => /^casualReference\/(today|tonight|tomorrow|yesterday)/.test(tag));
    const hasDay = start.isCertain("day") || start.isCertain("weekday") || relative || casualDay;
    const hasTime = start.isCertain("hour");
    // A month alone ("Call May", "in march"), "now", a year alone ("Read 1984"): not a due date.
    if (!hasDay && !hasTime) continue;
    if (NOT_DATES.has(text.trim().toLowerCase())) continue;
    if (tags.has("casualReference/now")) continue;
    // A span of time is not a due date: "for 30 days", "plan the week", "a second" — only "in 3 days",
    // "next week", "3 days from now" are.
    if (relative && !/\b(?:in|next|from|later|after)\b/i.test(text)) continue;
    let day: Day | null = hasDay
      ? { year: start.get("year") as number, month: start.get("month") as number, day: start.get("day") as number }
      : null;
    // A day of the month said alone ("on the 20th") is the next one.
    if (start.isCertain("day") && !start.isCertain("month")) day = nextMonthDay(today, start.get("day") as number);
    // "next fri" is the first Friday after today (a week on, said on a Friday), not chrono's "Friday of next week".
    const next = new RegExp(`^next\\s+(${WEEKDAY})$`, "i").exec(text.trim());
    if (next) {
      const wanted = weekdayIndex(next[1] as string);
      day = addDays(today, (wanted - weekdayOf(today) + 7) % 7 || 7);
    }
    let time: string | null = null;
    if (hasTime && !relative) {
      let hour = start.get("hour") as number;
      // "at 3" with no am/pm: 1–7 o'clock is read as the afternoon; nobody plans a task for 3 at night.
      if (!start.isCertain("meridiem") && hour >= 1 && hour <= 7) hour += 12;
      time = `${pad(hour)}:${pad(start.get("minute") as number)}`;
    } else if (hasTime && relative && start.isCertain("minute")) {
      // "in 2 hours": a time of day from now, on the day it lands.
      time = `${pad(start.get("hour") as number)}:${pad(start.get("minute") as number)}`;
    }
    return { start: result.index, end: result.index + text.length, day, time };
  }
  return null;
}

/** "Today", "Tomorrow", "Friday" within the week, else "Sat 5 Dec" (with the year when another): and the time. */
function dueLabel(due: QuickDue, today: Day): string {
  const [year, month, day] = due.date.split("-").map(Number) as [number, number, number];
  const target: Day = { year, month, day };
  const days = Math.round((utcOf(target).getTime() - utcOf(today).getTime()) / 86_400_000);
  const name =
    days === 0
      ? "Today"
      : days === 1
        ? "Tomorrow"
        : days > 1 && days < 7
          ? (WEEKDAY_NAMES[weekdayOf(target)] as string)
          : `${(WEEKDAY_NAMES[weekdayOf(target)] as string).slice(0, 3)} ${day} ${MONTHS[month - 1]}${year === today.year ? "" : ` ${year}`}`;
  return due.time ? `${name} ${due.time}` : name;
}

// ---------------------------------------------------------------------------------------- tags, priority

const PRIORITY_WORDS: Record<string, Priority> = {
  "!high": "high",
  "!medium": "medium",
  "!med": "medium",
  "!low": "low",
  p1: "high",
  p2: "medium",
  p3: "low",
};
const PRIORITY_LABELS: Record<Priority, string> = { none: "None", low: "Low", medium: "Medium", high: "High" };

// ------------------------------------------------------------------------------------------------ parse

/** Replaces the spans with underscores (a "word" to chrono and to the patterns), keeping every index. */
function mask(text: string, spans: ReadonlyArray<{ start: number; end: number }>): string {
  let out = text;
  for (const { start, end } of spans) out = out.slice(0, start) + "_".repeat(end - start) + out.slice(end);
  return out;
}

/** The spans of removed chips' texts: each removed text hides its occurrences from being recognised. */
function ignoredSpans(text: string, ignore: readonly string[]) {
  const spans: Array<{ start: number; end: number }> = [];
  for (const word of ignore) {
    if (!word) continue;
    for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + word.length)) {
      spans.push({ start: at, end: at + word.length });
    }
  }
  return spans;
}

export function parseQuickAdd(text: string, options: QuickAddOptions): QuickAdd {
  const { now, timeZone, repeats } = options;
  const { today, minutes: nowMinutes, offset } = wallClock(now, timeZone);
  const parts: QuickPart[] = [];
  let masked = mask(text, ignoredSpans(text, options.ignore ?? []));
  const take = (part: QuickPart) => {
    parts.push(part);
    masked = mask(masked, [part]);
  };

  // Tags: "#Family," → "family"; 1–32 characters, up to 10 distinct (the API's rule); others stay text.
  const tags: string[] = [];
  for (const m of masked.matchAll(/(?<=^|\s)#([^\s#]+)/g)) {
    const word = (m[1] as string).replace(/[.,;:!?)\]]+$/, "");
    const tag = word.toLowerCase();
    if (!tag || tag.length > MAX_TAG_LENGTH) continue;
    if (!tags.includes(tag)) {
      if (tags.length === MAX_TAGS) continue;
      tags.push(tag);
    }
    const start = m.index as number;
    take({ kind: "tag", start, end: start + 1 + word.length, text: `#${word}`, label: `#${tag}` });
  }

  // Priority: the first of !high / !medium / !low / p1–p3; a second stays in the title.
  let priority: Priority | null = null;
  const p = /(?<=^|\s)(!high|!medium|!med|!low|p[123])(?=$|[\s.,;:!?])/i.exec(masked);
  if (p) {
    priority = PRIORITY_WORDS[(p[1] as string).toLowerCase()] as Priority;
    take({
      kind: "priority",
      start: p.index,
      end: p.index + (p[1] as string).length,
      text: p[1] as string,
      label: PRIORITY_LABELS[priority],
    });
  }

  // Repeats are found before dates, so "every monday" is not read as the date "monday". Without the API
  // storing them they are masked but not taken: the phrase stays in the title whole.
  const repeat = findRepeat(masked);
  if (repeat) masked = mask(masked, [repeat]);

  const date = findDate(masked, now, today, offset);
  let due: QuickDue | null = null;
  let recurrence: QuickRecurrence | null = null;
  let repeatPart: QuickPart | null = null;
  if (repeat && repeats) {
    const anchor = date?.day ?? today;
    const { rule, label } = ruleOf(repeat, anchor);
    RRule.parseString(rule); // the rrule package must read what we write; it throws otherwise
    recurrence = { rule, from: "due" };
    repeatPart = {
      kind: "repeat",
      start: repeat.start,
      end: repeat.end,
      text: text.slice(repeat.start, repeat.end),
      label,
    };
    if (!date?.day) {
      // A repeat without a date starts on its first occurrence: today counts unless its time has passed.
      const passed = date?.time ? minutesOf(date.time) <= nowMinutes : false;
      let first = firstOccurrence(rule, today, false);
      if (first && passed && isoDay(first) === isoDay(today)) first = firstOccurrence(rule, today, true);
      if (first) due = { date: isoDay(first), time: date?.time ?? null, timeZone: null };
    }
  }
  if (date && !due) {
    let day = date.day;
    if (!day) {
      // A time alone is today, or tomorrow once that time has passed.
      day = date.time && minutesOf(date.time) <= nowMinutes ? addDays(today, 1) : today;
    }
    due = { date: isoDay(day), time: date.time, timeZone: null };
  }
  if (date && due) {
    // "by friday", "due dec 5": the little word before the date goes with it.
    const before = /(?:^|\s)((?:due\s+(?:by|on)|due|by|on|at)\s+)$/i.exec(masked.slice(0, date.start));
    const start = before ? date.start - (before[1] as string).length : date.start;
    take({ kind: "due", start, end: date.end, text: text.slice(start, date.end), label: dueLabel(due, today) });
  }
  if (repeatPart) parts.push(repeatPart);
  parts.sort((a, b) => a.start - b.start);

  return { title: titleOf(text, parts), due, tags, priority, recurrence, parts };
}

const minutesOf = (time: string) => {
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  return hour * 60 + minute;
};

/** The text without its recognised parts, whitespace collapsed; the whole text when nothing else is left. */
function titleOf(text: string, parts: readonly QuickPart[]): string {
  let rest = "";
  let at = 0;
  for (const part of parts) {
    rest += `${text.slice(at, part.start)} `;
    at = part.end;
  }
  rest += text.slice(at);
  const collapse = (s: string) => s.replace(/\s+/g, " ").trim();
  const title = collapse(rest)
    .replace(/\s+([,;:.!?])(?=\s|$)/g, "$1")
    .replace(/[,;:]+(?=[.!?]|$)/g, "")
    .replace(/^[,;:]+\s*|\s*[,;:]+$/g, "");
  return /[\p{L}\p{N}]/u.test(title) ? title : collapse(text);
}
