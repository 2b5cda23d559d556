import { eq, lt, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { withRetries } from "../db/retry.ts";
import { commonPassword, verification } from "./auth.tables.ts";

/**
 * Removes a user row that has no credentials — what a sign-up leaves behind when
 * it fails between writing the user and writing the account (Neon over HTTP has
 * no interactive transactions, and Better Auth writes them separately). Such a
 * user can never sign in and holds nothing, but its email would block signing up
 * again; removing it first lets the retry succeed. One statement, so it cannot
 * remove a user whose account exists.
 */
export async function deleteUserWithoutCredentials(db: Database, email: string): Promise<void> {
  const normalised = email.toLowerCase();
  // Repeatable: a repeat finds no such user left, or the same one.
  await withRetries("repeatable", () =>
    db.execute(sql`
    DELETE FROM "user" u
    WHERE u.email = ${normalised}
      AND NOT EXISTS (SELECT 1 FROM account a WHERE a.user_id = u.id)`),
  );
}

/**
 * Removes mailed links that have expired (password-reset tokens nobody used): Better
 * Auth deletes a token when it is used, never when it lapses. The Cron Trigger runs it.
 */
export async function pruneExpiredLinks(db: Database): Promise<number> {
  const removed = await withRetries("repeatable", () =>
    db.delete(verification).where(lt(verification.expiresAt, new Date())).returning({ id: verification.id }),
  );
  return removed.length;
}

/** Whether a password is on the list of common ones (case-insensitive); one indexed lookup. */
export async function isCommonPassword(db: Database, password: string): Promise<boolean> {
  const found = await withRetries("repeatable", () =>
    db
      .select({ password: commonPassword.password })
      .from(commonPassword)
      .where(eq(commonPassword.password, password.toLowerCase()))
      .limit(1),
  );
  return found.length > 0;
}
