import { hashPassword, verifyPassword } from "better-auth/crypto";
import type { Database } from "../db/client.ts";
import { isCommonPassword } from "./auth.repo.ts";

/** Length rules are Better Auth's (`minPasswordLength`, `maxPasswordLength`); these are ours on top. */
export const passwordLength = { min: 8, max: 128 } as const;

/** The fields of Better Auth's request bodies that carry a password. */
export const passwordFields = ["password", "currentPassword", "newPassword"] as const;

/**
 * A password as every rule and the hash see it: NFKC-normalised, so full-width
 * letters, ligatures and other compatibility characters count as the plain letters
 * they look like — on the common-password list, and when signing in (the same
 * person's password works whichever form the keyboard produced).
 */
export function normalisePassword(password: string): string {
  return password.normalize("NFKC");
}

/**
 * Better Auth's scrypt hashing, given the normalised password. One object, called
 * through its properties, so a test can count the hashes a request does.
 */
export const passwordHashing = {
  hash: (password: string): Promise<string> => hashPassword(normalisePassword(password)),
  verify: ({ hash, password }: { hash: string; password: string }): Promise<boolean> =>
    verifyPassword({ hash, password: normalisePassword(password) }),
};

export interface PasswordRejection {
  code: "PASSWORD_TOO_COMMON" | "PASSWORD_CONTAINS_EMAIL" | "INVALID_PASSWORD_CHARACTERS";
  message: string;
}

/** NUL and unpaired surrogates: no keyboard types them, and the database cannot store text with them. */
function hasUnstorableCharacter(text: string): boolean {
  return text.includes("\u0000") || !text.isWellFormed();
}

/**
 * Refuses a password (already normalised) with characters no keyboard types, one
 * found in the list of common passwords shipped with Brisk (in the database,
 * written by a migration), or one built from the user's own email name — the
 * guesses an attacker tries first. No composition rules: they make passwords
 * harder to remember, not to guess.
 */
export async function checkPassword(
  db: Database,
  password: string,
  email: string | undefined,
): Promise<PasswordRejection | null> {
  if (hasUnstorableCharacter(password)) {
    return {
      code: "INVALID_PASSWORD_CHARACTERS",
      message: "A password cannot contain NUL or unpaired surrogate characters",
    };
  }
  if (await isCommonPassword(db, password)) {
    return { code: "PASSWORD_TOO_COMMON", message: "This password is too common — pick another" };
  }
  const name = email?.split("@")[0]?.toLowerCase() ?? "";
  if (name.length >= 3 && password.toLowerCase().includes(name)) {
    return { code: "PASSWORD_CONTAINS_EMAIL", message: "Don't build your password from your email address" };
  }
  return null;
}
