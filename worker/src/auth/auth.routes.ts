import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { getAuth } from "./auth.ts";

/** Better Auth's own endpoints, unchanged in shape, at /api/auth/*. */
export const authRoutes = new Hono<AppEnv>().on(["GET", "POST"], "/*", async (c) => {
  const response = await getAuth(c.var.config, c.var.db).handler(c.req.raw);
  // Better Auth says when to retry in X-Retry-After; HTTP clients read Retry-After.
  const retryAfter = response.headers.get("X-Retry-After");
  if (response.status === 429 && retryAfter && !response.headers.has("Retry-After")) {
    const headers = new Headers(response.headers);
    headers.set("Retry-After", retryAfter);
    return new Response(response.body, { status: 429, headers });
  }
  return response;
});
