import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { isDatabaseUnavailable } from "../db/errors.ts";
import type { AppEnv } from "../env.ts";
import { problem } from "../problems.ts";

export const healthRoutes = new Hono<AppEnv>().get("/", async (c) => {
  c.header("Cache-Control", "no-store");
  try {
    await c.var.db.execute(sql`select 1`);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    throw problem("database_unavailable", {
      detail: "The database did not answer; try again shortly.",
      headers: { "Retry-After": "5" },
      extensions: { database: "unavailable" },
    });
  }
  return c.json({ status: "ok", database: "ok" });
});
