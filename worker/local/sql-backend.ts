/**
 * What the local Neon stand-in needs from a database: run one statement, or run
 * several in one transaction. Two implementations sit behind it — embedded PGlite
 * (the default) and a real PostgreSQL server — so the HTTP layer in
 * `neon-http-server.ts` is written once.
 */

/** One statement with its parameters, as the Neon driver sends it (text or null). */
export interface SqlStatement {
  query: string;
  params: (string | null)[];
}

/** A field of a result, as Neon reports it: the driver picks its type parser by `dataTypeID`. */
export interface SqlField {
  name: string;
  dataTypeID: number;
}

/** A statement's result with every value left as raw Postgres text (or null). */
export interface SqlResult {
  command: string | null;
  /** The number in the command tag (SELECT, INSERT, UPDATE, DELETE, …); null where the tag has none. */
  rowCount: number | null;
  fields: SqlField[];
  rows: (string | null)[][];
}

export type IsolationLevel = "ReadUncommitted" | "ReadCommitted" | "RepeatableRead" | "Serializable";

export interface BatchOptions {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
  deferrable?: boolean;
}

export interface SqlBackend {
  readonly kind: "pglite" | "postgres";
  /** Runs one statement on its own; a transaction it leaves open is rolled back, as on Neon. */
  query(statement: SqlStatement): Promise<SqlResult>;
  /** Runs the statements in one transaction: all commit, or the first error rolls every one back. */
  batch(statements: SqlStatement[], options: BatchOptions): Promise<SqlResult[]>;
  close(): Promise<void>;
}

/** `BEGIN ISOLATION LEVEL … READ ONLY …` for a batch's options. */
export function beginStatement(options: BatchOptions): string {
  const parts = ["BEGIN"];
  if (options.isolationLevel) parts.push(`ISOLATION LEVEL ${isolationSql[options.isolationLevel]}`);
  if (options.readOnly !== undefined) parts.push(options.readOnly ? "READ ONLY" : "READ WRITE");
  if (options.deferrable !== undefined) parts.push(options.deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
  return parts.join(" ");
}

const isolationSql: Record<IsolationLevel, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

export const isolationLevels = Object.keys(isolationSql) as IsolationLevel[];

/** The row count Postgres puts at the end of a command tag such as `UPDATE 3`. */
export function rowCountOf(rowCount: number | null | undefined): number | null {
  return typeof rowCount === "number" && Number.isFinite(rowCount) ? rowCount : null;
}
