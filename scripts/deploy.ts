/**
 * `pnpm ship --env <staging|production> [wrangler deploy options]`
 *   builds the site, checks the environment's configuration, and runs
 *   `wrangler deploy --env <name>` (see docs/deploy.md). Migrations are a separate
 *   step that comes first: `DATABASE_URL=… pnpm db:migrate`.
 * `pnpm ship:dry-run`
 *   checks and bundles every environment of wrangler.jsonc with
 *   `wrangler deploy --dry-run` into dist/worker-<name>: no Cloudflare account needed.
 *
 * The checks catch what wrangler accepts silently: `vars` and `secrets` are not
 * inherited by an environment, and a deployed Worker must talk to Neon itself.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { experimental_readRawConfig, unstable_readConfig } from "wrangler";

const root = join(import.meta.dirname, "..");
const configPath = join(root, "wrangler.jsonc");
/** The secrets every deployed environment needs (worker/src/config.ts validates them). */
const requiredSecrets = ["DATABASE_URL", "BETTER_AUTH_SECRET", "BETTER_AUTH_URL"];

const log = (line: string) => console.log(`\x1b[36m[deploy]\x1b[0m ${line}`);

function fail(message: string): never {
  console.error(`\x1b[31m[deploy] ${message}\x1b[0m`);
  process.exit(2);
}

/** The environments declared in wrangler.jsonc (`env.<name>`). */
function environments(): string[] {
  const { rawConfig } = experimental_readRawConfig({ config: configPath }, { hideWarnings: true });
  return Object.keys(rawConfig.env ?? {});
}

/** What is wrong with one environment's configuration, as the deploy would see it; empty when nothing. */
export function problemsOf(env: string): string[] {
  // `env: ""` is the top level even when CLOUDFLARE_ENV is set.
  const topLevel = unstable_readConfig({ config: configPath, env: "" }, { hideWarnings: true });
  const config = unstable_readConfig({ config: configPath, env }, { hideWarnings: true });
  const problems: string[] = [];
  const where = `env.${env}`;

  const vars = config.vars as Record<string, unknown>;
  for (const name of Object.keys(topLevel.vars)) {
    if (!(name in vars)) problems.push(`${where} has no vars.${name} (vars are not inherited: repeat each one)`);
  }
  if (vars.NEON_FETCH_ENDPOINT !== "") {
    problems.push(`${where} vars.NEON_FETCH_ENDPOINT must be "" so that the Worker talks to Neon's own endpoint`);
  }
  if (vars.DEV_MAILBOX !== "") {
    problems.push(`${where} vars.DEV_MAILBOX must be "": the development mailbox would show every mail to anyone`);
  }
  if (!config.send_email.some((binding: { name: string }) => binding.name === "EMAIL")) {
    problems.push(`${where} needs the send_email binding EMAIL (bindings are not inherited: repeat it)`);
  }
  const secrets = config.secrets?.required ?? [];
  for (const name of requiredSecrets) {
    if (!secrets.includes(name)) problems.push(`${where} secrets.required must list ${name}`);
  }
  for (const name of requiredSecrets) {
    if (name in vars) problems.push(`${where} vars.${name} would publish a secret: set it with wrangler secret put`);
  }
  if (!config.placement) {
    problems.push(`${where} has no placement: set placement.region to the Neon project's region (decision 008)`);
  }
  if (!config.observability?.enabled) problems.push(`${where} must keep observability enabled (Workers Logs)`);
  if (!config.compatibility_flags.includes("nodejs_compat")) {
    problems.push(`${where} needs "compatibility_flags": ["nodejs_compat"] (Better Auth, password hashing)`);
  }
  if (!config.assets?.run_worker_first || !JSON.stringify(config.assets.run_worker_first).includes("/api/*")) {
    problems.push(`${where} must route /api/* to the Worker first (assets.run_worker_first)`);
  }
  if (config.name === topLevel.name) {
    problems.push(`${where} deploys as "${config.name}", the same Worker as the top level: give it its own name`);
  }
  return problems;
}

function run(command: string, args: string[]): number {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: "inherit",
    env: { WRANGLER_SEND_METRICS: "false", ASTRO_TELEMETRY_DISABLED: "1", ...process.env },
  });
  return result.status ?? 1;
}

function buildSite() {
  log("building the site (web/dist)");
  if (run("pnpm", ["build"]) !== 0) fail("the site build failed");
}

/** Splits `--env X`, `--env=X`, `-e X` and `--all-environments` from the options passed on to wrangler. */
function parseArgs(args: string[]) {
  let env = process.env.CLOUDFLARE_ENV || undefined;
  let all = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--env" || arg === "-e") env = args[++i];
    else if (arg.startsWith("--env=")) env = arg.slice("--env=".length);
    else if (arg === "--all-environments") all = true;
    else if (arg !== "--") rest.push(arg);
  }
  return { env, all, rest };
}

function main() {
  const { env, all, rest } = parseArgs(process.argv.slice(2));
  const known = environments();
  if (known.length === 0) fail("wrangler.jsonc declares no environments (env.staging, env.production)");

  if (all) {
    if (!rest.includes("--dry-run")) fail("--all-environments is only for --dry-run; deploy one environment at a time");
    if (!existsSync(join(root, "web", "dist", "index.html"))) buildSite();
    let failed = false;
    for (const name of known) {
      const problems = problemsOf(name);
      for (const problem of problems) console.error(`\x1b[31m[deploy] ${problem}\x1b[0m`);
      log(`${name}: wrangler deploy --dry-run --env ${name} → dist/worker-${name}`);
      const code = run("wrangler", ["deploy", "--env", name, "--outdir", join("dist", `worker-${name}`), ...rest]);
      if (problems.length > 0 || code !== 0) failed = true;
    }
    if (failed) fail("an environment is not ready to deploy (see above)");
    log(`every environment bundles and is configured: ${known.join(", ")}`);
    return;
  }

  if (!env) {
    fail(
      `name the environment: pnpm ship --env <${known.join("|")}>` +
        " (the top level of wrangler.jsonc is for local development)",
    );
  }
  if (!known.includes(env)) fail(`no environment "${env}" in wrangler.jsonc; there are: ${known.join(", ")}`);
  const problems = problemsOf(env);
  if (problems.length > 0) fail(problems.join("\n"));

  buildSite();
  log(`wrangler deploy --env ${env} ${rest.join(" ")}`.trim());
  const code = run("wrangler", ["deploy", "--env", env, ...rest]);
  if (code !== 0) process.exit(code);
  if (!rest.includes("--dry-run")) {
    log("deployed. Next: warm the signing key and check health (docs/deploy.md, step 7):");
    log('  curl -fsS https://<your-host>/api/auth/jwks && curl -fsS "https://<your-host>/api/health?ready"');
  }
}

if (import.meta.main) main();
