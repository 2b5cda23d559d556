import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { ensureDevVars, wranglerDevSettings } from "./dev-settings.ts";

const root = join(import.meta.dirname, "..", "..");
const { rawConfig } = experimental_readRawConfig({ config: join(root, "wrangler.jsonc") });
const requiredSecrets: string[] = rawConfig.secrets?.required ?? [];

const folders: string[] = [];
function devVarsPath(content?: string): string {
  const folder = mkdtempSync(join(tmpdir(), "brisk-dev-vars-"));
  folders.push(folder);
  const path = join(folder, ".dev.vars");
  if (content !== undefined) writeFileSync(path, content);
  return path;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const settings = () =>
  wranglerDevSettings({
    port: 8841,
    standInUrl: "http://127.0.0.1:5494/sql",
    databaseUrl: "postgresql://brisk:run-secret@localhost/brisk",
    devVarsPath: "/repo/.dev.vars",
  });

describe("what `pnpm dev` gives wrangler dev", () => {
  it("supplies every secret wrangler.jsonc requires, so wrangler warns of none missing", () => {
    const path = devVarsPath();
    ensureDevVars(path);
    const fromFile = readFileSync(path, "utf8");
    const { env } = settings();
    expect(requiredSecrets.length).toBeGreaterThan(0);
    for (const name of requiredSecrets) {
      const supplied = new RegExp(`^${name}=.`, "m").test(fromFile) || Boolean(env[name]);
      expect(supplied, `${name} is supplied`).toBe(true);
    }
  });

  it("passes the run's own database URL and origin, and reads the other secrets from .dev.vars", () => {
    const { args, env } = settings();
    expect(env).toMatchObject({
      DATABASE_URL: "postgresql://brisk:run-secret@localhost/brisk",
      BETTER_AUTH_URL: "http://localhost:8841",
      NEON_FETCH_ENDPOINT: "http://127.0.0.1:5494/sql",
    });
    // An env file makes wrangler take secrets from the process environment as well as from the file.
    expect(args).toEqual(expect.arrayContaining(["--env-file", "/repo/.dev.vars", "--port", "8841"]));
  });

  it("serves the Cron Trigger's work by hand at /cdn-cgi/local/scheduled, so wrangler prints no warning that crons do not run", () => {
    expect(settings().args).toContain("--test-scheduled");
  });

  it("keeps mail in the development mailbox instead of sending it", () => {
    expect(settings().args.join(" ")).toContain("--var DEV_MAILBOX:on");
  });

  it("turns off what reaches the internet at start-up (metrics, the Request.cf download)", () => {
    expect(settings().env).toMatchObject({ WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" });
  });

  it("creates .dev.vars with a generated auth secret, readable by the owner only", () => {
    const path = devVarsPath();
    expect(ensureDevVars(path)).toEqual(["BETTER_AUTH_SECRET"]);
    expect(readFileSync(path, "utf8")).toMatch(/^BETTER_AUTH_SECRET=[\w-]{43}\n$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("keeps an existing .dev.vars as it is", () => {
    const path = devVarsPath("BETTER_AUTH_SECRET=kept\nDATABASE_URL=postgresql://old@localhost/brisk\n");
    expect(ensureDevVars(path)).toEqual([]);
    expect(readFileSync(path, "utf8")).toBe("BETTER_AUTH_SECRET=kept\nDATABASE_URL=postgresql://old@localhost/brisk\n");
  });
});

describe(".dev.vars.example", () => {
  const example = readFileSync(join(root, ".dev.vars.example"), "utf8");
  const listed = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
  // The names worker/src/config.ts validates: the keys of its settings schema.
  const validated = [
    ...readFileSync(join(root, "worker", "src", "config.ts"), "utf8").matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm),
  ].map((match) => match[1] as string);

  it("lists every setting the Worker validates, each with a comment", () => {
    expect(validated.length).toBeGreaterThan(5);
    for (const name of validated) {
      expect(listed, name).toContain(name);
      expect(example, `${name} has a comment above it`).toMatch(new RegExp(`^#.*\\n${name}=`, "m"));
    }
  });

  it("lists every var and required secret of the configuration", () => {
    for (const name of [...Object.keys(rawConfig.vars ?? {}), ...requiredSecrets]) expect(listed, name).toContain(name);
  });
});
