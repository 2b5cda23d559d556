import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { prepared } from "../db/prepared.ts";
import { type Repeatability, withRetries } from "../db/retry.ts";
import { asJsonText, type JsonText } from "../json-text.ts";
import { taskJson, writeAnswer } from "./task-json.ts";
import type { TaskOutput } from "./tasks.schemas.ts";
import { taskSequences, tasks } from "./tasks.tables.ts";

/**
 * A write of one task under `If-Match` (PUT, PATCH, complete, reopen, toggle): one prepared
 * statement per shape that writes the task if its version matches and answers either way, and
 * the rule that tells a repeated try its own earlier, committed one (docs/reliability.md).
 */

/**
 * The result of a conditional write: done, no such task for this user, or `If-Match` was stale.
 * `seq` is the user's change sequence the write advanced to (absent when it changed nothing).
 */
export type WriteResult =
  | { kind: "ok"; body: JsonText<TaskOutput>; version: number; seq?: number }
  | { kind: "not_found" }
  | { kind: "stale"; version: number };

/** `If-Match`: absent or `*` → any version; otherwise the versions it names (none parseable → never matches). */
export type VersionCondition = number[] | "any";

/** A version on, changed now: what every write of a task sets. */
export const bump = { version: sql`${tasks.version} + 1`, updatedAt: sql`now()` };

/** The task under the placeholders `userId` and `id`. */
export const ownPlaceholders = and(eq(tasks.userId, sql.placeholder("userId")), eq(tasks.id, sql.placeholder("id")));

/** Changes to a task's columns: values, or SQL (placeholders and expressions). */
export type Changes = { [Column in keyof typeof tasks.$inferInsert]?: SQL };

type ConditionShape = "any" | "never" | "versions";
const conditionShape = (condition: VersionCondition): ConditionShape =>
  condition === "any" ? "any" : condition.length === 0 ? "never" : "versions";
const versionFilter: Record<ConditionShape, SQL | undefined> = {
  any: undefined,
  never: sql`false`,
  versions: sql`${tasks.version} = ANY(${sql.placeholder("versions")}::integer[])`,
};

/**
 * One statement that writes the task if it matches the condition and, either way,
 * answers with it: the task as it was (this statement's snapshot) next to the row
 * the write produced, if any (a data-modifying CTE); no row when there is no such task.
 */
function conditionalWriteStatement(db: Database, write: ConditionalWrite, condition: ConditionShape) {
  const { shape, changes } = write;
  return prepared(db, `write:${shape}:${condition}`, () => {
    // Advances the sequence when the task matches in this statement's snapshot. Referenced
    // by the update's SET, it runs (and takes the sequence's lock) before the task row is
    // locked, as every write does. A task changed concurrently between the two leaves an
    // unused number: a gap, which the feed tolerates.
    const next = db.$with("next", { seq: sql<number>`seq` }).as(sql`
      INSERT INTO ${taskSequences} (user_id, seq)
      SELECT ${sql.placeholder("userId")}, 1
      WHERE EXISTS (SELECT 1 FROM ${tasks} WHERE ${and(ownPlaceholders, versionFilter[condition])})
      ON CONFLICT (user_id) DO UPDATE SET seq = ${taskSequences.seq} + 1
      RETURNING seq`);
    // Postgres evaluates a function once per reference in the SET, not once per row: an expression
    // the SET needs several times (a recurring task's next occurrence) is computed here once. It
    // locks the row (FOR UPDATE) so that, like the SET, it sees the row a concurrent write left, and
    // only after `next` has run (EXISTS), so that the sequence is still locked before the task row.
    const computed = db.$with("computed", { value: sql`value` }).as(sql`
      SELECT ${write.computed?.() ?? sql`NULL`} AS value FROM ${tasks}
      WHERE ${and(ownPlaceholders, versionFilter[condition])} AND EXISTS (SELECT 1 FROM next)
      FOR UPDATE`);
    const updated = db.$with("updated").as(
      db
        .update(tasks)
        .set({ ...changes(), ...bump, seq: sql`(SELECT seq FROM next)` })
        .where(and(ownPlaceholders, versionFilter[condition]))
        .returning(),
    );
    return db
      .with(...(write.computed ? [next, computed] : [next]), updated)
      .select(writeAnswer("updated"))
      .from(tasks)
      .leftJoin(updated, sql`true`)
      .where(ownPlaceholders)
      .prepare(`write_${shape}_${condition}`);
  });
}

type ConditionalWrite = {
  shape: string;
  changes: () => Changes;
  values: Record<string, unknown>;
  /** An expression of the task's columns computed once per write; `changes` reads it as {@link computedValue}. */
  computed?: () => SQL;
};

/** The value of the write's `computed` expression, in its SET. */
export const computedValue = sql`(SELECT value FROM computed)`;

/**
 * Runs a conditional write: one statement, which also explains a miss (only a miss
 * caused by a concurrent write needs a second read). When a try's answer was lost
 * and the write was repeated, a miss on `If-Match` whose task is exactly one version later and already holds what this write wanted is that
 * earlier try having committed: it reports success, not a conflict. Without a lost
 * answer a miss is always a conflict, whoever made the newer version.
 */
export async function conditionalWrite(
  db: Database,
  /** The statement's shape (its key), its SET (built only with the statement) and the placeholders' values. */
  write: ConditionalWrite,
  userId: string,
  id: string,
  condition: VersionCondition,
  alreadyApplied: ((task: TaskOutput) => boolean) | undefined,
  repeatability: Repeatability,
): Promise<WriteResult> {
  let repeatedAfterLostAnswer = false;
  const statement = conditionalWriteStatement(db, write, conditionShape(condition));
  const values = { ...write.values, userId, id, versions: condition === "any" ? [] : condition };
  const [row] = await withRetries(
    repeatability,
    () => statement.execute(values),
    (failure) => {
      if (failure !== "not-applied") repeatedAfterLostAnswer = true;
    },
  );
  if (!row) return { kind: "not_found" };
  if (row.written !== null) return { kind: "ok", body: asJsonText(row.written), version: row.version, seq: row.seq };
  let stored = { version: row.foundVersion, seq: row.foundSeq, body: row.found ?? "null" };
  const matched = condition === "any" || condition.includes(stored.version);
  if (matched) {
    // The write waited for a concurrent one and then found the task changed or gone, which
    // this statement's snapshot cannot show: read it as it is now (a race's second round trip).
    const [now] = await withRetries("repeatable", () => readTaskStatement(db).execute({ userId, id }));
    if (!now) return { kind: "not_found" };
    stored = now;
  }
  const ownEarlierTry =
    repeatedAfterLostAnswer &&
    condition !== "any" &&
    condition.length === 1 &&
    stored.version === (condition[0] ?? 0) + 1 &&
    alreadyApplied?.(JSON.parse(stored.body) as TaskOutput);
  return ownEarlierTry
    ? { kind: "ok", body: asJsonText(stored.body), version: stored.version, seq: stored.seq }
    : { kind: "stale", version: stored.version };
}

/** The task's version, change number and JSON, written by Postgres; the GET answer. */
export function readTaskStatement(db: Database) {
  return prepared(db, "read", () =>
    db
      .select({ version: tasks.version, seq: tasks.seq, body: taskJson })
      .from(tasks)
      .where(ownPlaceholders)
      .prepare("read_task"),
  );
}

/** Absolute writes are safe to repeat when conditional on a version: a repeat finds its own try (see conditionalWrite). */
export const repeatableWhen = (condition: VersionCondition): Repeatability =>
  condition === "any" ? "once" : "repeatable";
