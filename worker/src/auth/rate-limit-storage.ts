import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { withRetries } from "../db/retry.ts";

/** At most `max` attempts per `window` seconds. */
export interface RateLimitRule {
  window: number;
  max: number;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts one attempt against `key` and says whether it may go ahead — counter and
 * decision in one atomic statement, shared by every isolate: the upsert takes the
 * row lock, so concurrent attempts queue on it and each sees the count the one
 * before it left. The decision is read from the count (a refused attempt leaves it
 * at `max + 1`), never from the clock, so attempts in the same millisecond cannot
 * pass together (decision 006).
 *
 * A window starts with the first attempt and restarts once `window` seconds have
 * passed since the last allowed attempt (Better Auth's semantics).
 */
export async function consumeAttempt(db: Database, key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
  const now = Date.now();
  const windowMs = rule.window * 1000;
  const windowOver = sql`r.last_request <= ${now - windowMs}`;
  // Once: a repeat after a lost answer would count the attempt twice; it is repeated only when rolled back.
  const result = await withRetries("once", () =>
    db.execute<{ allowed: boolean; last_request: string }>(sql`
    INSERT INTO rate_limit AS r (id, key, count, last_request)
    VALUES (${crypto.randomUUID()}, ${key}, 1, ${now})
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN ${windowOver} THEN 1
                   WHEN r.count < ${rule.max} THEN r.count + 1
                   ELSE ${rule.max + 1} END,
      last_request = CASE WHEN ${windowOver} OR r.count < ${rule.max} THEN ${now} ELSE r.last_request END
    RETURNING r.count <= ${rule.max} AS allowed, r.last_request`),
  );
  const row = result.rows[0];
  if (!row || row.allowed) return { allowed: true };
  const retryAfterSeconds = Math.max(1, Math.ceil((Number(row.last_request) + windowMs - now) / 1000));
  return { allowed: false, retryAfterSeconds };
}

/** Forgets the attempts counted against `key` (a successful sign-in clears its account's failures). */
export async function forgetAttempts(db: Database, key: string): Promise<void> {
  await withRetries("repeatable", () => db.execute(sql`DELETE FROM rate_limit WHERE key = ${key}`));
}

/** Removes counters whose last attempt is older than `olderThanSeconds` (run by the Cron Trigger). */
export async function pruneAttempts(db: Database, olderThanSeconds: number): Promise<number> {
  const before = Date.now() - olderThanSeconds * 1000;
  const result = await withRetries("repeatable", () =>
    db.execute(sql`DELETE FROM rate_limit WHERE last_request < ${before}`),
  );
  return result.rowCount ?? 0;
}
