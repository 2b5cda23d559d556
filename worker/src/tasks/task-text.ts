/**
 * The text rules of search and of the title order, written once: the Worker uses them
 * to read `q`, the site (web/src/lib/task-view.ts) to filter and sort its replica, and
 * Postgres holds the same rules as PL/pgSQL functions (`brisk_fold`, `brisk_title_key`,
 * `brisk_search_text`, generated from {@link foldChar} by worker/scripts/text-rules-sql.ts)
 * behind the generated columns `tasks.search` and `tasks.title_key`. A test compares the
 * SQL functions with these over every code point and random text
 * (worker/test/text-rules.test.ts). See docs/decisions/022-search-words-and-natural-title-order.md.
 *
 * No database collation, locale or extension decides anything here: folding is one table
 * of code points, and the title order compares code points (Postgres: `COLLATE "C"`).
 */

/** Accents: the combining diacritical marks (the blocks at U+0300, U+1AB0, U+1DC0, U+20D0 and U+FE20). */
const marks = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/gu;
const stripMarks = (text: string) => text.normalize("NFD").replace(marks, "");

/**
 * One code point folded for search and sort: its accents (combining diacritical marks
 * after canonical decomposition) removed and lower-cased — "É" → "e", "Σ" → "σ", "Å" →
 * "a", a lone combining accent → "". Other scripts' marks (vowel signs, points) stay: they
 * are letters' parts there, not accents. A code point that would fold to more than one
 * keeps itself; Hangul syllables stay whole.
 */
export function foldChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0xac00 && code <= 0xd7a3) return char;
  const folded = stripMarks(stripMarks(char).toLowerCase());
  return [...folded].length > 1 ? char : folded;
}

const folds = new Map<string, string>();

/** Text folded code point by code point with {@link foldChar}: case- and accent-insensitive comparison. */
export function foldText(text: string): string {
  // ASCII (most text) folds by lower-casing; other code points once each, then from memory.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included
  if (/^[\u0000-\u007f]*$/.test(text)) return text.toLowerCase();
  let out = "";
  for (const char of text) {
    let folded = folds.get(char);
    if (folded === undefined) {
      folded = foldChar(char);
      folds.set(char, folded);
    }
    out += folded;
  }
  return out;
}

/** The fields search reads. */
export interface Searchable {
  title: string;
  description: string;
  tags: readonly string[];
}

/**
 * What a task is searched in: title, description and tags folded, one per line (a line
 * break cannot be part of a word, so a word never matches across two fields or tags).
 */
export function searchText(task: Searchable): string {
  return [task.title, task.description, ...task.tags].map(foldText).join("\n");
}

/** `q` as the words that must all match: split on white space, folded, each once; none for blank text. */
export function searchWords(q: string): string[] {
  const words = q
    .split(/\s+/u)
    .map(foldText)
    .filter((word) => word !== "" && !/\s/u.test(word));
  return [...new Set(words)];
}

/** Whether every word occurs in the task's title, description or a tag (an empty list matches every task). */
export function matchesWords(task: Searchable, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const text = searchText(task);
  return words.every((word) => text.includes(word));
}

/** A word as a `LIKE` pattern that finds it anywhere (`%`, `_` and `\` taken literally). */
export function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The key of the natural title order: the folded title with every run of ASCII digits
 * written as its length (three digits) and its value without leading zeros, so "2"
 * sorts before "10" and "file 9" before "file 10". Keys compare by code point.
 */
export function titleKey(title: string): string {
  return foldText(title).replace(/[0-9]+/g, (digits) => {
    const value = digits.replace(/^0+/, "") || "0";
    return `${String(value.length).padStart(3, "0")}${value}`;
  });
}

/** Code point order (Postgres' `COLLATE "C"` on UTF-8), not UTF-16's: "\uffff" sorts before "😀". */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (D800–DFFF) starts a code point above FFFF: above every other code unit.
    const rank = (unit: number) => (unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit);
    return rank(x) - rank(y);
  }
  return a.length - b.length;
}
