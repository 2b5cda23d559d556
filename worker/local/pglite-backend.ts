import { PGlite, types } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import {
  type BatchOptions,
  beginStatement,
  rowCountOf,
  type SqlBackend,
  type SqlResult,
  type SqlStatement,
} from "./sql-backend.ts";

type PgliteResults = Awaited<ReturnType<PGlite["query"]>>;

/**
 * Embedded Postgres (PGlite, WebAssembly) behind the stand-in: nothing to install.
 * `dataDir` keeps data between runs; without it the database lives in memory.
 */
export async function openPgliteBackend(dataDir?: string): Promise<SqlBackend> {
  const pg = new PGlite({
    dataDir,
    parsers: identityParsers(),
    serializers: identitySerializers(),
    // The extensions Brisk's migrations create (all available on Neon).
    extensions: { pg_trgm, btree_gin },
  });
  await pg.waitReady;
  // PGlite adds parsers for array types once it has started; Neon sends raw text, so undo them too.
  for (const oid of Object.keys(pg.parsers)) pg.parsers[oid] = identity;
  for (const oid of Object.keys(pg.serializers)) pg.serializers[oid] = identity;
  // Neon sessions run in UTC; timestamps must come back the same from either backend.
  await pg.query("SET TimeZone = 'UTC'");

  // PGlite serialises statements itself; this lock also keeps a statement and the
  // ROLLBACK that cleans up after it together, so no other request runs in between.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    kind: "pglite",
    query: (statement) =>
      exclusive(async () => {
        const result = await pg.query(statement.query, statement.params, { rowMode: "array" });
        // One statement can only leave a transaction open by starting one; Neon
        // discards such a connection, so the next request must not find it open.
        if (result.command === "BEGIN" || result.command === "START") await pg.query("ROLLBACK");
        return toSqlResult(result);
      }),
    batch: (statements: SqlStatement[], options: BatchOptions) =>
      exclusive(() =>
        pg.transaction(async (tx) => {
          const settings = beginStatement(options).slice("BEGIN".length).trim();
          if (settings) await tx.query(`SET TRANSACTION ${settings}`);
          const results: SqlResult[] = [];
          for (const statement of statements) {
            results.push(toSqlResult(await tx.query(statement.query, statement.params, { rowMode: "array" })));
          }
          return results;
        }),
      ),
    close: () => exclusive(() => pg.close()),
  };
}

function toSqlResult(result: PgliteResults): SqlResult {
  return {
    command: result.command ?? null,
    rowCount: rowCountOf(result.rowCount),
    fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })),
    rows: result.rows as (string | null)[][],
  };
}

const identity = (value: unknown) => value as string;

function identityParsers() {
  return Object.fromEntries(Object.keys(types.parsers).map((oid) => [oid, identity]));
}

function identitySerializers() {
  return Object.fromEntries(Object.keys(types.serializers).map((oid) => [oid, identity]));
}
