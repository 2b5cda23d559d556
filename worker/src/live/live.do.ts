import { DurableObject } from "cloudflare:workers";
import { closeCodes, type LiveMessage, liveHeaders, liveProtocol, ping, pong } from "./live.protocol.ts";

/** What each socket remembers across hibernation (`serializeAttachment`, at most 2 KiB). */
interface Attachment {
  /** The session the access token was issued for; absent on tokens issued before tokens named it. */
  sessionId: string | undefined;
  /** When the access token expires, in seconds since the epoch; the socket closes then. */
  expiresAt: number;
}

/** Tags for `getWebSockets(tag)`: every socket of a session, to end just that session. */
const sessionTag = (sessionId: string) => `session:${sessionId}`;

/**
 * One per user (named by the verified token's `sub`, live.routes.ts): holds that user's
 * live sockets and nothing else, and does no database work — it only relays what the
 * Worker tells it. WebSocket Hibernation: the object leaves memory while its sockets are
 * idle, and `{"type":"ping"}` is answered by the runtime without waking it.
 */
export class LiveChannel extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(ping, pong));
  }

  /**
   * The upgrade, already authenticated by the Worker, which passes what the token said in
   * `liveHeaders` (only the Worker can reach this object: it has no route of its own).
   */
  override async fetch(request: Request): Promise<Response> {
    const expiresAt = Number(request.headers.get(liveHeaders.expiresAt));
    const sessionId = request.headers.get(liveHeaders.sessionId) ?? undefined;
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket" || !Number.isFinite(expiresAt)) {
      return new Response("expected an authenticated WebSocket upgrade", { status: 400 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, sessionId ? [sessionTag(sessionId)] : []);
    server.serializeAttachment({ sessionId, expiresAt } satisfies Attachment);
    await this.closeWhenFirstTokenExpires(expiresAt);
    return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": liveProtocol } });
  }

  /** A task write committed: every socket of this user hears the cursor after it. Returns how many sockets were told. */
  announce(cursor: string): number {
    return this.send(this.ctx.getWebSockets(), { type: "changed", cursor });
  }

  /**
   * Sessions ended (sign-out, revocation, a password change, account deletion): their
   * sockets hear `session-ended` and close. `undefined` ends every socket of this user.
   * Returns how many sockets were ended.
   */
  endSessions(sessionIds?: string[]): number {
    const sockets = sessionIds
      ? sessionIds.flatMap((id) => this.ctx.getWebSockets(sessionTag(id)))
      : this.ctx.getWebSockets();
    const ended = this.send(sockets, { type: "session-ended" });
    for (const socket of sockets) closeQuietly(socket, closeCodes.sessionEnded, "session ended");
    return ended;
  }

  /** How many sockets this user has open (tests and the bench read it). */
  socketCount(): number {
    return this.ctx.getWebSockets().length;
  }

  /** The earliest access token among the sockets expired: close those, wake again for the next. */
  override async alarm(): Promise<void> {
    const now = Date.now() / 1000;
    let next = Number.POSITIVE_INFINITY;
    for (const socket of this.ctx.getWebSockets()) {
      const { expiresAt } = attachmentOf(socket);
      if (expiresAt <= now) closeQuietly(socket, closeCodes.tokenExpired, "access token expired");
      else next = Math.min(next, expiresAt);
    }
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next * 1000);
  }

  /** Clients only ping (answered without waking the object); anything else is a chance to notice an expired token. */
  override webSocketMessage(socket: WebSocket): void {
    if (attachmentOf(socket).expiresAt <= Date.now() / 1000) {
      closeQuietly(socket, closeCodes.tokenExpired, "access token expired");
    }
  }

  override webSocketClose(socket: WebSocket, code: number, reason: string): void {
    // Complete the closing handshake the client started (1005/1006 cannot be sent back).
    closeQuietly(socket, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override webSocketError(socket: WebSocket): void {
    closeQuietly(socket, 1011, "socket error");
  }

  private send(sockets: WebSocket[], message: LiveMessage): number {
    const text = JSON.stringify(message);
    let sent = 0;
    for (const socket of sockets) {
      try {
        socket.send(text);
        sent += 1;
      } catch {
        // Already closing: its client reconnects and reads the feed.
      }
    }
    return sent;
  }

  private async closeWhenFirstTokenExpires(expiresAt: number): Promise<void> {
    const scheduled = await this.ctx.storage.getAlarm();
    if (scheduled === null || expiresAt * 1000 < scheduled) await this.ctx.storage.setAlarm(expiresAt * 1000);
  }
}

function attachmentOf(socket: WebSocket): Attachment {
  return socket.deserializeAttachment() as Attachment;
}

function closeQuietly(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Already closed.
  }
}
