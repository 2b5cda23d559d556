import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { authenticate } from "../auth/require-user.ts";
import type { AppEnv } from "../env.ts";
import { forbidden, internalError, problemResponse, unauthorized, unavailable } from "../openapi-responses.ts";
import { problem } from "../problems.ts";
import { UserPath } from "../tasks/tasks.schemas.ts";
import { validationHook } from "../validation.ts";
import { bearerProtocolPrefix, liveHeaders, liveProtocol } from "./live.protocol.ts";

const UpgradeHeaders = z.object({
  upgrade: z.string().optional().openapi({ description: "`websocket`" }),
  "sec-websocket-protocol": z.string().optional().openapi({
    description: "`brisk.v1, bearer.<access token>`: the access token travels here, never in the URL",
    example: "brisk.v1, bearer.eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
  }),
});

const missingToken = `Offer the subprotocols \`${liveProtocol}\` and \`${bearerProtocolPrefix}<access token>\` in Sec-WebSocket-Protocol.`;

export const liveRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: "get",
    path: "/api/{userId}/live",
    operationId: "openLiveChannel",
    summary: "Open the live channel (WebSocket)",
    description:
      "Upgrades to a WebSocket that tells this user's devices when their tasks changed: " +
      '`{"type":"changed","cursor":"…"}` after every write (then read the change feed), ' +
      '`{"type":"session-ended"}` before closing when the session ends. Browsers cannot set ' +
      "`Authorization` on a WebSocket: offer `brisk.v1` and `bearer.<access token>` as subprotocols; the " +
      "answer selects `brisk.v1`. The socket closes (code 4002) when the token expires; reconnect with a " +
      'fresh one. Send `{"type":"ping"}` to hear `{"type":"pong"}`. See docs/live.md.',
    security: [{ webSocketProtocol: [] }],
    request: { params: UserPath, headers: UpgradeHeaders },
    responses: {
      101: {
        description: "Switching Protocols: the WebSocket is open; `Sec-WebSocket-Protocol: brisk.v1`",
        headers: z.object({ "Sec-WebSocket-Protocol": z.literal(liveProtocol) }),
      },
      400: problemResponse("`brisk.v1` was not among the offered subprotocols"),
      401: unauthorized("No valid access token among the subprotocols"),
      403: forbidden,
      426: problemResponse("Not a WebSocket upgrade request", {
        Upgrade: z.literal("websocket").openapi({ description: "The protocol to upgrade to" }),
      }),
      500: internalError,
      503: unavailable("The key set could not be loaded from the database; carries `Retry-After`"),
    },
  }),
  async (c) => {
    const offered = (c.req.header("Sec-WebSocket-Protocol") ?? "").split(",").map((protocol) => protocol.trim());
    const token = offered
      .find((protocol) => protocol.startsWith(bearerProtocolPrefix))
      ?.slice(bearerProtocolPrefix.length);
    // Before anything else: a refused upgrade never reaches the Durable Object.
    const { userId, sessionId, expiresAt } = await authenticate(c, token, missingToken);
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw problem("upgrade_required", {
        detail: "Open this URL as a WebSocket.",
        headers: { Upgrade: "websocket" },
      });
    }
    if (!offered.includes(liveProtocol)) {
      throw problem("invalid_parameter", { detail: `Offer the subprotocol \`${liveProtocol}\` too.` });
    }
    // Only what the verified token said goes on: no cookie, no token, nothing else the client sent.
    const headers = new Headers({ Upgrade: "websocket", [liveHeaders.expiresAt]: String(expiresAt) });
    if (sessionId) headers.set(liveHeaders.sessionId, sessionId);
    const channel = c.env.LIVE.get(c.env.LIVE.idFromName(userId));
    const answer = await channel.fetch(new Request(c.req.url, { headers }));
    // A copy whose headers the middleware after this may still add to (the object's are immutable).
    return new Response(answer.body, { status: answer.status, headers: answer.headers, webSocket: answer.webSocket });
  },
);
