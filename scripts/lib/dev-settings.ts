import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * Local secrets that stay between runs live in .dev.vars (git-ignored): a missing one is
 * generated, existing ones are kept. Returns the names it added.
 */
export function ensureDevVars(path: string): string[] {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  const wanted: Record<string, string> = { BETTER_AUTH_SECRET: randomBytes(32).toString("base64url") };
  const missing = Object.entries(wanted).filter(([name]) => !new RegExp(`^${name}=`, "m").test(existing));
  if (missing.length === 0) return [];
  const lines = missing.map(([name, value]) => `${name}=${value}`).join("\n");
  writeFileSync(path, `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}${lines}\n`, { mode: 0o600 });
  return missing.map(([name]) => name);
}

/**
 * The arguments and environment of `wrangler dev` for one run of `pnpm dev`. What changes
 * with every run — the stand-in's address and secret (in DATABASE_URL) and the origin — is
 * passed in the environment: with `--env-file`, wrangler reads secrets from the file and from
 * its environment, and finds every secret wrangler.jsonc requires (no "Missing required
 * secrets" warning). Nothing at start-up reaches the internet: no metrics, no download of
 * the `Request.cf` sample (offline, that printed ENOTFOUND traces; the placeholder is fine).
 */
export function wranglerDevSettings(options: {
  port: number;
  standInUrl: string;
  databaseUrl: string;
  devVarsPath: string;
}): { args: string[]; env: Record<string, string> } {
  return {
    args: [
      "dev",
      "--port",
      String(options.port),
      "--env-file",
      options.devVarsPath,
      "--show-interactive-dev-session=false",
      // The Cron Trigger's work (pruning) runs by hand: `curl http://localhost:<port>/cdn-cgi/local/scheduled`.
      // Without it wrangler warns on every start that scheduled Workers do not run locally.
      "--test-scheduled",
      // Mail stays on this machine: kept in the development mailbox (/__dev/mailbox), one line per mail printed.
      "--var",
      "DEV_MAILBOX:on",
    ],
    env: {
      DATABASE_URL: options.databaseUrl,
      BETTER_AUTH_URL: `http://localhost:${options.port}`,
      NEON_FETCH_ENDPOINT: options.standInUrl,
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  };
}
