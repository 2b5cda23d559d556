import { z } from "zod";

/**
 * The Worker's settings, validated once per isolate. A missing or malformed setting
 * fails every request with a message naming the setting, instead of failing later
 * somewhere deep inside the driver.
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
  DB_TIMEOUT_MS: z.coerce
    .number({ error: "DB_TIMEOUT_MS must be a number of milliseconds" })
    .int("DB_TIMEOUT_MS must be a whole number of milliseconds")
    .min(100, "DB_TIMEOUT_MS must be at least 100")
    .max(60_000, "DB_TIMEOUT_MS must be at most 60000")
    .default(5000),
});

export type Config = {
  databaseUrl: string;
  /** The SQL-over-HTTP endpoint; undefined means Neon's own, derived from the URL's host. */
  neonFetchEndpoint: string | undefined;
  dbTimeoutMs: number;
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
  const config: Config = {
    databaseUrl: result.data.DATABASE_URL,
    neonFetchEndpoint: result.data.NEON_FETCH_ENDPOINT || undefined,
    dbTimeoutMs: result.data.DB_TIMEOUT_MS,
  };
  parsed.set(env, config);
  return config;
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === "postgresql:" || url.protocol === "postgres:") &&
      url.hostname !== "" &&
      url.username !== "" &&
      url.pathname.length > 1
    );
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
