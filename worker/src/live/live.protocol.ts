/**
 * The live channel's wire protocol (docs/live.md), shared by the route, the Durable
 * Object and the tests.
 */

/** The subprotocol the server selects; the client offers it with `bearer.<access token>`. */
export const liveProtocol = "brisk.v1";

/** How the access token rides in `Sec-WebSocket-Protocol` (browsers cannot set `Authorization`). */
export const bearerProtocolPrefix = "bearer.";

/** What the server sends. */
export type LiveMessage = { type: "changed"; cursor: string } | { type: "session-ended" };

/** The heartbeat: the runtime answers it without waking the Durable Object. */
export const ping = JSON.stringify({ type: "ping" });
export const pong = JSON.stringify({ type: "pong" });

/** Close codes beyond 1000 (RFC 6455 §7.4.2 leaves 4000–4999 to applications). */
export const closeCodes = {
  /** The session behind the token ended: sign in again. */
  sessionEnded: 4001,
  /** The access token expired: reconnect with a fresh one. */
  tokenExpired: 4002,
} as const;

/** What the Worker tells the Durable Object about the verified token, on the upgrade request it forwards. */
export const liveHeaders = {
  sessionId: "Brisk-Session-Id",
  expiresAt: "Brisk-Token-Expires-At",
} as const;
