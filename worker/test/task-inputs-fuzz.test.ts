import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type TaskUser, taskUser } from "./tasks-client.ts";

/**
 * Property test of the task API's inputs on the owner's own, valid path: text with NUL,
 * unpaired surrogates and compatibility characters, and due dates across the whole
 * ISO 8601 range (years 0000–9999, any offset), in every write and in the list's and
 * the bulk routes' query. Whatever arrives, the answer is a success or a 4xx
 * problem+json — never a 5xx.
 */

let owner: TaskUser;
let taskId: string;

beforeAll(async () => {
  owner = await taskUser();
  taskId = (await owner.add({ title: "Fuzzed" })).id;
});

const awkward = fc.constantFrom(
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\udbff\udfff",
  "ｐａｓｓｗｏｒｄ１２３",
  "ﬁ",
  "Ⅻ",
  "ß",
  "İ",
  "\u2028",
  "\ufeff",
  "e\u0301",
  "😀",
  "%",
  "\\",
  "_",
);
const text = fc.oneof(
  awkward,
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.oneof(awkward, fc.string({ maxLength: 5 })), { maxLength: 6 }).map((parts) => parts.join("")),
);
const pad = (value: number, width: number) => String(value).padStart(width, "0");
/** Any date-time ISO 8601 allows with a four-digit year, with `Z` or an offset up to ±23:59. */
const isoDateTime = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    millis: fc.option(fc.integer({ min: 0, max: 999 })),
    offset: fc.option(fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 })),
  })
  .map(({ year, month, day, hour, minute, second, millis, offset }) => {
    const zone =
      offset === null
        ? "Z"
        : `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`;
    const fraction = millis === null ? "" : `.${pad(millis, 3)}`;
    return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${fraction}${zone}`;
  });
/** Due values: well-formed and not, each part on its own (dates like 2026-02-30, times like 24:00, unknown zones). */
const dueDate = fc.oneof(
  isoDateTime.map((value) => value.slice(0, 10)),
  text,
);
const due = fc.oneof(
  fc.constant(null),
  text,
  fc.record(
    {
      date: dueDate,
      time: fc.oneof(
        fc.constant(null),
        isoDateTime.map((value) => value.slice(11, 16)),
        text,
      ),
      timeZone: fc.oneof(fc.constant(null), fc.constantFrom("Europe/Berlin", "US/Pacific-New", "+05:30", "utc"), text),
    },
    { requiredKeys: [] },
  ),
);
const fields = fc.record(
  {
    title: fc.oneof(text, fc.constant("ok")),
    description: text,
    tags: fc.array(text, { maxLength: 4 }),
    due,
  },
  { requiredKeys: [] },
);
const zone = fc.oneof(
  fc.constantFrom("UTC", "Europe/Paris", "US/Pacific-New", "+05:30", "-08:00", "UTC+5", "Etc/GMT-14", "EST5EDT"),
  text,
);
const filters = fc
  .record(
    {
      q: text,
      tag: text,
      tz: zone,
      due: fc.constantFrom("overdue", "today", "week", "none"),
      status: fc.constantFrom("all", "pending", "completed"),
    },
    { requiredKeys: [] },
  )
  .map((query) => {
    const params = new URLSearchParams();
    // A URL cannot carry an unpaired surrogate: such a value is sent as the replacement character.
    for (const [name, value] of Object.entries(query)) params.set(name, value.toWellFormed());
    return params.toString();
  });

type Request = () => Promise<Response>;
const request: fc.Arbitrary<[string, Request]> = fc.oneof(
  fields.map((body): [string, Request] => [`POST ${JSON.stringify(body)}`, () => owner.create(body)]),
  fields.map((body): [string, Request] => [`PUT ${JSON.stringify(body)}`, () => owner.put(taskId, body)]),
  fields.map((body): [string, Request] => [`PATCH ${JSON.stringify(body)}`, () => owner.patch(taskId, body)]),
  filters.map((query): [string, Request] => [`GET ?${query}`, () => owner.list(query)]),
  fc
    .tuple(filters, fc.boolean())
    .map(([query, completed]): [string, Request] => [`PATCH ?${query}`, () => owner.markAll(completed, query)]),
  filters.map((query): [string, Request] => [
    `DELETE ?${query}`,
    () => owner.clearCompleted(query.replace(/(^|&)status=[^&]*/, "")),
  ]),
);

describe("fuzzing the task API's inputs", () => {
  // A cap, not an expectation: 300 requests that reach the database take long on a loaded machine.
  it("answers odd text and dates across the ISO range with success or a 4xx problem, never a 5xx", {
    timeout: 300_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(request, async ([label, send]) => {
        const response = await send();
        expect(response.status, label).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers.get("content-type"), label).toBe("application/problem+json");
          expect(((await response.json()) as { status: number }).status, label).toBe(response.status);
        }
      }),
      { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000) },
    );
  });
});
