import { defineConfig } from "drizzle-kit";

// `pnpm db:generate` writes SQL migrations from the drizzle schema; `pnpm db:migrate`
// applies them over Neon's HTTP driver (worker/scripts/migrate.ts).
export default defineConfig({
  dialect: "postgresql",
  schema: "./worker/src/db/schema.ts",
  out: "./worker/migrations",
  strict: true,
  verbose: true,
});
