import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { type NeonQueryFunction, neon, neonConfig } from "@neondatabase/serverless";
import { sql as drizzleSql, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { boolean, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BackendKind, backendKindFromEnv, openScratchBackend } from "./local-database.ts";
import { localDatabaseUrl, type NeonHttpServer, startNeonHttpServer } from "./neon-http-server.ts";

/**
 * Conformance of the local Neon stand-in: the real driver and drizzle, over HTTP,
 * against each backend. PGlite always; the PostgreSQL server too with BRISK_DB=postgres,
 * where the raw protocol answers of both backends must also be identical.
 */
const kinds: BackendKind[] = backendKindFromEnv() === "postgres" ? ["pglite", "postgres"] : ["pglite"];
/** One run's secret for both backends' servers, so one connection string reaches either. */
const secret = randomBytes(24).toString("base64url");
const connectionString = localDatabaseUrl(secret);

const servers = new Map<BackendKind, NeonHttpServer>();

beforeAll(async () => {
  for (const kind of kinds) {
    const server = await startNeonHttpServer({ backend: await openScratchBackend(kind), secret, control: true });
    servers.set(kind, server);
  }
});

afterAll(async () => {
  for (const server of servers.values()) {
    await server.close();
    await server.backend.close();
  }
});

/** The driver's endpoint is a global setting; each call points it at one backend's server. */
function driverFor(kind: BackendKind): NeonQueryFunction<false, false> {
  const server = servers.get(kind);
  if (!server) throw new Error(`no server for ${kind}`);
  neonConfig.fetchEndpoint = server.url;
  return neon(connectionString);
}

async function errorOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error("expected the statement to fail");
}

const things = pgTable("conformance_things", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  count: integer("count").notNull().default(0),
  done: boolean("done").notNull().default(false),
  meta: jsonb("meta").$type<{ tags: string[] }>(),
  at: timestamp("at", { withTimezone: true, mode: "date" }),
});

describe.each(kinds)("the stand-in on %s", (kind) => {
  const sql = () => driverFor(kind);

  beforeAll(async () => {
    await sql()`DROP TABLE IF EXISTS conformance_things`;
    await sql()`CREATE TABLE conformance_things (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL UNIQUE,
      count integer NOT NULL DEFAULT 0, done boolean NOT NULL DEFAULT false, meta jsonb, at timestamptz)`;
  });

  it("returns values that the driver parses into the right JavaScript types", async () => {
    const [row] = await sql()`SELECT 1::int2 AS small, 2147483647::int4 AS int, 9007199254740993::int8 AS big,
      1.50::numeric AS num, 2.5::float8 AS float, true AS yes, 'héllo'::text AS txt,
      '00000000-0000-4000-8000-000000000001'::uuid AS id, '2026-11-22T10:00:00Z'::timestamptz AS at,
      '{"a":[1,2]}'::jsonb AS doc, ARRAY['a','b,c','"q"']::text[] AS tags, ARRAY[1,2]::int4[] AS nums,
      '\\x0102'::bytea AS bytes, NULL::text AS nothing`;
    expect(row).toEqual({
      small: 1,
      int: 2147483647,
      big: "9007199254740993",
      num: "1.50",
      float: 2.5,
      yes: true,
      txt: "héllo",
      id: "00000000-0000-4000-8000-000000000001",
      at: new Date("2026-11-22T10:00:00Z"),
      doc: { a: [1, 2] },
      tags: ["a", "b,c", '"q"'],
      nums: [1, 2],
      bytes: Buffer.from([1, 2]),
      nothing: null,
    });
  });

  it("binds parameters of every kind the driver sends", async () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    const [row] = await sql()`SELECT ${"text"}::text AS t, ${42}::int AS n, ${true}::bool AS b, ${null}::text AS z,
      ${at}::timestamptz AS at, ${["x", "y z"]}::text[] AS arr, ${JSON.stringify({ k: 1 })}::jsonb AS j`;
    expect(row).toEqual({ t: "text", n: 42, b: true, z: null, at, arr: ["x", "y z"], j: { k: 1 } });
  });

  it("reports the command and row count of each statement", async () => {
    const run = (query: string) => sql().query(query, [], { fullResults: true });
    const inserted = await run("INSERT INTO conformance_things (name) VALUES ('r1'), ('r2'), ('r3')");
    expect(inserted).toMatchObject({ command: "INSERT", rowCount: 3 });
    expect(await run("UPDATE conformance_things SET count = 1 WHERE name <> 'r1'")).toMatchObject({
      command: "UPDATE",
      rowCount: 2,
    });
    expect(await run("SELECT name FROM conformance_things")).toMatchObject({ command: "SELECT", rowCount: 3 });
    expect(await run("DELETE FROM conformance_things")).toMatchObject({ command: "DELETE", rowCount: 3 });
    expect(await run("CREATE TEMP TABLE IF NOT EXISTS scratch (x int)")).toMatchObject({
      command: "CREATE",
      rowCount: null,
    });
  });

  it("turns database errors into NeonDbError with SQLSTATE and details", async () => {
    await sql()`INSERT INTO conformance_things (name) VALUES ('dup')`;
    const duplicate = await errorOf(sql()`INSERT INTO conformance_things (name) VALUES ('dup')`);
    expect(duplicate).toMatchObject({
      name: "NeonDbError",
      code: "23505",
      constraint: "conformance_things_name_key",
      table: "conformance_things",
      severity: "ERROR",
    });
    expect(String(duplicate.detail)).toContain("(name)=(dup)");

    expect(await errorOf(sql().query("SELEC 1"))).toMatchObject({ code: "42601", position: "1" });
    expect(await errorOf(sql().query("SELECT * FROM missing_table"))).toMatchObject({ code: "42P01" });
    expect(await errorOf(sql().query("SELECT $1::int", ["nope"]))).toMatchObject({ code: "22P02" });
    await sql()`DELETE FROM conformance_things`;
  });

  it("refuses several statements in one query, as Neon does", async () => {
    expect(await errorOf(sql().query("SELECT 1; SELECT 2"))).toMatchObject({ code: "42601" });
  });

  it("runs a batch in one transaction and returns each result", async () => {
    const db = sql();
    const [inserted, counted] = await db.transaction([
      db`INSERT INTO conformance_things (name) VALUES ('b1') RETURNING name`,
      db`SELECT count(*)::int AS n FROM conformance_things`,
    ]);
    expect(inserted).toEqual([{ name: "b1" }]);
    expect(counted).toEqual([{ n: 1 }]);
    await db`DELETE FROM conformance_things`;
  });

  it("rolls a whole batch back on its first error", async () => {
    const db = sql();
    const failure = await errorOf(
      db.transaction([
        db`INSERT INTO conformance_things (name) VALUES ('kept?')`,
        db`INSERT INTO conformance_things (name) VALUES ('kept?')`,
      ]),
    );
    expect(failure).toMatchObject({ code: "23505" });
    expect(await db`SELECT name FROM conformance_things`).toEqual([]);
  });

  it("honours a batch's isolation level and read-only mode", async () => {
    const db = sql();
    const [rows] = await db.transaction([db`SHOW transaction_isolation`], { isolationLevel: "Serializable" });
    expect(rows).toEqual([{ transaction_isolation: "serializable" }]);
    const readOnly = await errorOf(
      db.transaction([db`INSERT INTO conformance_things (name) VALUES ('ro')`], { readOnly: true }),
    );
    expect(readOnly).toMatchObject({ code: "25006" });
  });

  it("rolls back a transaction that a single query leaves open", async () => {
    const db = sql();
    await db.query("BEGIN");
    await db`INSERT INTO conformance_things (name) VALUES ('committed')`;
    // Had the BEGIN stayed open, this would undo the insert.
    await db.query("ROLLBACK");
    expect(await db`SELECT name FROM conformance_things`).toEqual([{ name: "committed" }]);
    await db`DELETE FROM conformance_things`;
  });

  it("answers a request without a connection string with 400 and a code", async () => {
    const server = servers.get(kind);
    const response = await fetch(server?.url ?? "", { method: "POST", body: JSON.stringify({ query: "SELECT 1" }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "08001" });
  });
});

/** A POST with exactly these headers (fetch would set Host itself). */
function rawPost(url: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("who the stand-in serves", () => {
  const server = () => servers.get("pglite") as NeonHttpServer;
  const select = JSON.stringify({ query: "SELECT 1 AS one", params: [] });

  it.each(["localhost", "127.0.0.1", "[::1]"])("serves the loopback name %s with its port", async (name) => {
    const answer = await rawPost(
      server().url,
      { Host: `${name}:${server().port}`, "Neon-Connection-String": connectionString },
      select,
    );
    expect(answer).toMatchObject({ status: 200, body: { rows: [{ one: "1" }] } });
  });

  it.each([
    ["another host (a DNS-rebinding page)", () => "attacker.example"],
    ["another host on the same port", (port: number) => `attacker.example:${port}`],
    ["a loopback name on another port", () => "localhost:1"],
    ["a name that only starts like localhost", (port: number) => `localhost.attacker.example:${port}`],
  ])("refuses %s with 403", async (_, host) => {
    const answer = await rawPost(
      server().url,
      { Host: host(server().port), "Neon-Connection-String": connectionString },
      select,
    );
    expect(answer.status).toBe(403);
    expect(String(answer.body.message)).toMatch(/Host .* is not this stand-in's loopback address/);
  });

  it.each([
    ["another password", localDatabaseUrl("guessed")],
    ["no password", "postgresql://brisk@localhost/brisk"],
  ])("refuses a connection string with %s with 403", async (_, wrong) => {
    const response = await fetch(server().url, {
      method: "POST",
      headers: { "Neon-Connection-String": wrong },
      body: select,
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/password is not this run's secret/);
  });

  it("refuses its control endpoints without the run's secret, and serves them with it", async () => {
    const stats = new URL("/__stand-in/stats", server().url);
    expect((await fetch(stats)).status).toBe(403);
    expect((await fetch(stats, { headers: { "Neon-Connection-String": localDatabaseUrl("guessed") } })).status).toBe(
      403,
    );
    expect((await fetch(stats, { headers: { "Neon-Connection-String": connectionString } })).status).toBe(200);
  });

  // A Worker holds its connection while it does other work (a sign-up hashes a password
  // between two statements, for seconds on a busy machine). A server that closes idle
  // connections sooner than the client expects races the client's next request, which then
  // fails as "Network connection lost" (seen in the soak run on a loaded machine).
  it("keeps an idle keep-alive connection open past Node's default 5 s", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = () =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const target = new URL(server().url);
        const req = request(
          { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, socket: req.socket }));
          },
        );
        req.setHeader("Neon-Connection-String", connectionString);
        req.on("error", reject);
        req.end(select);
      });
    try {
      const first = await post();
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      const second = await post();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.socket).toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });

  it("generates a secret of its own when given none, and names it in its database URL", async () => {
    const own = await startNeonHttpServer({ backend: server().backend });
    try {
      expect(own.databaseUrl).not.toBe(connectionString);
      neonConfig.fetchEndpoint = own.url;
      expect(await neon(own.databaseUrl)`SELECT 1 AS one`).toEqual([{ one: 1 }]);
      await expect(neon(connectionString)`SELECT 1 AS one`).rejects.toThrow();
    } finally {
      await own.close();
    }
  });
});

// drizzle's neon-http session replaces the driver's global date parsers with its own,
// so it runs after every plain-driver test above.
describe.each(kinds)("drizzle over the stand-in on %s", (kind) => {
  it("serves drizzle's neon-http queries, errors and batches", async () => {
    const db = drizzle({ client: driverFor(kind) });
    const at = new Date("2026-11-22T10:00:00.000Z");
    const [created] = await db
      .insert(things)
      .values({ name: "d1", meta: { tags: ["a"] }, at })
      .returning();
    expect(created).toMatchObject({ name: "d1", count: 0, done: false, meta: { tags: ["a"] }, at });

    const [updated] = await db
      .update(things)
      .set({ count: drizzleSql`${things.count} + 1`, done: true })
      .where(eq(things.name, "d1"))
      .returning();
    expect(updated).toMatchObject({ count: 1, done: true });

    const failure = await errorOf(db.insert(things).values({ name: "d1" }));
    expect((failure.cause as Record<string, unknown>).code).toBe("23505");

    const [, rows] = await db.batch([
      db.insert(things).values({ name: "d2" }),
      db.select({ name: things.name }).from(things).orderBy(things.name),
    ]);
    expect(rows).toEqual([{ name: "d1" }, { name: "d2" }]);
    await db.delete(things);
  });
});

describe.runIf(kinds.length > 1)("PGlite and PostgreSQL", () => {
  const probes: { query: string; params?: (string | null)[] }[] = [
    {
      query:
        "SELECT 1::int2, 2::int4, 3::int8, 1.50::numeric, 2.5::float8, 2.5::float4, true, 'x'::text, 'y'::varchar(3)",
    },
    { query: "SELECT '2026-11-22T10:00:00.123Z'::timestamptz, '2026-11-22'::date, '10:00'::time, '1 day'::interval" },
    { query: "SELECT '{\"a\": 1}'::json, '{\"a\": 1}'::jsonb, ARRAY['a', NULL, 'b c']::text[], ARRAY[[1,2],[3,4]]" },
    { query: "SELECT $1::text, $2::int, $3::bool, $4::text[], $5::jsonb", params: ["t", "7", "true", "{a,b}", "[1]"] },
    { query: "SELECT '00000000-0000-4000-8000-000000000001'::uuid, '\\x00ff'::bytea, NULL" },
    { query: "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s) ORDER BY n" },
    { query: "SELEC 1" },
    { query: "SELECT 1/0" },
    { query: "SELECT 1; SELECT 2" },
    { query: "SELECT $1::int", params: ["x"] },
  ];

  it.each(probes)("answer $query identically", async (probe) => {
    const answers = await Promise.all(
      kinds.map(async (kind) => {
        const response = await fetch(servers.get(kind)?.url ?? "", {
          method: "POST",
          headers: {
            "Neon-Connection-String": connectionString,
            "Neon-Raw-Text-Output": "true",
            "Neon-Array-Mode": "true",
          },
          body: JSON.stringify({ query: probe.query, params: probe.params ?? [] }),
        });
        const body = (await response.json()) as Record<string, unknown>;
        // Where in Postgres' C source an error was raised differs between versions.
        for (const key of ["file", "line", "routine"]) delete body[key];
        return { status: response.status, body };
      }),
    );
    expect(answers[1]).toEqual(answers[0]);
  });
});
