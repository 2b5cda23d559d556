import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  compareCodePoints,
  foldText,
  matchesWords,
  searchText,
  searchWords,
  titleKey,
} from "../src/tasks/task-text.ts";
import { call } from "./fixtures.ts";
import { sql } from "./stand-in-control.ts";
import { type TaskJson, type TaskUser, taskUser } from "./tasks-client.ts";

/**
 * Search and the title order are one set of rules (src/tasks/task-text.ts) that the site
 * applies to its replica and Postgres applies as SQL functions behind generated columns
 * (docs/decisions/022-search-words-and-natural-title-order.md). These tests hold the two
 * equal: the fold over every code point, the key and search text over random text, and
 * the API's answers over random tasks and queries.
 */

/** Text that exercises the rules: accents (precomposed and combining), digits, letter case, other scripts, astral. */
const pieces = [
  "a",
  "B",
  "é",
  "É",
  "e\u0301",
  "\u0301",
  "ß",
  "ẞ",
  "Σ",
  "ς",
  "İ",
  "ı",
  "Ǆ",
  "Å",
  "ø",
  "0",
  "1",
  "2",
  "9",
  "10",
  "007",
  "٣",
  "Ⅻ",
  "ﬁ",
  "가",
  "क़",
  "😀",
  "𝐀",
  "\uffff",
  "\ue000",
  "%",
  "_",
  "\\",
  "-",
  " ",
  "  ",
  "\t",
  "Café",
  "RENT",
  "rent",
  "pay",
  "Straße",
  "ÆON",
  "Ωmega",
  "x",
];
const text = (maxLength: number) =>
  fc
    .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: "grapheme", maxLength: 3 })), { maxLength })
    .map((parts) => parts.join(""));

describe("the SQL functions equal the code", () => {
  it("folds every code point as foldText does", async () => {
    // Planes 4 to 13 hold no character yet, 15 and 16 only private use: nothing there folds.
    const chunk = 8192;
    for (let start = 1; start < 0xf0000; start += start >= 0x3ffff && start < 0xe0000 ? 0xe0000 - start : chunk) {
      let input = "";
      for (let code = start; code < Math.min(start + chunk, 0x110000); code++) {
        if (code < 0xd800 || code > 0xdfff) input += String.fromCodePoint(code);
      }
      if (!input) continue;
      const [row] = await sql<{ folded: string }>("select brisk_fold($1) as folded", [input]);
      if (row?.folded !== foldText(input)) {
        const expected = [...foldText(input)];
        const actual = [...(row?.folded ?? "")];
        const at = expected.findIndex((char, i) => char !== actual[i]);
        expect.fail(`U+${start.toString(16)}…: first difference at ${at}: ${expected[at]} vs ${actual[at]}`);
      }
    }
  });

  it("computes the title key and the search text as titleKey and searchText do", async () => {
    await fc.assert(
      fc.asyncProperty(text(12), text(12), fc.array(text(4), { maxLength: 3 }), async (title, description, tags) => {
        const [row] = await sql<{ key: string; search: string }>(
          "select brisk_title_key($1) as key, brisk_search_text($1, $2, $3::text[]) as search",
          [title, description, tags],
        );
        expect(row).toEqual({ key: titleKey(title), search: searchText({ title, description, tags }) });
      }),
      { numRuns: 150 },
    );
  });
});

describe("search and the title order through the API", () => {
  let person: TaskUser;
  let stored: TaskJson[];

  /** Titles and descriptions the rules must tell apart or treat alike. */
  const title = text(6).map((t) => (t.trim() ? t.trim().slice(0, 200) : "T"));
  const task = fc.record({
    title,
    description: text(6).map((t) => t.slice(0, 1000)),
    tags: fc.uniqueArray(
      text(3).map((t) => t.trim().toLowerCase().slice(0, 32) || "t"),
      { maxLength: 3 },
    ),
  });

  beforeAll(async () => {
    person = await taskUser();
    const fixed = [
      { title: "Pay rent", description: "", tags: [] },
      { title: "Café meeting", description: "", tags: [] },
      { title: "Item 10", description: "", tags: ["errands"] },
      { title: "item 2", description: "Rent the van", tags: [] },
      { title: "ITEM 1", description: "", tags: ["home"] },
    ];
    const random = fc.sample(task, { numRuns: 45, seed: 2217 });
    stored = [];
    for (const body of [...fixed, ...random]) {
      const response = await person.create(body);
      expect(response.status, JSON.stringify(body)).toBe(201);
      stored.push((await response.json()) as TaskJson);
    }
  });

  /** Every task of a query, following the `Link` header page by page. */
  async function all(query: string): Promise<TaskJson[]> {
    const seen: TaskJson[] = [];
    let path: string | undefined = `${person.base}?${query}`;
    while (path) {
      const response = await call(path, { token: person.token });
      expect(response.status).toBe(200);
      seen.push(...((await response.json()) as TaskJson[]));
      const link = response.headers.get("link");
      path = link ? link.slice(1, link.indexOf(">")) : undefined;
    }
    return seen;
  }

  const byTitle = (a: TaskJson, b: TaskJson) =>
    compareCodePoints(titleKey(a.title), titleKey(b.title)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  it.each([
    ["RENT pay", ["Pay rent"]],
    ["rent", ["Pay rent", "item 2"]],
    ["cafe", ["Café meeting"]],
    ["CAFÉ MEETING", ["Café meeting"]],
    ["errands item", ["Item 10"]],
    ["home", ["ITEM 1"]],
  ])("finds every word of %j in the title, description or tags", async (q, titles) => {
    const found = await all(`q=${encodeURIComponent(q)}&sort=title&limit=100`);
    expect(found.map((t) => t.title).filter((t) => titles.includes(t))).toEqual(
      titles.sort((a, b) => compareCodePoints(titleKey(a), titleKey(b))),
    );
    expect(found.every((t) => matchesWords(t, searchWords(q)))).toBe(true);
  });

  it("orders titles naturally: 2 before 10, letter case and accents aside", async () => {
    const items = (await all("q=item&sort=title")).map((t) => t.title);
    expect(items).toEqual(["ITEM 1", "item 2", "Item 10"]);
    const descending = (await all("q=item&sort=title&order=desc")).map((t) => t.title);
    expect(descending).toEqual(["Item 10", "item 2", "ITEM 1"]);
  });

  it("answers the reference set for random queries, in the reference title order", async () => {
    const words = fc.oneof(
      fc.constantFrom(...stored.flatMap((t) => [...t.title.split(/\s+/u), ...t.tags]).filter(Boolean)),
      text(2),
    );
    const query = fc.array(words, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(" ").slice(0, 200));
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom("asc", "desc"), async (q, order) => {
        const found = await all(`q=${encodeURIComponent(q)}&sort=title&order=${order}&limit=100`);
        const expected = stored.filter((t) => matchesWords(t, searchWords(q.trim()))).sort(byTitle);
        if (order === "desc") expected.reverse();
        expect(found.map((t) => t.id)).toEqual(expected.map((t) => t.id));
      }),
      { numRuns: 40 },
    );
  });

  it("pages through the title order returning every task exactly once, in order", async () => {
    for (const limit of [1, 3, 7]) {
      for (const order of ["asc", "desc"] as const) {
        const seen = await all(`sort=title&order=${order}&limit=${limit}`);
        const expected = [...stored].sort(byTitle);
        if (order === "desc") expected.reverse();
        expect(seen.map((t) => t.id)).toEqual(expected.map((t) => t.id));
      }
    }
  });
});
