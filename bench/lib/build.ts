import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { benchDir, resultPath, root } from "./paths.ts";

/** Runs a command from the repository root; rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        ASTRO_TELEMETRY_DISABLED: "1",
        CI: "true",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} failed (${code}):\n${output}`)),
    );
  });
}

const bin = (name: string) => join(root, "node_modules", ".bin", name);

export interface WorkerBundle {
  /** index.js as wrangler wrote it. */
  path: string;
  code: string;
  /** esbuild's metafile for it. */
  metafile: string;
  sourcemap: string;
}

/**
 * The Worker exactly as `pnpm bundle` builds it (`wrangler deploy --dry-run`), into
 * bench/results/<name>. `aliases` adds `--alias module:path` pairs, to measure a
 * change to wrangler.jsonc's `alias` without making it.
 */
export async function bundleWorker(
  name = "worker",
  aliases: Record<string, string> = {},
  /** Another checkout to bundle (e.g. a scratch copy with a change to try); this one by default. */
  cwd = root,
): Promise<WorkerBundle> {
  const outdir = resultPath(name, "x").replace(/\/x$/, "");
  const metafile = join(outdir, "meta.json");
  const aliasArgs = Object.entries(aliases).flatMap(([module, path]) => ["--alias", `${module}:${path}`]);
  await run(
    bin("wrangler"),
    ["deploy", "--dry-run", "--env=", "--outdir", outdir, "--metafile", metafile, ...aliasArgs],
    { cwd },
  );
  const path = join(outdir, "index.js");
  return { path, code: readFileSync(path, "utf8"), metafile, sourcemap: `${path}.map` };
}

/**
 * The static site as `pnpm build` builds it (`astro build` in web/), written to
 * bench/results/site rather than web/dist, so that another build running at the same
 * time (the e2e suite builds the site too) cannot swap files under the measurement.
 * NODE_ENV is pinned to production: a test runner's NODE_ENV=test, inherited by
 * `astro build`, ships React's development build (~60 KiB gzip more per page).
 */
export async function buildSite(): Promise<string> {
  const outDir = resultPath("site", "x").replace(/\/x$/, "");
  await run("pnpm", ["--filter", "@brisk/web", "exec", "astro", "build", "--outDir", outDir], {
    env: { NODE_ENV: "production" },
  });
  if (!existsSync(join(outDir, "index.html"))) throw new Error(`astro build wrote no ${outDir}/index.html`);
  return outDir;
}

/**
 * A bench-only Worker module (harness, baseline) bundled the way wrangler bundles
 * for workerd: ESM, the `workerd`/`worker`/`browser` export conditions, `node:*`
 * left to the runtime (nodejs_compat). `external` modules stay imports, e.g. the
 * real bundle a harness wraps.
 */
export async function bundleBenchModule(entry: string, external: string[] = []): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [join(benchDir, entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["node:*", "cloudflare:*", ...external],
    minify: true,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild wrote nothing for ${entry}`);
  return output.text;
}
