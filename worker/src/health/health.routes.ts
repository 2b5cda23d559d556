import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { isDatabaseUnavailable } from "../db/errors.ts";
import type { AppEnv } from "../env.ts";
import { databaseUnavailable } from "../problems.ts";

/**
 * `GET /api/health` is liveness: the Worker answers, nothing else is touched (load balancers and uptime
 * checks may call it often). `GET /api/health?ready` is readiness: one `select 1` round trip to the database.
 */
export const healthRoutes = new Hono<AppEnv>().get("/", async (c) => {
  c.header("Cache-Control", "no-store");
  if (c.req.query("ready") === undefined) return c.json({ status: "ok" });
  try {
    await c.var.db.execute(sql`select 1`);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    throw databaseUnavailable({ database: "unavailable" });
  }
  return c.json({ status: "ok", database: "ok" });
});
