// The database schema, one module per feature, gathered here for drizzle and drizzle-kit.
export * from "../auth/auth.tables.ts";
export * from "../lists/lists.tables.ts";
export * from "../mail/mail.tables.ts";
export * from "../tasks/tasks.tables.ts";
