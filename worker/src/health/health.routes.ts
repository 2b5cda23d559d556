import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { isDatabaseUnavailable } from "../db/errors.ts";
import type { AppEnv } from "../env.ts";
import { internalError, json, problemResponse, unavailable } from "../openapi-responses.ts";
import { databaseUnavailable } from "../problems.ts";
import { validationHook } from "../validation.ts";

const HealthQuery = z.object({
  ready: z.string().optional().openapi({
    description: "Present (any value, even empty: `?ready`): readiness, one round trip to the database",
    example: "",
  }),
});

const Health = z
  .object({
    status: z.literal("ok"),
    database: z.literal("ok").optional().openapi({ description: "With `?ready`: the database answered" }),
  })
  .openapi("Health");

/**
 * `GET /api/health` is liveness: the Worker answers, nothing else is touched (load balancers and uptime
 * checks may call it often). `GET /api/health?ready` is readiness: one `select 1` round trip to the database.
 */
export const healthRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "get",
    path: "/",
    operationId: "checkHealth",
    summary: "Liveness, or readiness with `?ready`",
    description:
      "Without `ready`: the Worker answers (nothing else is touched). With `?ready`: one round trip to the " +
      "database, 503 with `Retry-After` when it does not answer. No token needed; never cached.",
    security: [],
    request: { query: HealthQuery },
    responses: {
      200: json(Health, "Alive (and, with `?ready`, the database answered)"),
      400: problemResponse("`ready` given more than once"),
      500: internalError,
      503: unavailable("`?ready` only: the database did not answer in time; the body says `database: unavailable`"),
    },
  }),
  async (c) => {
    c.header("Cache-Control", "no-store");
    if (c.req.valid("query").ready === undefined) return c.json({ status: "ok" as const }, 200);
    try {
      await c.var.db.execute(sql`select 1`);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      throw databaseUnavailable({ database: "unavailable" });
    }
    return c.json({ status: "ok" as const, database: "ok" as const }, 200);
  },
);
