/**
 * Prints the PL/pgSQL functions that hold worker/src/tasks/task-text.ts's rules in Postgres:
 * `brisk_fold` (foldChar over every code point, as one `translate`), `brisk_title_key`
 * and `brisk_search_text`, for a migration (0010_search-words.sql was made by this).
 * Run: `node worker/scripts/text-rules-sql.ts > /tmp/rules.sql`. A change to the rules
 * needs a new migration that replaces the functions and recomputes the columns;
 * worker/test/text-rules.test.ts fails until the database agrees with the code again.
 */
import { foldChar } from "../src/tasks/task-text.ts";

let from = "";
let to = "";
let removed = "";
for (let code = 1; code <= 0x10ffff; code++) {
  if (code >= 0xd800 && code <= 0xdfff) continue;
  const char = String.fromCodePoint(code);
  const folded = foldChar(char);
  if (folded === char) continue;
  if (folded === "") removed += char;
  else {
    from += char;
    to += folded;
  }
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

process.stdout.write(`-- The text rules of worker/src/tasks/task-text.ts (made by worker/scripts/text-rules-sql.ts).
-- Every code point foldChar changes: replaced by its fold, or removed (the characters past the second string's end).
-- PL/pgSQL, whose plans are kept for the session: a SQL function called from another would be planned again on
-- every call, the long strings below included (1.5 ms a row instead of microseconds).
-- ASCII text (one byte per character) takes the short way: only A–Z change.
CREATE OR REPLACE FUNCTION public.brisk_fold(value text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $rules$
BEGIN
  IF octet_length(value) = char_length(value) THEN
    RETURN translate(value, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
  END IF;
  RETURN translate(value, ${literal(from + removed)}, ${literal(to)});
END
$rules$;--> statement-breakpoint
-- The natural title order's key: each run of ASCII digits as its length (3 digits) and its value without leading zeros.
CREATE OR REPLACE FUNCTION public.brisk_title_key(title text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $rules$
BEGIN
  RETURN (
    SELECT coalesce(string_agg(
      CASE WHEN part[1] IS NULL THEN part[2]
        ELSE lpad(length(coalesce(nullif(ltrim(part[1], '0'), ''), '0'))::text, 3, '0') || coalesce(nullif(ltrim(part[1], '0'), ''), '0')
      END, '' ORDER BY n), '')
    FROM regexp_matches(public.brisk_fold(title), '([0-9]+)|([^0-9]+)', 'g') WITH ORDINALITY AS parts(part, n)
  );
END
$rules$;--> statement-breakpoint
-- What search reads: title, description and each tag folded, one per line.
CREATE OR REPLACE FUNCTION public.brisk_search_text(title text, description text, tags text[]) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $rules$
BEGIN
  RETURN public.brisk_fold(array_to_string(ARRAY[title, description] || tags, E'\\n'));
END
$rules$;
`);
