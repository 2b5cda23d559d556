/** What each password refusal says to a person (Better Auth's codes and Brisk's own, docs/auth.md). */
export const passwordMessages: Record<string, string> = {
  PASSWORD_TOO_SHORT: "Use at least 8 characters",
  PASSWORD_TOO_LONG: "Use at most 128 characters",
  PASSWORD_TOO_COMMON: "This password is too common — pick another",
  PASSWORD_CONTAINS_EMAIL: "Don't build your password from your email address",
  INVALID_PASSWORD_CHARACTERS: "The password contains a character that cannot be used",
};
