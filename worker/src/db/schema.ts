// The database schema, one module per feature, gathered here for drizzle and drizzle-kit.
export * from "../auth/auth.schema.ts";
export * from "../lists/lists.schema.ts";
export * from "../mail/mail.schema.ts";
export * from "../tasks/tasks.schema.ts";
