/**
 * A recurrence in English ("Repeats every week on Monday"), for the task list's label. Free of
 * rrule, drizzle and zod, so the page can show it without loading the rule engine (which the
 * web loads on demand: docs/web.md). Covers exactly the subset ./recurrence.ts accepts;
 * anything else reads as its rule text.
 */

const dayNames: Record<string, string> = {
  MO: "Monday",
  TU: "Tuesday",
  WE: "Wednesday",
  TH: "Thursday",
  FR: "Friday",
  SA: "Saturday",
  SU: "Sunday",
};
const units: Record<string, string> = { DAILY: "day", WEEKLY: "week", MONTHLY: "month", YEARLY: "year" };
const positions: Record<string, string> = { "1": "first", "2": "second", "3": "third", "4": "fourth", "5": "fifth" };

export function describeRecurrence(recurrence: { rule: string; from: "due" | "completion" }): string {
  const parts = new Map(recurrence.rule.split(";").map((part) => part.split("=") as [string, string]));
  const unit = units[parts.get("FREQ") ?? ""];
  if (!unit) return `Repeats ${recurrence.rule}`;
  const interval = Number(parts.get("INTERVAL") ?? "1");
  let text = interval > 1 ? `every ${interval} ${unit}s` : `every ${unit}`;
  const days = parts
    .get("BYDAY")
    ?.split(",")
    .map((day) => dayNames[day] ?? day);
  const setPos = parts.get("BYSETPOS");
  const monthDays = parts.get("BYMONTHDAY")?.split(",");
  if (days && setPos) {
    const which =
      setPos === "-1" ? "last" : setPos.startsWith("-") ? `${ordinal(setPos.slice(1))} last` : positions[setPos];
    text += ` on the ${which} ${listOf(days)}`;
  } else if (days) {
    text += ` on ${listOf(days)}`;
  } else if (monthDays) {
    text += ` on the ${listOf(monthDays.map(monthDayWords))}`;
  }
  const count = parts.get("COUNT");
  if (count) text += `, ${count} ${count === "1" ? "time" : "times"}`;
  const until = parts.get("UNTIL");
  if (until) text += ` until ${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}`;
  if (recurrence.from === "completion") text += " after completion";
  return `Repeats ${text}`;
}

function monthDayWords(day: string): string {
  if (day === "-1") return "last day";
  if (day.startsWith("-")) return `${ordinal(day.slice(1))} last day`;
  return ordinal(day);
}

function ordinal(n: string): string {
  const number = Number(n);
  const suffix = number % 100 >= 11 && number % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][number % 10] ?? "th");
  return `${number}${suffix}`;
}

function listOf(words: string[]): string {
  return words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}
