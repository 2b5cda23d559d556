import type { Database } from "../db/client.ts";
import { isCommonPassword } from "./auth.repo.ts";

/** Length rules are Better Auth's (`minPasswordLength`, `maxPasswordLength`); these are ours on top. */
export const passwordLength = { min: 8, max: 128 } as const;

export interface PasswordRejection {
  code: "PASSWORD_TOO_COMMON" | "PASSWORD_CONTAINS_EMAIL";
  message: string;
}

/**
 * Refuses a password found in the list of common passwords shipped with Brisk (in
 * the database, written by a migration), or one built
 * from the user's own email name — the guesses an attacker tries first. No
 * composition rules: they make passwords harder to remember, not to guess.
 */
export async function checkPassword(
  db: Database,
  password: string,
  email: string | undefined,
): Promise<PasswordRejection | null> {
  if (await isCommonPassword(db, password)) {
    return { code: "PASSWORD_TOO_COMMON", message: "This password is too common — pick another" };
  }
  const name = email?.split("@")[0]?.toLowerCase() ?? "";
  if (name.length >= 3 && password.toLowerCase().includes(name)) {
    return { code: "PASSWORD_CONTAINS_EMAIL", message: "Don't build your password from your email address" };
  }
  return null;
}
