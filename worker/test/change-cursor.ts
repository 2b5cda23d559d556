import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { app } from "../src/app.ts";
import type { AppEnv } from "../src/env.ts";
import { newIp, origin } from "./fixtures.ts";

/**
 * The app behind a recorder of what each request left in `changeCursor` — the cursor a write
 * hands to the live channel (test code only): `write` sends one bearer request and answers with
 * the response and the cursor that request handed off.
 */
export function recordedWrites() {
  const handedOff: (string | undefined)[] = [];
  const recorded = new Hono<AppEnv>()
    .use(async (c, next) => {
      await next();
      handedOff.push(c.var.changeCursor);
    })
    .route("/", app);

  async function write(token: string, url: string, method: string, body?: unknown, extra: Record<string, string> = {}) {
    const headers = new Headers({
      Authorization: `Bearer ${token}`,
      Origin: origin,
      "cf-connecting-ip": newIp(),
      ...extra,
    });
    if (body !== undefined) headers.set("Content-Type", "application/json");
    const request = new Request(new URL(url, origin), {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    const ctx = createExecutionContext();
    const response = await recorded.fetch(request, env, ctx);
    await waitOnExecutionContext(ctx);
    return { response, cursor: handedOff.at(-1) };
  }

  return { write, lastHandedOff: () => handedOff.at(-1) };
}
