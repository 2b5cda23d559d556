import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { benchDir, resultsDir } from "../lib/paths.ts";
import { log, settle } from "../lib/section.ts";

/**
 * The seed plan's stack next to Brisk (bench/seed/README.md): a FastAPI service
 * (`app.py`) in a virtual environment of its own under bench/results, installed from
 * `requirements.txt` without the network (`pip --no-index --find-links`), run by uvicorn
 * in one process.
 */

const venv = join(resultsDir, "seed-venv");
const python = join(venv, "bin", "python");

/** Where pip finds the wheels: BRISK_SEED_WHEELS, or the machine's folder of wheels. */
const wheels = process.env.BRISK_SEED_WHEELS || "/opt/pypi/files";

/** Creates the environment once; answers why not when it cannot (the benchmark then skips the comparison). */
export function ensureSeedEnvironment(): { ok: true } | { ok: false; why: string } {
  const marker = join(venv, ".brisk-seed-installed");
  if (existsSync(marker)) return { ok: true };
  try {
    log(`seed: creating ${venv} and installing requirements.txt from ${wheels} (offline)`);
    execFileSync("python3", ["-m", "venv", "--clear", venv], { stdio: "pipe" });
    execFileSync(
      python,
      [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-index",
        "--find-links",
        wheels,
        "-r",
        join(benchDir, "seed", "requirements.txt"),
      ],
      { stdio: "pipe" },
    );
    execFileSync("touch", [marker]);
    return { ok: true };
  } catch (error) {
    const output = error instanceof Error && "stderr" in error ? String((error as { stderr: unknown }).stderr) : "";
    return { ok: false, why: `${String(error).split("\n")[0]} ${output.trim().split("\n").slice(-2).join(" ")}` };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface SeedSettings {
  /** A SQLAlchemy URL of the database Brisk uses (`postgresql+psycopg://…`). */
  databaseUrl: string;
  /** Brisk's key set (`/api/auth/jwks`), which PyJWKClient fetches and caches. */
  jwksUrl: string;
  issuer: string;
  audience: string;
}

export interface RunningSeed {
  url: URL;
  pid: number;
  dispose(): Promise<void>;
}

export async function startSeed(settings: SeedSettings): Promise<RunningSeed> {
  const port = await freePort();
  const child = spawn(
    python,
    [
      "-m",
      "uvicorn",
      "app:app",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
      "--no-access-log",
      "--log-level",
      "warning",
    ],
    {
      cwd: join(benchDir, "seed"),
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        SEED_DATABASE_URL: settings.databaseUrl,
        SEED_JWKS_URL: settings.jwksUrl,
        SEED_ISSUER: settings.issuer,
        SEED_AUDIENCE: settings.audience,
      },
    },
  );
  const url = new URL(`http://127.0.0.1:${port}/`);
  const dispose = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  };
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`the FastAPI service exited with ${child.exitCode}`);
    const ok = await fetch(new URL("/api/health", url)).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return { url, pid: child.pid as number, dispose };
    await settle(100);
  }
  await dispose();
  throw new Error("the FastAPI service did not answer within 30 s");
}
