/** Stands in for `kysely` in the bundle (wrangler.jsonc `alias`); see kysely-adapter.ts. */
export const sql = () => {
  throw new Error("sql: Kysely is not bundled (Brisk uses Better Auth's drizzle adapter)");
};
