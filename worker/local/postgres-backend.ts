import pg from "pg";
import {
  type BatchOptions,
  beginStatement,
  rowCountOf,
  type SqlBackend,
  type SqlResult,
  type SqlStatement,
} from "./sql-backend.ts";

/** Every value stays raw Postgres text, as Neon's `Neon-Raw-Text-Output` returns it. */
const rawText = { getTypeParser: () => (value: string) => value };

/**
 * A real PostgreSQL server behind the stand-in: real locks, real concurrency,
 * serialization failures and deadlocks — what PGlite's single connection cannot show.
 */
export function openPostgresBackend(connectionString: string): SqlBackend {
  // Neon sessions run in UTC; timestamps must come back the same from either backend.
  const pool = new pg.Pool({ connectionString, max: 20, types: rawText, options: "-c TimeZone=UTC" });
  // An idle client that loses its server must not take the process down.
  pool.on("error", () => undefined);

  const run = async (client: pg.PoolClient, statement: SqlStatement): Promise<SqlResult> => {
    const config: pg.QueryArrayConfig<(string | null)[]> & { queryMode: "extended" } = {
      text: statement.query,
      values: statement.params,
      rowMode: "array",
      // The extended protocol refuses several statements in one query, as Neon does.
      queryMode: "extended",
    };
    const result = await client.query(config);
    return {
      command: result.command ?? null,
      rowCount: rowCountOf(result.rowCount),
      fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })),
      rows: result.rows as (string | null)[][],
    };
  };

  return {
    kind: "postgres",
    async query(statement) {
      const client = await pool.connect();
      let broken = false;
      try {
        return await run(client, statement);
      } catch (error) {
        broken = !isQueryError(error);
        throw error;
      } finally {
        // Neon discards a connection that a statement left inside a transaction.
        broken ||= client.getTransactionStatus() !== "I";
        client.release(broken);
      }
    },
    async batch(statements: SqlStatement[], options: BatchOptions) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query(beginStatement(options));
        const results: SqlResult[] = [];
        for (const statement of statements) results.push(await run(client, statement));
        await client.query("COMMIT");
        return results;
      } catch (error) {
        broken =
          !isQueryError(error) ||
          !(await client.query("ROLLBACK").then(
            () => true,
            () => false,
          ));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

function isQueryError(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === "string" && (error as { code: string }).code.length === 5;
}
