/**
 * `pnpm dev` — Brisk on this machine in one command:
 *   1. creates .dev.vars with the local auth secret on first run;
 *   2. starts the local Neon stand-in (embedded PGlite in .brisk/pglite, kept between
 *      runs; or the PostgreSQL server with BRISK_DB=postgres) with a secret of this run
 *      (the password in the DATABASE_URL wrangler gets), and applies migrations through
 *      it, over the same HTTP driver path the Worker uses;
 *   3. builds the site, and rebuilds it when web/ changes;
 *   4. runs `wrangler dev` pointed at the stand-in, and says where Brisk is.
 * Ctrl-C stops everything, closes the database cleanly and exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { watch } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { backendKindFromEnv } from "../worker/local/local-database.ts";
import { startNeonHttpServer } from "../worker/local/neon-http-server.ts";
import { openPgliteBackend } from "../worker/local/pglite-backend.ts";
import { openPostgresBackend } from "../worker/local/postgres-backend.ts";
import type { SqlBackend } from "../worker/local/sql-backend.ts";
import { applyMigrations } from "../worker/scripts/migrate.ts";
import { ensureDevVars, wranglerDevSettings } from "./lib/dev-settings.ts";

const root = join(import.meta.dirname, "..");
const port = parsePort("PORT", process.env.PORT ?? "8787");
const dbPort = parsePort("BRISK_DB_PORT", process.env.BRISK_DB_PORT ?? "5480");
const pgliteDir = process.env.BRISK_PGLITE_DIR || join(root, ".brisk", "pglite");
const devVarsPath = join(root, ".dev.vars");
/** Only this run's Worker (and the browser suite, which sets it) may use the stand-in. */
const standInSecret = process.env.BRISK_STAND_IN_SECRET || randomBytes(24).toString("base64url");

const log = (line: string) => console.log(`\x1b[36m[brisk]\x1b[0m ${line}`);

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];
let stopping = false;

async function main() {
  const kind = backendKindFromEnv();
  const added = ensureDevVars(devVarsPath);
  if (added.length > 0) log(`wrote ${added.join(", ")} to .dev.vars`);

  await assertPortFree(dbPort, "BRISK_DB_PORT");
  const backend = await openBackend(kind);
  cleanups.push(() => backend.close());
  // The fault-injection and reset endpoints are for the browser suite only (it sets this); never where data matters.
  const control = process.env.BRISK_STAND_IN_CONTROL === "1";
  const server = await startNeonHttpServer({ backend, port: dbPort, control, secret: standInSecret });
  cleanups.unshift(() => server.close());
  log(`database: ${kind === "pglite" ? `embedded PGlite in ${pgliteDir}` : "PostgreSQL server"} via ${server.url}`);
  if (control) log("stand-in control endpoints (/__stand-in/*) are on: faults can be injected");

  const { applied } = await applyMigrations({ databaseUrl: server.databaseUrl, fetchEndpoint: server.url, log });
  log(applied === 0 ? "migrations: up to date" : `migrations: applied ${applied}`);

  await buildSite();
  watchSite();

  const settings = wranglerDevSettings({ port, standInUrl: server.url, databaseUrl: server.databaseUrl, devVarsPath });
  const wrangler = run("wrangler", settings.args, { keepAlive: true, env: settings.env });
  wrangler.on("exit", (code) => {
    if (!stopping) {
      log(`wrangler dev exited (${code ?? "signal"}); stopping.`);
      void stop(code ?? 1);
    }
  });
  await waitForHealth(`http://localhost:${port}/api/health?ready`);
  log(`Brisk is running at \x1b[1mhttp://localhost:${port}\x1b[0m — Ctrl-C to stop.`);
}

async function openBackend(kind: "pglite" | "postgres"): Promise<SqlBackend> {
  if (kind === "postgres") {
    const url = process.env.BRISK_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
    return openPostgresBackend(url);
  }
  await mkdir(pgliteDir, { recursive: true });
  return openPgliteBackend(pgliteDir);
}

function buildSite(): Promise<void> {
  return new Promise((resolve, reject) => {
    // Always the production build of the site (React's development build is twice the size),
    // whatever NODE_ENV the caller runs under (the browser suite starts this script from vitest).
    run("pnpm", ["--filter", "@brisk/web", "build"], { env: { NODE_ENV: "production" } }).on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`the site build failed (exit ${code})`)),
    );
  });
}

/** Rebuilds the site when web/src or web/public changes; wrangler serves the new files at once. */
function watchSite() {
  let timer: NodeJS.Timeout | undefined;
  let building = false;
  let again = false;
  const rebuild = async () => {
    if (building) {
      again = true;
      return;
    }
    building = true;
    try {
      await buildSite();
      log("site rebuilt");
    } catch (error) {
      log(String(error));
    }
    building = false;
    if (again) {
      again = false;
      void rebuild();
    }
  };
  for (const dir of ["web/src", "web/public"]) {
    const watcher = watch(join(root, dir), { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(rebuild, 150);
    });
    cleanups.push(async () => watcher.close());
  }
}

function run(
  command: string,
  args: string[],
  options: { keepAlive?: boolean; env?: Record<string, string> } = {},
): ChildProcess {
  const child = spawn(command, args, {
    cwd: root,
    stdio: "inherit",
    // Its own process group, so stopping it reaches what it starts in turn (wrangler → workerd).
    detached: true,
    env: { WRANGLER_SEND_METRICS: "false", ASTRO_TELEMETRY_DISABLED: "1", ...process.env, ...options.env },
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  if (!options.keepAlive) child.on("error", (error) => log(`${command}: ${error.message}`));
  return child;
}

async function waitForHealth(url: string) {
  for (let attempt = 0; attempt < 240 && !stopping; attempt++) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!stopping) log(`no healthy answer from ${url} yet; see wrangler's output above`);
}

function assertPortFree(value: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () =>
      reject(new Error(`port ${value} is in use (is another \`pnpm dev\` running?); set ${name} to use another`)),
    );
    probe.listen(value, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

function parsePort(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535) {
    console.error(`${name} must be a port number between 1 and 65535, not "${value}"`);
    process.exit(2);
  }
  return parsed;
}

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  log("stopping…");
  for (const child of children) signalGroup(child, "SIGTERM");
  await Promise.all(
    [...children].map((child) => new Promise((resolve) => child.once("exit", resolve).once("error", resolve))),
  );
  for (const cleanup of cleanups) await cleanup().catch((error) => log(`cleanup: ${String(error)}`));
  log("stopped.");
  process.exit(code);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal); // the group is gone already
  }
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

main().catch((error: unknown) => {
  console.error(`\x1b[31m[brisk] ${error instanceof Error ? error.message : String(error)}\x1b[0m`);
  void stop(1);
});
