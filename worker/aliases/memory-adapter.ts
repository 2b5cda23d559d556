/**
 * Stands in for `@better-auth/memory-adapter` (wrangler.jsonc `alias`): Better Auth
 * falls back to an in-memory database when given none. Brisk always gives it one (the
 * drizzle adapter); a Worker without one must fail loudly, not keep users in memory.
 */
export const memoryAdapter = () => {
  throw new Error("memoryAdapter: Brisk always configures a database; the in-memory adapter is not bundled");
};
