import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getTableName } from "drizzle-orm";
import { commonPassword } from "../src/auth/auth.tables.ts";
import {
  type BatchOptions,
  type IsolationLevel,
  isolationLevels,
  type SqlBackend,
  type SqlResult,
  type SqlStatement,
} from "./sql-backend.ts";

/**
 * A local endpoint that speaks Neon's SQL-over-HTTP protocol, so the Worker runs
 * the production driver (`@neondatabase/serverless`) unchanged against a local
 * database. Point `neonConfig.fetchEndpoint` at `url`.
 *
 * The protocol, as the driver uses it:
 *   POST /sql, headers Neon-Connection-String (required), Neon-Raw-Text-Output,
 *   Neon-Array-Mode, and for batches Neon-Batch-Isolation-Level / -Read-Only / -Deferrable;
 *   body {query, params} or {queries: [{query, params}, …]} (no Content-Type is sent).
 *   200 → {fields, rows, command, rowCount, rowAsArray} or {results: […]};
 *   400 → the Postgres error as JSON with its SQLSTATE `code`; other failures → 5xx text.
 *
 * It runs any SQL it is sent, so it serves only its own run: a request must name one of
 * the server's loopback addresses in `Host` (a page in a browser that rebinds its DNS name
 * to 127.0.0.1 still sends its own name), and its connection string must carry the run's
 * secret as the password (`databaseUrl`). Anything else is refused with 403.
 */
export interface NeonHttpServer {
  /** The SQL endpoint, e.g. `http://127.0.0.1:5480/sql`. */
  readonly url: string;
  readonly port: number;
  readonly backend: SqlBackend;
  /** The connection string to give the driver (DATABASE_URL): its password is the run's secret. */
  readonly databaseUrl: string;
  /** Round trips (HTTP requests to /sql) served so far; tests count them. */
  readonly stats: { requests: number; statements: number };
  /** Faults to inject into coming requests; tests arm them (also via POST /__stand-in/faults). */
  readonly faults: Fault[];
  close(): Promise<void>;
}

export interface NeonHttpServerOptions {
  backend: SqlBackend;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The password every connection string must carry; a random one when not given. */
  secret?: string;
  /**
   * Serves `/__stand-in/stats`, `POST /__stand-in/reset` (empties every table in
   * `public` but the reference data migrations wrote) and `POST|DELETE
   * /__stand-in/faults` (see Fault). For tests only: never enable it where data matters.
   */
  control?: boolean;
}

/**
 * A fault injected into the next request(s) whose SQL contains `match`
 * (case-insensitive; every request when empty):
 *   - `fail`: answer HTTP `status` (default 503) without running anything;
 *   - `sqlstate`: answer as Postgres would with error `code` (e.g. 40001, 40P01, 57P01,
 *     08006) without running anything — the statement (or batch) did not commit;
 *   - `delay`: wait `ms` before running — a database slower than the Worker's timeout;
 *   - `lose-response`: run and commit, then drop the connection — the write happened,
 *     the answer was lost.
 */
export interface Fault {
  match: string;
  action: "fail" | "sqlstate" | "delay" | "lose-response";
  /** How many matching requests it affects before it disarms itself. */
  times: number;
  status?: number;
  code?: string;
  ms?: number;
}

const maxBodyBytes = 64 * 1024 * 1024;

/** The error fields the driver copies onto its `NeonDbError`, sent as null where absent. */
const errorFields = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** The connection string for a stand-in whose secret is `secret`; it serves one database whatever the name. */
export function localDatabaseUrl(secret: string): string {
  return `postgresql://brisk:${encodeURIComponent(secret)}@localhost/brisk`;
}

export async function startNeonHttpServer(options: NeonHttpServerOptions): Promise<NeonHttpServer> {
  const { backend } = options;
  const secret = Buffer.from(options.secret ?? randomBytes(24).toString("base64url"));
  let loopbackHosts = new Set<string>();
  const stats = { requests: 0, statements: 0 };
  const faults: Fault[] = [];

  /** The armed fault this request triggers, if any; each trigger uses up one of its `times`. */
  function triggeredFault(statements: SqlStatement[]): Fault | undefined {
    const sql = statements.map((statement) => statement.query.toLowerCase()).join("\n");
    const fault = faults.find((candidate) => sql.includes(candidate.match.toLowerCase()));
    if (fault && --fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
    return fault;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: `stand-in failure: ${String(error)}` }));
  });
  // Node closes a connection idle for 5 s by default; a Worker that pauses longer between two
  // statements (a sign-up hashing a password on a busy machine) then reuses a closed connection
  // and fails with "Network connection lost". Idle connections stay open as a pool expects.
  server.keepAliveTimeout = 10 * 60_000;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!loopbackHosts.has(req.headers.host?.toLowerCase() ?? "")) {
      return send(res, 403, {
        message: `refused: Host ${JSON.stringify(req.headers.host ?? "")} is not this stand-in's loopback address (${[...loopbackHosts].join(", ")})`,
      });
    }
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const connectionString = req.headers["neon-connection-string"];
    const isSql = path === "/sql";
    if (isSql && (typeof connectionString !== "string" || !/^postgres(ql)?:\/\//.test(connectionString))) {
      return send(res, 400, queryError("missing or malformed Neon-Connection-String header", "08001"));
    }
    if (!carriesSecret(connectionString)) {
      return send(res, 403, {
        message:
          "refused: the Neon-Connection-String password is not this run's secret (use the DATABASE_URL of the run that started it)",
      });
    }
    if (options.control && path.startsWith("/__stand-in/")) return control(path, req, res);
    if (!isSql) return send(res, 404, { message: `not found: ${path}` });
    if (req.method !== "POST") return send(res, 405, { message: "use POST" });

    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      return send(res, 400, queryError(`request body is not valid JSON: ${String(error)}`, "08P01"));
    }
    const request = parseRequest(body, req.headers);
    if (typeof request === "string") return send(res, 400, queryError(request, "08P01"));

    stats.requests += 1;
    const arrayMode = req.headers["neon-array-mode"] === "true";
    const statements = "queries" in request ? request.queries : [request];
    const fault = triggeredFault(statements);
    if (fault?.action === "fail") {
      return send(res, fault.status ?? 503, { message: "injected fault: request failed before running" });
    }
    if (fault?.action === "sqlstate") {
      return send(res, 400, queryError(`injected fault: SQLSTATE ${fault.code}`, fault.code ?? "40001"));
    }
    if (fault?.action === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms ?? 10_000));
    try {
      stats.statements += statements.length;
      const body =
        "queries" in request
          ? { results: (await backend.batch(request.queries, request.options)).map((r) => render(r, arrayMode)) }
          : render(await backend.query(request), arrayMode);
      if (fault?.action === "lose-response") {
        req.socket.destroy();
        return;
      }
      return send(res, 200, body);
    } catch (error) {
      if (isPostgresError(error)) return send(res, 400, postgresErrorBody(error));
      return send(res, 503, { message: `database unavailable: ${String(error)}` });
    }
  }

  function carriesSecret(connectionString: string | string[] | undefined): boolean {
    if (typeof connectionString !== "string" || !URL.canParse(connectionString)) return false;
    let password: Buffer;
    try {
      password = Buffer.from(decodeURIComponent(new URL(connectionString).password));
    } catch {
      return false; // a malformed %-escape
    }
    return password.length === secret.length && timingSafeEqual(password, secret);
  }

  async function control(path: string, req: IncomingMessage, res: ServerResponse) {
    if (path === "/__stand-in/stats" && req.method === "GET") return send(res, 200, stats);
    if (path === "/__stand-in/reset" && req.method === "POST") {
      faults.length = 0;
      await emptyPublicTables(backend);
      return send(res, 200, { reset: true });
    }
    if (path === "/__stand-in/faults" && req.method === "POST") {
      const fault = JSON.parse(await readBody(req)) as Fault;
      faults.push({ ...fault, match: String(fault.match ?? ""), times: Number(fault.times ?? 1) });
      return send(res, 200, { faults });
    }
    if (path === "/__stand-in/faults" && req.method === "DELETE") {
      // Answers the faults it disarms that no request had met, so a test can tell a fault was exercised.
      return send(res, 200, { faults: faults.splice(0) });
    }
    return send(res, 404, { message: `not found: ${path}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"].map((name) => `${name}:${port}`));

  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}/sql`,
    port,
    backend,
    databaseUrl: localDatabaseUrl(secret.toString()),
    stats,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type ParsedRequest = SqlStatement | { queries: SqlStatement[]; options: BatchOptions };

function parseRequest(body: unknown, headers: IncomingMessage["headers"]): ParsedRequest | string {
  if (typeof body !== "object" || body === null) return "request body must be a JSON object";
  if ("queries" in body) {
    const { queries } = body as { queries: unknown };
    if (!Array.isArray(queries)) return '"queries" must be an array';
    const statements: SqlStatement[] = [];
    for (const [index, query] of queries.entries()) {
      const statement = parseStatement(query);
      if (typeof statement === "string") return `queries[${index}]: ${statement}`;
      statements.push(statement);
    }
    const options = parseBatchOptions(headers);
    return typeof options === "string" ? options : { queries: statements, options };
  }
  return parseStatement(body);
}

function parseStatement(value: unknown): SqlStatement | string {
  const { query, params = [] } = (value ?? {}) as { query?: unknown; params?: unknown };
  if (typeof query !== "string") return '"query" must be a string';
  if (!Array.isArray(params)) return '"params" must be an array';
  if (!params.every((param) => param === null || typeof param === "string")) {
    return '"params" must hold strings or null';
  }
  return { query, params };
}

function parseBatchOptions(headers: IncomingMessage["headers"]): BatchOptions | string {
  const options: BatchOptions = {};
  const isolation = headers["neon-batch-isolation-level"];
  if (isolation !== undefined) {
    if (!isolationLevels.includes(isolation as IsolationLevel)) return `unknown isolation level: ${isolation}`;
    options.isolationLevel = isolation as IsolationLevel;
  }
  const readOnly = headers["neon-batch-read-only"];
  if (readOnly !== undefined) options.readOnly = readOnly === "true";
  const deferrable = headers["neon-batch-deferrable"];
  if (deferrable !== undefined) options.deferrable = deferrable === "true";
  return options;
}

function render(result: SqlResult, arrayMode: boolean) {
  const rows = arrayMode
    ? result.rows
    : result.rows.map((row) => Object.fromEntries(result.fields.map((field, i) => [field.name, row[i]])));
  return { fields: result.fields, rows, command: result.command, rowCount: result.rowCount, rowAsArray: arrayMode };
}

interface PostgresError extends Error {
  code: string;
}

function isPostgresError(error: unknown): error is PostgresError {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
}

function postgresErrorBody(error: PostgresError) {
  const body: Record<string, unknown> = { message: error.message };
  for (const field of errorFields) body[field] = (error as unknown as Record<string, unknown>)[field] ?? null;
  return body;
}

function queryError(message: string, code: string) {
  const body: Record<string, unknown> = { message };
  for (const field of errorFields) body[field] = null;
  return { ...body, code, severity: "ERROR" };
}

/** Tables whose rows come from migrations, not from users: a reset keeps them. */
const referenceTables = [getTableName(commonPassword)];

async function emptyPublicTables(backend: SqlBackend) {
  const tables = await backend.query({
    query: "select quote_ident(tablename) from pg_tables where schemaname = 'public' and tablename <> all($1::text[])",
    params: [`{${referenceTables.join(",")}}`],
  });
  const names = tables.rows.map((row) => row[0]);
  if (names.length > 0) {
    await backend.query({ query: `TRUNCATE ${names.join(", ")} RESTART IDENTITY CASCADE`, params: [] });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error(`request body over ${maxBodyBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
