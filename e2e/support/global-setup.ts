import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port.ts";
import { localDatabaseUrl } from "../../worker/local/neon-http-server.ts";
import { findChromium } from "./chromium.ts";
import { suiteEnv } from "./env.ts";

const root = join(import.meta.dirname, "..", "..");

/**
 * Starts Brisk exactly as `pnpm dev` does — scripts/dev.ts: the local Neon stand-in
 * on a fresh embedded PGlite, migrations, the site build and `wrangler dev` — on free
 * ports, hands its addresses to the tests in the environment (support/env.ts; the
 * workers start after this and inherit it), and stops it afterwards.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.BRISK_DB === "postgres") {
    // The browser suite runs the app as `pnpm dev` does, on embedded PGlite; it has nothing to add per backend.
    const reason = "BRISK_DB=postgres: the browser suite runs once, on the default embedded database.";
    console.warn(`\n[e2e] ${reason}\n`);
    process.env[suiteEnv.skipped] = reason;
    return undefined;
  }
  const chromium = findChromium();
  if (!chromium) {
    // No silent skip: without a browser the suite fails, unless told to skip it (BRISK_E2E=skip).
    const message = "No Chromium found: apt-get install chromium, or set CHROMIUM_PATH.";
    if (process.env.BRISK_E2E !== "skip") {
      throw new Error(`${message} To run every other suite without the browser tests: BRISK_E2E=skip pnpm test.`);
    }
    console.warn(`\n[e2e] ${message} BRISK_E2E=skip: the browser tests are skipped.\n`);
    process.env[suiteEnv.skipped] = `${message} BRISK_E2E=skip`;
    return undefined;
  }

  const dataDir = mkdtempSync(join(tmpdir(), "brisk-e2e-"));
  const port = await freePort();
  const dbPort = await freePort();
  const standInSecret = randomBytes(24).toString("base64url");
  const app = spawn(process.execPath, ["scripts/dev.ts"], {
    cwd: root,
    env: {
      ...process.env,
      BRISK_DB: "pglite",
      PORT: String(port),
      BRISK_DB_PORT: String(dbPort),
      BRISK_PGLITE_DIR: dataDir,
      // Lets tests inject database faults through the stand-in (tests/faults.e2e.ts).
      BRISK_STAND_IN_CONTROL: "1",
      BRISK_STAND_IN_SECRET: standInSecret,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const record = (chunk: Buffer) => {
    output += chunk.toString();
  };
  app.stdout?.on("data", record);
  app.stderr?.on("data", record);

  const baseUrl = `http://localhost:${port}`;
  try {
    await waitForHealth(`${baseUrl}/api/health?ready`, app, () => output);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  process.env[suiteEnv.baseUrl] = baseUrl;
  process.env[suiteEnv.standInUrl] = `http://127.0.0.1:${dbPort}`;
  process.env[suiteEnv.standInDatabaseUrl] = localDatabaseUrl(standInSecret);

  return async () => {
    await stop(app);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

async function waitForHealth(url: string, app: ChildProcess, output: () => string) {
  const deadline = Date.now() + 280_000;
  while (Date.now() < deadline) {
    if (app.exitCode !== null) throw new Error(`the app exited (${app.exitCode}):\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop(app);
  throw new Error(`the app did not become healthy at ${url}:\n${output()}`);
}

/** SIGTERM to the whole process group: the dev script, wrangler and workerd. */
function stop(app: ChildProcess): Promise<void> {
  if (app.exitCode !== null || app.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      process.kill(-(app.pid as number), "SIGKILL");
      resolve();
    }, 15_000);
    app.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(-(app.pid as number), "SIGTERM");
  });
}
