import { z } from "zod";
import { problem } from "../problems.ts";
import type { Cursor } from "./tasks.list-query.ts";
import type { ChangePosition } from "./tasks.repo.ts";
import type { ListQuery } from "./tasks.schemas.ts";
import { priorities } from "./tasks.tables.ts";

/**
 * The opaque `cursor` of a list page: where the previous page ended, and in which
 * order — a cursor is only valid for the sort and order it was made for.
 */
const CursorPayload = z.object({ s: z.string(), o: z.string(), k: z.string(), i: z.uuid() });

/** What Postgres prints for each sort key, so a tampered cursor is refused before it reaches SQL. */
const timestampText = /^(-?infinity|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?)$/;
const keyPatterns: Record<ListQuery["sort"], RegExp> = {
  created: timestampText,
  updated: timestampText,
  due: timestampText,
  priority: new RegExp(`^(${priorities.join("|")})$`),
  title: /^[\s\S]{0,1000}$/,
  manual: /^[A-Za-z][0-9A-Za-z]{0,99}$/,
};

/** A timestamp key must be a real instant within Postgres' range; a title key must be text Postgres can hold. */
function plausible(sort: ListQuery["sort"], key: string): boolean {
  if (sort === "title") return !key.includes("\u0000");
  if (sort === "priority" || sort === "manual" || key.endsWith("infinity")) return true;
  const [date, time] = key.split(" ");
  const instant = Date.parse(`${date}T${time?.replace(/([+-]\d{2})$/, "$1:00")}`);
  const year = Number(date?.slice(0, 4));
  return Number.isFinite(instant) && year >= 1 && new Date(instant).toISOString().slice(5, 10) === date?.slice(5, 10);
}

/** JSON as base64url: opaque to clients, and no character a query string must escape. */
function toBase64Url(payload: unknown): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(payload))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function fromBase64Url(value: string): unknown {
  const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

export function encodeCursor(cursor: Cursor, query: ListQuery): string {
  return toBase64Url({ s: query.sort, o: query.order, k: cursor.key, i: cursor.id });
}

export function decodeCursor(value: string, query: ListQuery): Cursor {
  let payload: z.infer<typeof CursorPayload>;
  try {
    payload = CursorPayload.parse(fromBase64Url(value));
  } catch {
    throw invalidCursor("The cursor is not one this API issued; start again from the first page.");
  }
  if (payload.s !== query.sort || payload.o !== query.order) {
    throw invalidCursor("The cursor belongs to another sort order; start again from the first page.");
  }
  if (!keyPatterns[query.sort].test(payload.k) || !plausible(query.sort, payload.k)) {
    throw invalidCursor("The cursor is not one this API issued; start again from the first page.");
  }
  return { key: payload.k, id: payload.i };
}

export function invalidCursor(detail = "The cursor is not one this API issued; start again from the first page.") {
  return problem("invalid_parameter", { detail, extensions: { errors: [{ path: "cursor", message: detail }] } });
}

/**
 * The change feed's cursor (`since`): a place in the user's change sequence — all of
 * sequence `q`, or within it through task `i` when a page ended inside one change; `b`
 * is where a full sync paged in several reads began (see `ChangePosition`).
 */
const sequenceNumber = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ChangeCursorPayload = z.strictObject({ q: sequenceNumber, i: z.uuid().optional(), b: sequenceNumber.optional() });

export function encodeChangeCursor({ seq, id, base }: ChangePosition): string {
  return toBase64Url({ q: seq, ...(id === undefined ? {} : { i: id }), ...(base === undefined ? {} : { b: base }) });
}

export function decodeChangeCursor(value: string): ChangePosition {
  try {
    const { q, i, b } = ChangeCursorPayload.parse(fromBase64Url(value));
    return { seq: q, ...(i === undefined ? {} : { id: i }), ...(b === undefined ? {} : { base: b }) };
  } catch {
    const detail = "since is not a cursor this API issued; sync from scratch by leaving it out.";
    throw problem("invalid_parameter", { detail, extensions: { errors: [{ path: "since", message: detail }] } });
  }
}
