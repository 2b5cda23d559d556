/**
 * Stands in for `@better-auth/kysely-adapter` in the bundle (wrangler.jsonc `alias`).
 * Better Auth imports it statically for databases given as Kysely instances and for
 * its migration runner; Brisk hands Better Auth a drizzle adapter and migrates with
 * drizzle-kit, so none of it can run. Keeping Kysely out saves ~220 KB of bundle.
 */
const unused = (name: string) => () => {
  throw new Error(`${name}: Kysely is not bundled (Brisk uses Better Auth's drizzle adapter)`);
};

/** Better Auth asks this only of a database that is not an adapter; ours always is. */
export const getKyselyDatabaseType = (): null => null;
export const createKyselyAdapter = unused("createKyselyAdapter");
export const kyselyAdapter = unused("kyselyAdapter");
export const getMssqlSchema = unused("getMssqlSchema");
export const getPostgresSchema = unused("getPostgresSchema");
export const introspectPostgresTables = unused("introspectPostgresTables");
export const toIntrospectedTables = unused("toIntrospectedTables");
export const toPhysicalSchema = unused("toPhysicalSchema");
