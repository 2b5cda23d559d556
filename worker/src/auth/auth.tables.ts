import { relations } from "drizzle-orm";
import { bigint, boolean, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Better Auth's tables, owned here: first generated from Better Auth's model
 * (core tables, the JWT plugin's `jwks`, database rate limiting's `rateLimit`),
 * then kept by hand. Export names are Better Auth's model names; the drizzle
 * adapter looks tables up by them.
 */

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

export const user = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  /** Set by the two-factor plugin once a TOTP secret has been confirmed with a code. */
  twoFactorEnabled: boolean("two_factor_enabled").default(false),
  /**
   * The person's IANA time zone (a Better Auth additional field, set from the browser at
   * sign-up, changed on the account page): "now" and "today" for the task API when a request
   * names no `tz`, and the zone of a timed due date given without one. Null: UTC.
   */
  timeZone: text("time_zone"),
  ...timestamps,
});

export const session = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    token: text("token").notNull().unique(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    /** Where the session started, as Cloudflare placed the request (request.cf); shown in the devices list. */
    city: text("city"),
    country: text("country"),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    ...timestamps,
  },
  (table) => [index("session_user_id_idx").on(table.userId)],
);

export const account = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    password: text("password"),
    ...timestamps,
  },
  (table) => [index("account_user_id_idx").on(table.userId)],
);

export const verification = pgTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (table) => [index("verification_identifier_idx").on(table.identifier)],
);

/** Signing keys of the JWT plugin; private keys are encrypted with the auth secret. */
export const jwks = pgTable("jwks", {
  id: text("id").primaryKey(),
  publicKey: text("public_key").notNull(),
  privateKey: text("private_key").notNull(),
  alg: text("alg"),
  crv: text("crv"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  /** When the key stops signing; it keeps verifying for the grace period after. */
  expiresAt: timestamp("expires_at", { withTimezone: true }),
});

/**
/**
 * A person's TOTP secret and backup codes (two-factor plugin), both encrypted with
 * the auth secret. `verified` stays false until a code from the authenticator app
 * confirms the secret; the failure count and lock are Better Auth's per-account
 * lockout of wrong codes at sign-in.
 */
export const twoFactor = pgTable(
  "two_factor",
  {
    id: text("id").primaryKey(),
    secret: text("secret").notNull(),
    backupCodes: text("backup_codes").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    verified: boolean("verified").default(true),
    failedVerificationCount: integer("failed_verification_count").default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
  },
  (table) => [index("two_factor_user_id_idx").on(table.userId), index("two_factor_secret_idx").on(table.secret)],
);

/** WebAuthn credentials (passkey plugin): the public key and signature counter of each. */
export const passkey = pgTable(
  "passkey",
  {
    id: text("id").primaryKey(),
    name: text("name"),
    publicKey: text("public_key").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    credentialID: text("credential_id").notNull(),
    counter: integer("counter").notNull(),
    deviceType: text("device_type").notNull(),
    backedUp: boolean("backed_up").notNull(),
    transports: text("transports"),
    createdAt: timestamp("created_at", { withTimezone: true }),
    aaguid: text("aaguid"),
  },
  (table) => [index("passkey_user_id_idx").on(table.userId), index("passkey_credential_id_idx").on(table.credentialID)],
);

/**
 * Throttle counters shared by every isolate (rate-limit-storage.ts), keyed on a
 * route name and a client address or account hash; pruned by the Cron Trigger,
 * which the index on `last_request` serves.
 */
export const rateLimit = pgTable(
  "rate_limit",
  {
    id: text("id").primaryKey(),
    key: text("key").notNull().unique(),
    count: integer("count").notNull(),
    lastRequest: bigint("last_request", { mode: "number" }).notNull(),
  },
  (table) => [index("rate_limit_last_request_idx").on(table.lastRequest)],
);

/**
 * The list of common passwords refused at sign-up and password change (lower-cased),
 * reference data written by a migration (see scripts/generate-common-passwords.ts),
 * not by the app. Kept in the database rather than in the Worker bundle, where it
 * was a tenth of the size; decision 010.
 */
export const commonPassword = pgTable("common_password", {
  password: text("password").primaryKey(),
});

/**
 * How the tables above join, for Better Auth's native joins (`advanced.database.joins` in auth.ts):
 * a session is read with its user in one statement — one database round trip, not two, on every
 * `GET /api/auth/token` (docs/performance.md "First tasks on /tasks"). No SQL changes with them.
 */
export const userRelations = relations(user, ({ many }) => ({ sessions: many(session), accounts: many(account) }));
export const sessionRelations = relations(session, ({ one }) => ({
  user: one(user, { fields: [session.userId], references: [user.id] }),
}));
export const accountRelations = relations(account, ({ one }) => ({
  user: one(user, { fields: [account.userId], references: [user.id] }),
}));
