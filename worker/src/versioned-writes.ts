import type { Context } from "hono";
import { sqlStateOf } from "./db/errors.ts";
import type { AppEnv } from "./env.ts";
import { type JsonText, respondJson } from "./json-text.ts";
import { problem } from "./problems.ts";
import type { VersionCondition } from "./tasks/conditional-write.ts";
import { encodeChangeCursor } from "./tasks/cursor.ts";

/**
 * How the routes of a person's versioned rows (tasks, lists) read `If-Match` and answer a write: the
 * version as a strong ETag, the change handed to the live channel, a create's 201 or its replay's
 * 200, and the 401 for a token whose account was deleted since it was issued.
 */

export const etagOf = (version: number) => `"${version}"`;

/** `If-Match`: absent or `*` → any version; else the strong ETags it lists (a weak one never matches). */
export function ifMatch(c: Context<AppEnv>): VersionCondition {
  const header = c.req.header("If-Match");
  if (header === undefined || header.trim() === "*") return "any";
  return [...header.matchAll(/(?:^|,)\s*"(\d{1,9})"/g)].map((match) => Number(match[1]));
}

/** Hands a write's new change sequence to the live channel (`changeCursor`); nothing when it changed nothing. */
export function announce(c: Context<AppEnv>, seq: number | undefined) {
  if (seq !== undefined) c.set("changeCursor", encodeChangeCursor({ seq }));
}

/** What a write answers with: the row (or Postgres' JSON text of it, the tasks' hot path) and its version. */
export interface Written<Row> {
  id: string;
  version: number;
  body: Row | JsonText<Row>;
}

function answer<Row, Status extends 200 | 201>(c: Context<AppEnv>, body: Row | JsonText<Row>, status: Status) {
  return typeof body === "string" ? respondJson(c, body as JsonText<Row>, status) : c.json(body as Row, status);
}

/** A write's answer: the row as it is now, its version as the ETag. */
export function answerWrite<Row>(c: Context<AppEnv>, written: Omit<Written<Row>, "id">, seq: number | undefined) {
  announce(c, seq);
  c.header("ETag", etagOf(written.version));
  return answer(c, written.body, 200);
}

/**
 * A create's answer: 201 with `Location` for a new row (`seq`, its change), 200 for the same create
 * sent again under its id (no `seq`: nothing changed).
 */
export function answerCreate<Row>(
  c: Context<AppEnv>,
  collection: "tasks" | "lists",
  written: Written<Row>,
  seq: number | undefined,
) {
  c.header("ETag", etagOf(written.version));
  if (seq === undefined) return answer(c, written.body, 200);
  announce(c, seq);
  c.header("Location", `/api/${encodeURIComponent(c.var.userId)}/${collection}/${written.id}`);
  return answer(c, written.body, 201);
}

/**
 * A token still valid for an account deleted since: the same 401 as any token that no
 * longer identifies a user, so the client signs in again (and finds no account).
 */
export function accountGone() {
  const detail = "The account this token belongs to no longer exists.";
  return problem("invalid_token", {
    detail,
    headers: { "WWW-Authenticate": `Bearer error="invalid_token", error_description="${detail}"` },
  });
}

/** SQLSTATE 23503: the write's change sequence names a user deleted since the token was issued. */
export function refuseGoneAccount(error: unknown): never {
  if (sqlStateOf(error) === "23503") throw accountGone();
  throw error;
}
