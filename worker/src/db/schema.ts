// The database schema: one module per feature, re-exported here for drizzle and drizzle-kit.
// Tables arrive with their features (auth, tasks); the foundation has none yet.
export {};
