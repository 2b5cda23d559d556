/**
 * A kept copy of the growth benchmark's data, to study one statement by hand (bench/growth/README.md,
 * "By hand"): `pnpm --filter @brisk/bench exec node growth/scratch/seed.ts <database> [migrations]` — the first `[migrations]`
 * migrations (default: all), 300 000 tasks of 1 000 other users, then one user's tasks in steps of 10, 100,
 * 1 000, 10 000 and 100 000 with `VACUUM ANALYZE` after each: growth.ts's own `insertTasks`, so the rows are the
 * benchmark's. Drops `<database>` first. About 3 minutes on 2 shared cores.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { defaultPostgresUrl } from "../../../worker/local/local-database.ts";
import { openPostgresBackend } from "../../../worker/local/postgres-backend.ts";
import { insertTasks } from "../growth.ts";

const [database, migrationCount] = process.argv.slice(2);
if (!database || !/^[a-z_][a-z0-9_]*$/.test(database)) {
  console.error(
    "usage: pnpm --filter @brisk/bench exec node growth/scratch/seed.ts <database (a-z, 0-9, _)> [migrations]",
  );
  process.exit(2);
}
const server = process.env.BRISK_POSTGRES_URL || defaultPostgresUrl;
const url = server.replace(/\/[^/]*$/, `/${database}`);
const user = "growthuser0123456789abcdefghijkl";

const psql = (target: string, ...args: string[]) =>
  execFileSync("psql", [target, "-v", "ON_ERROR_STOP=1", "-q", ...args], { stdio: ["ignore", "ignore", "inherit"] });

psql(server, "-c", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, "-c", `CREATE DATABASE ${database}`);
const migrations = join(import.meta.dirname, "..", "..", "..", "worker", "migrations");
const files = readdirSync(migrations)
  .filter((file) => file.endsWith(".sql"))
  .sort()
  .slice(0, migrationCount === undefined ? undefined : Number(migrationCount));
for (const file of files) psql(url, "-f", join(migrations, file));

const backend = openPostgresBackend(url);
const run = (query: string, params: string[] = []) => backend.query({ query, params });
try {
  const hasLists =
    (await run("SELECT 1 FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'list_id'")).rows
      .length > 0;
  await run(
    `INSERT INTO "user" (id, name, email) SELECT 'other-' || g, 'Other ' || g, 'other' || g || '@example.com' FROM generate_series(1, 1000) g`,
  );
  await run(`INSERT INTO "user" (id, name, email) VALUES ($1, 'Growth', 'growth@example.com')`, [user]);
  await backend.query(insertTasks("", 1, 300_000, 1000, hasLists ? [] : "no list column"));
  let lists: string[] | "no list column" = "no list column";
  if (hasLists) {
    await run(
      `INSERT INTO lists (id, user_id, name, position)
        SELECT gen_random_uuid(), $1, name, 'b' || n FROM unnest(ARRAY['Work', 'Home', 'Errands']) WITH ORDINALITY AS l(name, n)`,
      [user],
    );
    const made = await run("SELECT id FROM lists WHERE user_id = $1 ORDER BY inbox DESC, position", [user]);
    lists = made.rows.map((row) => String(row[0]));
  }
  let seeded = 0;
  for (const size of [10, 100, 1_000, 10_000, 100_000]) {
    await backend.query(insertTasks(user, seeded + 1, size, undefined, lists));
    seeded = size;
    await run("VACUUM ANALYZE tasks");
  }
  console.log(`seeded ${database} (user ${user}, ${files.length} migrations)`);
} finally {
  await backend.close();
}
