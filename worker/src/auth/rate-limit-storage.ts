import type { BetterAuthRateLimitOptions } from "better-auth";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";

/**
 * Rate-limit counters in Postgres, shared by every isolate everywhere, with one
 * atomic statement per check: the upsert takes the row lock, so concurrent requests
 * cannot all pass on a stale count. Better Auth's own "database" storage needs two
 * or three round trips for the same.
 *
 * Semantics match Better Auth's: a request is allowed when the window since the
 * last allowed request has passed (the count restarts) or the count is below max.
 */
export function databaseRateLimitStorage(db: Database): NonNullable<BetterAuthRateLimitOptions["customStorage"]> {
  return {
    async consume(key, rule) {
      const now = Date.now();
      const windowMs = rule.window * 1000;
      const result = await db.execute<{ allowed: boolean; last_request: string }>(sql`
        INSERT INTO rate_limit AS r (id, key, count, last_request)
        VALUES (${crypto.randomUUID()}, ${key}, 1, ${now})
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN r.last_request <= ${now - windowMs} THEN 1
                       WHEN r.count < ${rule.max} THEN r.count + 1
                       ELSE r.count END,
          last_request = CASE WHEN r.last_request <= ${now - windowMs} OR r.count < ${rule.max}
                              THEN ${now} ELSE r.last_request END
        RETURNING r.last_request = ${now} AS allowed, r.last_request`);
      const row = result.rows[0];
      if (!row || row.allowed) return { allowed: true, retryAfter: null };
      const retryAfter = Math.max(1, Math.ceil((Number(row.last_request) + windowMs - now) / 1000));
      return { allowed: false, retryAfter };
    },
  };
}
