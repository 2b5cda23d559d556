import { type SQL, sql } from "drizzle-orm";
import type { Database } from "./client.ts";

/**
 * The hottest statements are built once per database client and shape, with
 * placeholders, and only filled in per request: building a drizzle query costs more
 * CPU than anything else in a task request (docs/performance.md).
 */
const statements = new WeakMap<Database, Map<string, unknown>>();

/**
 * The statement of this `shape`, built by `build` the first time this client asks for it.
 * `shape` names the statement for every module that prepares one, so it must say everything
 * that changes the statement's text (each module prefixes its own: `list:`, `write:`, …).
 */
export function prepared<Statement>(db: Database, shape: string, build: () => Statement): Statement {
  let byShape = statements.get(db);
  if (!byShape) {
    byShape = new Map();
    statements.set(db, byShape);
  }
  let statement = byShape.get(shape) as Statement | undefined;
  if (!statement) {
    statement = build();
    byShape.set(shape, statement);
  }
  return statement;
}

/** A named placeholder as SQL, to be filled in when a prepared statement runs. */
export const placeholder = <Name extends string>(name: Name): SQL => sql`${sql.placeholder(name)}`;
