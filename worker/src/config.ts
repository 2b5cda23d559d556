import { z } from "zod";
import { isPostgresUrl } from "./db/connection-string.ts";

/**
 * The Worker's settings, validated once per isolate. A missing or malformed setting
 * fails every request with a message naming the setting, instead of failing later
 * somewhere deep inside a library.
 */
const configSchema = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is not set: set it with `wrangler secret put DATABASE_URL` (or in .dev.vars)" })
    .refine(isPostgresUrl, {
      error: "DATABASE_URL must be a connection string like postgresql://user:password@host/database",
    }),
  NEON_FETCH_ENDPOINT: z
    .string()
    .default("")
    .refine((value) => value === "" || isHttpUrl(value), {
      error: "NEON_FETCH_ENDPOINT must be empty (Neon's own endpoint) or an http(s) URL",
    }),
  DB_TIMEOUT_MS: integerSetting("DB_TIMEOUT_MS", 100, 60_000).default(5000),
  BETTER_AUTH_URL: z
    .string({ error: "BETTER_AUTH_URL is not set: set it to the site's public URL, e.g. https://brisk.example.com" })
    .refine(isHttpUrl, {
      error: "BETTER_AUTH_URL must be the site's public http(s) URL, e.g. https://brisk.example.com",
    }),
  BETTER_AUTH_SECRET: z
    .string({ error: "BETTER_AUTH_SECRET is not set: set it with `wrangler secret put BETTER_AUTH_SECRET`" })
    .min(32, "BETTER_AUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)"),
  BETTER_AUTH_SECRETS: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const secrets = parseVersionedSecrets(value);
      if (typeof secrets === "string") ctx.addIssue({ code: "custom", message: secrets });
      return typeof secrets === "string" ? [] : secrets;
    }),
  TRUSTED_ORIGINS: z
    .string()
    .default("")
    .transform((value) => value.split(",").map((origin) => origin.trim()))
    .transform((origins) => origins.filter((origin) => origin !== ""))
    .refine((origins) => origins.every(isHttpUrl), {
      error: "TRUSTED_ORIGINS must be a comma-separated list of http(s) origins",
    }),
  ACCESS_TOKEN_TTL_SECONDS: integerSetting("ACCESS_TOKEN_TTL_SECONDS", 60, 86_400).default(900),
  MAIL_FROM: z
    .string({ error: "MAIL_FROM is not set: set it to the sender, e.g. Brisk <no-reply@brisk.example.com>" })
    .transform((value, ctx) => {
      const sender = parseSender(value);
      if (!sender) {
        ctx.addIssue({
          code: "custom",
          message: "MAIL_FROM must be an address like no-reply@brisk.example.com or Brisk <no-reply@brisk.example.com>",
        });
      }
      return sender ?? { name: "", email: "" };
    }),
  DEV_MAILBOX: z.enum(["", "on"], { error: 'DEV_MAILBOX must be "on" or empty' }).default(""),
});

export type Config = {
  databaseUrl: string;
  /** The SQL-over-HTTP endpoint; undefined means Neon's own, derived from the URL's host. */
  neonFetchEndpoint: string | undefined;
  dbTimeoutMs: number;
  /** The site's public origin: Better Auth's base URL, the JWT issuer. */
  baseUrl: string;
  authSecret: string;
  /** Versioned secrets, newest first (BETTER_AUTH_SECRETS="2:new,1:old"); empty when unused. */
  authSecrets: { version: number; value: string }[];
  trustedOrigins: string[];
  accessTokenTtlSeconds: number;
  /** Who Brisk's mail comes from (MAIL_FROM). */
  mailFrom: { name: string; email: string };
  /** Development only: mail is kept in the development mailbox (/__dev/mailbox) instead of sent. */
  devMailbox: boolean;
};

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration: ${issues.join("; ")}`);
    this.name = "ConfigError";
  }
}

const parsed = new WeakMap<object, Config>();

/** Reads the settings from the Worker's bindings; the result is kept for the isolate's life. */
export function readConfig(env: Env): Config {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = configSchema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => issue.message));
  const settings = result.data;
  // The mailbox shows every mail (reset links among them) to anyone who can reach the site.
  if (settings.DEV_MAILBOX === "on" && !isLoopback(settings.BETTER_AUTH_URL)) {
    throw new ConfigError(["DEV_MAILBOX is for local development only: BETTER_AUTH_URL must be on localhost"]);
  }
  const config: Config = {
    databaseUrl: settings.DATABASE_URL,
    neonFetchEndpoint: settings.NEON_FETCH_ENDPOINT || undefined,
    dbTimeoutMs: settings.DB_TIMEOUT_MS,
    baseUrl: new URL(settings.BETTER_AUTH_URL).origin,
    authSecret: settings.BETTER_AUTH_SECRET,
    authSecrets: settings.BETTER_AUTH_SECRETS,
    trustedOrigins: settings.TRUSTED_ORIGINS.map((origin) => new URL(origin).origin),
    accessTokenTtlSeconds: settings.ACCESS_TOKEN_TTL_SECONDS,
    mailFrom: settings.MAIL_FROM,
    devMailbox: settings.DEV_MAILBOX === "on",
  };
  parsed.set(env, config);
  return config;
}

function integerSetting(name: string, min: number, max: number) {
  return z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);
}

/** "2:secret-two,1:secret-one" → [{version: 2, …}, {version: 1, …}], or a message saying what is wrong. */
function parseVersionedSecrets(value: string): { version: number; value: string }[] | string {
  if (value.trim() === "") return [];
  const secrets = [];
  const seen = new Set<number>();
  for (const entry of value.split(",")) {
    const match = /^\s*(\d+):(.+?)\s*$/.exec(entry);
    if (!match?.[1] || !match[2]) return "BETTER_AUTH_SECRETS must look like 2:new-secret,1:old-secret";
    const version = Number(match[1]);
    if (seen.has(version)) return `BETTER_AUTH_SECRETS: version ${version} appears twice`;
    seen.add(version);
    if (match[2].length < 32) return `BETTER_AUTH_SECRETS: the secret of version ${version} is under 32 characters`;
    secrets.push({ version, value: match[2] });
  }
  return secrets;
}

/** "Brisk <no-reply@brisk.example.com>" or "no-reply@brisk.example.com" → name and address; undefined otherwise. */
function parseSender(value: string): { name: string; email: string } | undefined {
  const match = /^\s*(?:(.*?)\s*<([^<>]+)>|([^<>\s]+))\s*$/.exec(value);
  const email = match?.[2] ?? match?.[3];
  if (!email || !z.email().safeParse(email).success) return undefined;
  return { name: match?.[1] ?? "", email };
}

export function isLoopback(url: string): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(new URL(url).hostname);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
