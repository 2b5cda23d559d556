import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendKindFromEnv, openScratchBackend } from "../local/local-database.ts";
import { type NeonHttpServer, startNeonHttpServer } from "../local/neon-http-server.ts";

/**
 * The deploy docs' migration command, rehearsed: `pnpm db:migrate` run as a child
 * process with DATABASE_URL and NEON_FETCH_ENDPOINT — the same script, driver and
 * batches that run against Neon; only the endpoint is the local stand-in (PGlite,
 * or a scratch database on the PostgreSQL server with BRISK_DB=postgres).
 */
const root = join(import.meta.dirname, "..", "..");
/** What a Neon URL looks like; the stand-in serves its one database whatever it names (the password is its secret). */
const secret = "secret-password";
const databaseUrl =
  "postgresql://brisk:secret-password@ep-rehearsal-123456.us-east-2.aws.neon.tech/neondb?sslmode=require";

/** Brisk's migrations, as drizzle-kit's journal lists them. */
const migrations = (
  JSON.parse(readFileSync(join(root, "worker", "migrations", "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  }
).entries.map((entry) => entry.tag);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `pnpm db:migrate` with exactly these variables set (and nothing of the test's own environment leaking in). */
function dbMigrate(env: Record<string, string | undefined>): Promise<Run> {
  const { DATABASE_URL, NEON_FETCH_ENDPOINT, MIGRATIONS_DIR, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      "pnpm",
      ["db:migrate"],
      { cwd: root, env: { ...inherited, ...env }, timeout: 240_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function startStandIn(): Promise<NeonHttpServer> {
  return startNeonHttpServer({ backend: await openScratchBackend(backendKindFromEnv()), secret });
}

async function stopStandIn(server: NeonHttpServer | undefined) {
  if (!server) return;
  await server.close();
  await server.backend.close();
}

function sqlOn(server: NeonHttpServer) {
  return async <Row = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<Row[]> => {
    neonConfig.fetchEndpoint = server.url;
    return (await neon(databaseUrl).query(query, params)) as Row[];
  };
}

async function tablesIn(server: NeonHttpServer, schema: string): Promise<string[]> {
  const rows = await sqlOn(server)<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
    [schema],
  );
  return rows.map((row) => row.name);
}

describe("pnpm db:migrate against the stand-in, as against Neon", () => {
  let server: NeonHttpServer | undefined;

  beforeAll(async () => {
    server = await startStandIn();
  });
  afterAll(() => stopStandIn(server));

  it("applies every migration to an empty database", async () => {
    if (!server) throw new Error("no stand-in");
    const run = await dbMigrate({ DATABASE_URL: databaseUrl, NEON_FETCH_ENDPOINT: server.url });
    expect(run.stderr).not.toMatch(/failed/i);
    expect(run.code).toBe(0);
    for (const tag of migrations) expect(run.stdout).toContain(`applied migration ${tag}`);
    expect(run.stdout).toContain(`Applied ${migrations.length} migration(s).`);

    expect(await tablesIn(server, "public")).toEqual(
      expect.arrayContaining([
        "account",
        "common_password",
        "jwks",
        "rate_limit",
        "session",
        "tasks",
        "user",
        "verification",
      ]),
    );
    const history = await sqlOn(server)("SELECT hash, created_at FROM drizzle.__drizzle_migrations");
    expect(history).toHaveLength(migrations.length);
    // Reference data comes with the migrations: the list of common passwords.
    expect(await sqlOn(server)("SELECT count(*)::int AS n FROM common_password")).toEqual([{ n: 11_611 }]);
  });

  it("is idempotent: a second run finds the database up to date and changes nothing", async () => {
    if (!server) throw new Error("no stand-in");
    const run = await dbMigrate({ DATABASE_URL: databaseUrl, NEON_FETCH_ENDPOINT: server.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("The database is up to date.");
    expect(run.stdout).not.toContain("applied migration");
    expect(await sqlOn(server)("SELECT 1 FROM drizzle.__drizzle_migrations")).toHaveLength(migrations.length);
  });

  it("fails with exit code 1 and a clear message when the database cannot be reached", async () => {
    const run = await dbMigrate({ DATABASE_URL: databaseUrl, NEON_FETCH_ENDPOINT: "http://127.0.0.1:1/sql" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Migration failed; nothing was applied");
    expect(run.stderr).not.toContain("secret-password");
  });
});

describe("a migration that fails midway", () => {
  let server: NeonHttpServer | undefined;
  let folder = "";

  beforeAll(async () => {
    server = await startStandIn();
    folder = await mkdtemp(join(tmpdir(), "brisk-migrations-"));
  });
  afterAll(async () => {
    await stopStandIn(server);
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** A drizzle-kit migrations folder: journal plus one SQL file per migration, statements split by breakpoints. */
  async function writeMigrations(migrations: { tag: string; when: number; statements: string[] }[]) {
    await mkdir(join(folder, "meta"), { recursive: true });
    const entries = migrations.map(({ tag, when }, idx) => ({ idx, version: "7", when, tag, breakpoints: true }));
    await writeFile(
      join(folder, "meta", "_journal.json"),
      JSON.stringify({ version: "7", dialect: "postgresql", entries }),
    );
    for (const { tag, statements } of migrations) {
      await writeFile(join(folder, `${tag}.sql`), statements.join("\n--> statement-breakpoint\n"));
    }
  }

  const first = { tag: "0000_first", when: 1_000, statements: ["CREATE TABLE rehearsal_a (id integer PRIMARY KEY)"] };

  it("leaves nothing of it applied, keeps the migrations before it, and applies it once fixed", async () => {
    if (!server) throw new Error("no stand-in");
    const env = { DATABASE_URL: databaseUrl, NEON_FETCH_ENDPOINT: server.url, MIGRATIONS_DIR: folder };
    // The second migration's first two statements succeed; its third refers to a table that does not exist.
    await writeMigrations([
      first,
      {
        tag: "0001_breaks",
        when: 2_000,
        statements: [
          "CREATE TABLE rehearsal_b (id integer PRIMARY KEY)",
          "INSERT INTO rehearsal_a (id) VALUES (1)",
          "INSERT INTO rehearsal_missing (id) VALUES (1)",
        ],
      },
    ]);

    const failed = await dbMigrate(env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("applied migration 0000_first");
    expect(failed.stderr).toContain("Migration 0001_breaks failed");
    expect(failed.stderr).toContain("rehearsal_missing");

    const sql = sqlOn(server);
    const tables = await tablesIn(server, "public");
    expect(tables).toContain("rehearsal_a");
    expect(tables).not.toContain("rehearsal_b");
    expect(await sql("SELECT id FROM rehearsal_a")).toEqual([]);
    expect(await sql("SELECT created_at FROM drizzle.__drizzle_migrations")).toEqual([{ created_at: "1000" }]);

    // Fixed (as a developer would fix the file), the rerun applies only the failed migration.
    await writeMigrations([
      first,
      {
        tag: "0001_breaks",
        when: 2_000,
        statements: ["CREATE TABLE rehearsal_b (id integer PRIMARY KEY)", "INSERT INTO rehearsal_a (id) VALUES (1)"],
      },
    ]);
    const fixed = await dbMigrate(env);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).not.toContain("0000_first");
    expect(fixed.stdout).toContain("applied migration 0001_breaks");
    expect(fixed.stdout).toContain("Applied 1 migration(s).");
    expect(await sql("SELECT id FROM rehearsal_a")).toEqual([{ id: 1 }]);
    expect(await tablesIn(server, "public")).toContain("rehearsal_b");
  });

  it("lets two migrators racing (two deploys at once) leave one consistent history", async () => {
    if (!server) throw new Error("no stand-in");
    await writeMigrations([
      first,
      { tag: "0001_breaks", when: 2_000, statements: ["CREATE TABLE rehearsal_b (id integer PRIMARY KEY)"] },
      { tag: "0002_race", when: 3_000, statements: ["CREATE TABLE rehearsal_c (id integer PRIMARY KEY)"] },
    ]);
    const env = { DATABASE_URL: databaseUrl, NEON_FETCH_ENDPOINT: server.url, MIGRATIONS_DIR: folder };
    const runs = await Promise.all([dbMigrate(env), dbMigrate(env)]);
    // One of them applies it; the other either sees it applied or fails and rolls back whole.
    expect(runs.some((run) => run.code === 0 && run.stdout.includes("applied migration 0002_race"))).toBe(true);
    for (const run of runs.filter((run) => run.code !== 0)) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("Migration 0002_race failed");
    }
    const rerun = await dbMigrate(env);
    expect(rerun.stdout).toContain("The database is up to date.");
    expect(await sqlOn(server)("SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY 1")).toEqual([
      { created_at: "1000" },
      { created_at: "2000" },
      { created_at: "3000" },
    ]);
  });
});

describe("pnpm db:migrate refuses a wrong setting with exit code 2, naming it", () => {
  it.each([
    ["DATABASE_URL is missing", { DATABASE_URL: undefined }, /DATABASE_URL is not set/],
    ["DATABASE_URL is empty", { DATABASE_URL: "" }, /DATABASE_URL is not set/],
    [
      "DATABASE_URL is not a URL",
      { DATABASE_URL: "ep-rehearsal.neon.tech/neondb" },
      /DATABASE_URL is not a PostgreSQL connection string/,
    ],
    [
      "DATABASE_URL is another database's URL",
      { DATABASE_URL: "mysql://user:secret-password@host/db" },
      /DATABASE_URL is not a PostgreSQL connection string/,
    ],
    [
      "DATABASE_URL names no database",
      { DATABASE_URL: "postgresql://user:secret-password@ep-rehearsal.neon.tech" },
      /DATABASE_URL is not a PostgreSQL connection string/,
    ],
    [
      "NEON_FETCH_ENDPOINT is not an http(s) URL",
      { DATABASE_URL: databaseUrl, NEON_FETCH_ENDPOINT: "127.0.0.1:5480/sql" },
      /NEON_FETCH_ENDPOINT must be empty/,
    ],
    [
      "MIGRATIONS_DIR is not a migrations folder",
      { DATABASE_URL: databaseUrl, MIGRATIONS_DIR: tmpdir() },
      /MIGRATIONS_DIR must be a drizzle-kit migrations folder/,
    ],
  ])("when %s", async (_, env, message) => {
    const run = await dbMigrate(env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    // A connection string holds a password: it is never echoed back.
    expect(run.stderr).not.toContain("secret-password");
  });
});
