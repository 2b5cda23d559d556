/**
 * A recurrence in English ("Repeats every week on Monday"), for the task list's label. Free of
 * rrule, drizzle and zod, so the page can show it without loading the rule engine (which the
 * web loads on demand: docs/web.md). Covers exactly the subset ./recurrence.ts accepts;
 * anything else reads as its rule text.
 */

const days: Record<string, string> = {
  MO: "Monday",
  TU: "Tuesday",
  WE: "Wednesday",
  TH: "Thursday",
  FR: "Friday",
  SA: "Saturday",
  SU: "Sunday",
};
const units: Record<string, string> = { DAILY: "day", WEEKLY: "week", MONTHLY: "month", YEARLY: "year" };
const positions = ["last", "first", "second", "third", "fourth", "fifth"];

export function describeRecurrence({ rule, from }: { rule: string; from: "due" | "completion" }): string {
  const part = new Map(rule.split(";").map((p) => p.split("=") as [string, string]));
  const unit = units[part.get("FREQ") ?? ""];
  if (!unit) return `Repeats ${rule}`;
  const n = Number(part.get("INTERVAL") ?? 1);
  let text = `Repeats every ${n > 1 ? `${n} ${unit}s` : unit}`;
  const byDay = part
    .get("BYDAY")
    ?.split(",")
    .map((d) => days[d] ?? d);
  const pos = Number(part.get("BYSETPOS") ?? 0);
  const monthDays = part.get("BYMONTHDAY")?.split(",").map(Number);
  if (byDay)
    text += ` on ${pos ? `the ${pos < -1 ? `${ordinal(-pos)} last` : positions[Math.max(pos, 0)]} ` : ""}${listOf(byDay)}`;
  else if (monthDays)
    text += ` on the ${listOf(monthDays.map((d) => (d === -1 ? "last day" : d < 0 ? `${ordinal(-d)} last day` : ordinal(d))))}`;
  const count = part.get("COUNT");
  if (count) text += `, ${count} time${count === "1" ? "" : "s"}`;
  const until = part.get("UNTIL");
  if (until) text += ` until ${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}`;
  return from === "completion" ? `${text} after completion` : text;
}

function ordinal(n: number): string {
  return `${n}${(n % 100 > 10 && n % 100 < 14) || n % 10 > 3 ? "th" : ["th", "st", "nd", "rd"][n % 10]}`;
}

function listOf(words: string[]): string {
  return words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}
