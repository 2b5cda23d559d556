import { describe, expect, it } from "vitest";
import { parseQuickAdd } from "./quick-add.ts";
import { API_STORES_RECURRENCE, type QuickAdd, toCreateBody } from "./quick-add-task.ts";
import { emptyDetails } from "./task-view.ts";

// Tuesday 1 December 2026, 09:00 in Berlin.
const now = new Date("2026-12-01T08:00:00Z");
const timeZone = "Europe/Berlin";

type Expected = Partial<Omit<QuickAdd, "parts" | "due" | "recurrence">> & {
  due?: string | null;
  repeat?: string | null;
  labels?: string[];
  at?: string;
  zone?: string;
};

/** `due` is written "2026-12-02 17:00" or "2026-12-02" (all day); `repeat` is the RRULE text. */
const table: Array<[string, Expected]> = [
  [
    "Call mom tomorrow 5pm #family !high",
    {
      title: "Call mom",
      due: "2026-12-02 17:00",
      tags: ["family"],
      priority: "high",
      labels: ["Tomorrow 17:00", "#family", "High"],
    },
  ],
  ["Buy milk", { title: "Buy milk", due: null, tags: [], priority: null }],
  ["Pay rent today", { title: "Pay rent", due: "2026-12-01", labels: ["Today"] }],
  ["Movie tonight", { title: "Movie", due: "2026-12-01" }],
  ["Dentist next fri", { title: "Dentist", due: "2026-12-04", labels: ["Friday"] }],
  ["Dentist next fri", { title: "Dentist", due: "2026-12-11", at: "2026-12-04T10:00:00Z", labels: ["Fri 11 Dec"] }],
  ["Dentist fri", { title: "Dentist", due: "2026-12-04", at: "2026-12-04T10:00:00Z", labels: ["Today"] }],
  ["Renew passport in 3 days", { title: "Renew passport", due: "2026-12-04" }],
  ["Party dec 5", { title: "Party", due: "2026-12-05", labels: ["Saturday"] }],
  ["Party Dec 5 at 9am", { title: "Party", due: "2026-12-05 09:00" }],
  ["Standup at 9", { title: "Standup", due: "2026-12-02 09:00" }],
  ["Standup at 10", { title: "Standup", due: "2026-12-01 10:00" }],
  ["Call Bob at 3", { title: "Call Bob", due: "2026-12-01 15:00" }],
  ["Call Bob 5pm", { title: "Call Bob", due: "2026-12-01 17:00", labels: ["Today 17:00"] }],
  ["Call Bob 8am", { title: "Call Bob", due: "2026-12-02 08:00" }],
  ["Lunch at 12:30", { title: "Lunch", due: "2026-12-01 12:30" }],
  ["Lunch tomorrow at noon", { title: "Lunch", due: "2026-12-02 12:00" }],
  ["Report by friday", { title: "Report", due: "2026-12-04" }],
  ["Taxes due jan 15", { title: "Taxes", due: "2027-01-15", labels: ["Fri 15 Jan 2027"] }],
  ["Fireworks dec 31", { title: "Fireworks", due: "2026-12-31" }],
  ["Check in nov 30", { title: "Check in", due: "2027-11-30" }],
  ["Pick up kids in 2 weeks", { title: "Pick up kids", due: "2026-12-15" }],
  ["Read 1984", { title: "Read 1984", due: null }],
  ["Call May", { title: "Call May", due: null }],
  ["Plan trip in march", { title: "Plan trip in march", due: null }],
  ["Buy sun cream", { title: "Buy sun cream", due: null }],
  ["Do it now", { title: "Do it now", due: null }],
  ["Buy 2 apples", { title: "Buy 2 apples", due: null }],
  ["Plan the week", { title: "Plan the week", due: null }],
  [
    "Buy groceries for the dinner party with the neighbours",
    { title: "Buy groceries for the dinner party with the neighbours", due: null, tags: [], priority: null },
  ],
  ["Keep it for 30 days", { title: "Keep it for 30 days", due: null }],
  ["Meet a second person", { title: "Meet a second person", due: null }],
  ["Next week: plan", { title: "plan", due: "2026-12-08" }],
  ["Follow up 3 days from now", { title: "Follow up", due: "2026-12-04" }],
  ["tomorrow", { title: "tomorrow", due: "2026-12-02" }],
  ["#home !low", { title: "#home !low", tags: ["home"], priority: "low" }],
  ["Clean garage #Home #home #WEEKEND", { title: "Clean garage", tags: ["home", "weekend"] }],
  ["Email Ann (#work), tomorrow.", { title: "Email Ann (#work).", tags: [], due: "2026-12-02" }],
  ["Email Ann #work, tomorrow.", { title: "Email Ann.", tags: ["work"], due: "2026-12-02" }],
  ["Fix bug p1", { title: "Fix bug", priority: "high" }],
  ["Fix bug P2 !low", { title: "Fix bug !low", priority: "medium" }],
  ["Tidy up p3", { title: "Tidy up", priority: "low" }],
  ["Write tests !MEDIUM", { title: "Write tests", priority: "medium" }],
  ["Ship v2p1", { title: "Ship v2p1", priority: null }],
  ["Say hi!high", { title: "Say hi!high", priority: null }],
  [`Tagged #${"a".repeat(33)}`, { title: `Tagged #${"a".repeat(33)}`, tags: [] }],
  ["x #a #b #c #d #e #f #g #h #i #j #k", { title: "x #k", tags: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] }],
  // Zones: the same instant is still 1 December in Los Angeles and already 2 December in Berlin.
  ["Call today", { title: "Call", due: "2026-12-01", at: "2026-12-01T23:30:00Z", zone: "America/Los_Angeles" }],
  ["Call today", { title: "Call", due: "2026-12-02", at: "2026-12-01T23:30:00Z" }],
  ["Call tomorrow", { title: "Call", due: "2026-12-02", at: "2026-12-01T23:30:00Z", zone: "America/Los_Angeles" }],
  // DST: Berlin springs forward at 02:00 on 28 March 2027; the wall-clock time is kept as said.
  ["Night train tomorrow 2:30am", { title: "Night train", due: "2027-03-28 02:30", at: "2027-03-27T10:00:00Z" }],
  ["Clocks back tomorrow 9am", { title: "Clocks back", due: "2026-10-25 09:00", at: "2026-10-24T10:00:00Z" }],
  ["Month end in 1 day", { title: "Month end", due: "2027-03-01", at: "2027-02-28T10:00:00Z" }],
  ["Leap day feb 29", { title: "Leap day", due: "2028-02-29", at: "2028-01-10T10:00:00Z" }],
];

const repeatTable: Array<[string, Expected]> = [
  ["Gym every monday", { title: "Gym", due: "2026-12-07", repeat: "FREQ=WEEKLY;BYDAY=MO", labels: ["Every Monday"] }],
  ["Water plants every day", { title: "Water plants", due: "2026-12-01", repeat: "FREQ=DAILY" }],
  ["Vitamins daily at 8am", { title: "Vitamins", due: "2026-12-02 08:00", repeat: "FREQ=DAILY" }],
  ["Vitamins daily at 10am", { title: "Vitamins", due: "2026-12-01 10:00", repeat: "FREQ=DAILY" }],
  ["Review weekly", { title: "Review", due: "2026-12-01", repeat: "FREQ=WEEKLY;BYDAY=TU" }],
  [
    "Bins every 2 weeks",
    {
      title: "Bins",
      due: "2026-12-01",
      repeat: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
      labels: ["Every 2 weeks on Tuesday"],
    },
  ],
  ["Bins every 2 weeks on thursday", { title: "Bins", due: "2026-12-03", repeat: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH" }],
  [
    "Pay rent every month on the 1st",
    { title: "Pay rent", due: "2026-12-01", repeat: "FREQ=MONTHLY;BYMONTHDAY=1", labels: ["Every month on the 1st"] },
  ],
  // A day of the month alone is the next such day; an ordinal that names a thing is not a date.
  ["Flight at 6am on the 20th", { title: "Flight", due: "2026-12-20 06:00" }],
  ["Pay rent on the 1st #home", { title: "Pay rent", due: "2026-12-01", tags: ["home"] }],
  ["Party on the 31st", { title: "Party", due: "2026-12-31" }],
  ["Invoice on the 30th", { title: "Invoice", due: "2027-01-30", at: "2026-12-31T10:00:00Z" }],
  ["Comment on the 2nd draft", { title: "Comment on the 2nd draft", due: null }],
  // A part of the day said with a repeat goes with it, as "tuesday night" goes with its date (no time is set).
  [
    "Gym every tuesday night",
    { title: "Gym", due: "2026-12-01", repeat: "FREQ=WEEKLY;BYDAY=TU", labels: ["Every Tuesday"] },
  ],
  ["Gym tuesday night", { title: "Gym", due: "2026-12-01" }],
  ["Run every day in the morning", { title: "Run", due: "2026-12-01", repeat: "FREQ=DAILY" }],
  ["Take pills every evening", { title: "Take pills", due: "2026-12-01", repeat: "FREQ=DAILY", labels: ["Every day"] }],
  ["Movie night every friday", { title: "Movie night", due: "2026-12-04", repeat: "FREQ=WEEKLY;BYDAY=FR" }],
  // Weekdays listed with spaces only, as typed on a phone.
  ["Gym every mon wed fri 7am", { title: "Gym", repeat: "FREQ=WEEKLY;BYDAY=MO,WE,FR" }],
  // The day of the month before the repeat, as people also say it.
  [
    "Pay rent on the 1st of every month",
    { title: "Pay rent", due: "2026-12-01", repeat: "FREQ=MONTHLY;BYMONTHDAY=1", labels: ["Every month on the 1st"] },
  ],
  ["Pay rent on the 1st every month", { title: "Pay rent", due: "2026-12-01", repeat: "FREQ=MONTHLY;BYMONTHDAY=1" }],
  [
    "Water bill the 15th of each month",
    { title: "Water bill", due: "2026-12-15", repeat: "FREQ=MONTHLY;BYMONTHDAY=15" },
  ],
  [
    "Report on the last day of every month",
    {
      title: "Report",
      due: "2026-12-31",
      repeat: "FREQ=MONTHLY;BYMONTHDAY=-1",
      labels: ["Every month on the last day"],
    },
  ],
  [
    "Invoice every month on the 31st",
    {
      title: "Invoice",
      due: "2026-11-30",
      at: "2026-11-10T10:00:00Z",
      repeat: "FREQ=MONTHLY;BYMONTHDAY=-1",
      labels: ["Every month on the last day"],
    },
  ],
  [
    "Standup every weekday at 9:15",
    { title: "Standup", due: "2026-12-01 09:15", repeat: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" },
  ],
  ["Birthday every year", { title: "Birthday", due: "2026-12-01", repeat: "FREQ=YEARLY" }],
  ["Birthday every year dec 24", { title: "Birthday", due: "2026-12-24", repeat: "FREQ=YEARLY" }],
  ["Budget monthly", { title: "Budget", due: "2026-12-01", repeat: "FREQ=MONTHLY;BYMONTHDAY=1" }],
  [
    "Book club every first thursday",
    { title: "Book club", due: "2026-12-03", repeat: "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=1" },
  ],
  [
    "Team lunch every last friday of the month",
    { title: "Team lunch", due: "2026-12-25", repeat: "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1" },
  ],
  [
    "Piano every mon and thu 5pm",
    {
      title: "Piano",
      due: "2026-12-03 17:00",
      repeat: "FREQ=WEEKLY;BYDAY=MO,TH",
      labels: ["Every Monday and Thursday", "Thursday 17:00"],
    },
  ],
  [
    "Standup every weekday at 8:30",
    { title: "Standup", due: "2026-12-02 08:30", repeat: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" },
  ],
  [
    "Pay rent every month on the 1st",
    { title: "Pay rent", due: "2027-01-01", at: "2026-12-02T10:00:00Z", repeat: "FREQ=MONTHLY;BYMONTHDAY=1" },
  ],
  [
    "Call grandma every other sunday",
    {
      title: "Call grandma",
      due: "2026-12-06",
      repeat: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU",
      labels: ["Every 2 weeks on Sunday"],
    },
  ],
  [
    "Gym every monday",
    {
      title: "Gym",
      due: "2026-12-07",
      at: "2026-12-07T07:00:00Z",
      repeat: "FREQ=WEEKLY;BYDAY=MO",
      labels: ["Every Monday"],
    },
  ],
];

function check(text: string, expected: Expected, repeats: boolean) {
  const result = parseQuickAdd(text, {
    now: expected.at ? new Date(expected.at) : now,
    timeZone: expected.zone ?? timeZone,
    repeats,
  });
  const due = result.due ? `${result.due.date}${result.due.time ? ` ${result.due.time}` : ""}` : null;
  if (expected.title !== undefined) expect(result.title).toBe(expected.title);
  if (expected.due !== undefined) expect(due).toBe(expected.due);
  if (expected.tags !== undefined) expect(result.tags).toEqual(expected.tags);
  if (expected.priority !== undefined) expect(result.priority).toBe(expected.priority);
  if (expected.repeat !== undefined) expect(result.recurrence?.rule ?? null).toBe(expected.repeat);
  if (expected.labels !== undefined) expect(result.parts.map((part) => part.label)).toEqual(expected.labels);
  if (result.recurrence) expect(result.recurrence.from).toBe("due");
  if (result.due) expect(result.due.timeZone).toBeNull();
  // Every part is the text at its span.
  for (const part of result.parts) expect(text.slice(part.start, part.end)).toBe(part.text);
}

describe("quick add", () => {
  // The app reads repeats (the API stores them: decision 024); the table reads the same either way.
  it.each(table)("reads %j", (text, expected) => check(text, expected, API_STORES_RECURRENCE));
  it.each(table)("reads %j with repeats off alike", (text, expected) => check(text, expected, false));
  it.each(repeatTable)("reads the repeat in %j", (text, expected) => check(text, expected, true));

  it("sends a repeat as the create body's recurrence, with its first occurrence as the due date", () => {
    expect(API_STORES_RECURRENCE).toBe(true);
    const quick = parseQuickAdd("Bins every 2 weeks on thursday #home", { now, timeZone, repeats: true });
    const body = toCreateBody(quick, emptyDetails);
    expect(body).toMatchObject({
      title: "Bins",
      due: { date: "2026-12-03", time: null, timeZone: null },
      recurrence: { rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", from: "due" },
      tags: ["home"],
    });
    const plain = toCreateBody(parseQuickAdd("Buy milk", { now, timeZone, repeats: true }), emptyDetails);
    expect(plain).not.toHaveProperty("recurrence");
  });

  it("leaves repeats in the title when repeats are off", () => {
    const result = parseQuickAdd("Gym every monday 7am", { now, timeZone, repeats: false });
    expect(result.title).toBe("Gym every monday");
    expect(result.recurrence).toBeNull();
    expect(result.parts.map((part) => part.kind)).toEqual(["due"]);
    expect(result.due).toEqual({ date: "2026-12-02", time: "07:00", timeZone: null });
  });

  it("does not recognise again what the person removed", () => {
    const result = parseQuickAdd("Call mom tomorrow 5pm #family !high", {
      now,
      timeZone,
      repeats: false,
      ignore: ["#family", "tomorrow 5pm"],
    });
    expect(result.title).toBe("Call mom tomorrow 5pm #family");
    expect(result.tags).toEqual([]);
    expect(result.due).toBeNull();
    expect(result.priority).toBe("high");
  });
});
