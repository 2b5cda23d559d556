import { WebSocket as ReconnectingWebSocket } from "partysocket";
import {
  bearerProtocolPrefix,
  closeCodes,
  type LiveMessage,
  liveProtocol,
  ping,
} from "../../../worker/src/live/live.protocol.ts";
import { getAccessToken } from "./api-client.ts";
import { config } from "./config.ts";
import { SessionEndedError } from "./problems.ts";

/**
 * The live channel (docs/live.md) while /tasks is open: partysocket reconnects with back-off,
 * each time with a fresh access token in the subprotocol. It only says "read the feed"; the
 * feed is the truth, so it is read on every (re)connect too.
 */
export interface LiveHandlers {
  onChanged: () => void;
  onSessionEnded: () => void;
}

/** How often to ping, and how long to wait for any answer before taking the connection for dead. */
export interface LiveTiming {
  pingIntervalMs: number;
  pongTimeoutMs: number;
}

const defaultTiming: LiveTiming = {
  pingIntervalMs: config.livePingIntervalMs,
  pongTimeoutMs: config.livePongTimeoutMs,
};

export function connectLive(userId: string, handlers: LiveHandlers, timing: LiveTiming = defaultTiming): () => void {
  let freshToken = false;
  const url = () => {
    const { protocol, host } = window.location;
    return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/api/${encodeURIComponent(userId)}/live`;
  };
  const protocols = async () => {
    const token = await getAccessToken(freshToken).catch((error: unknown) => {
      if (error instanceof SessionEndedError) handlers.onSessionEnded();
      throw error;
    });
    freshToken = false;
    return [liveProtocol, `${bearerProtocolPrefix}${token.value}`];
  };
  const socket = new ReconnectingWebSocket(url, protocols, {
    minReconnectionDelay: 500 + Math.random() * 500,
    maxReconnectionDelay: 15_000,
    connectionTimeout: 10_000,
    // Offline, attempts would only fail (each asking for a token first): wait for the network.
    startClosed: !navigator.onLine,
  });
  /** The first unanswered ping's deadline: no answer by then, and the connection is taken for dead. */
  let pongDue: ReturnType<typeof setTimeout> | undefined;
  const rest = () => {
    clearTimeout(pongDue);
    pongDue = undefined;
    socket.close();
  };
  const wake = () => socket.reconnect();
  window.addEventListener("offline", rest);
  window.addEventListener("online", wake);
  /** After the session ended, or when the page is done with the channel: no more connections. */
  const end = () => {
    window.removeEventListener("offline", rest);
    window.removeEventListener("online", wake);
    clearInterval(heartbeat);
    clearTimeout(pongDue);
    socket.close();
  };
  socket.addEventListener("open", handlers.onChanged);
  socket.addEventListener("message", (event: MessageEvent) => {
    // Any answer shows the connection is alive.
    clearTimeout(pongDue);
    pongDue = undefined;
    let message: LiveMessage | { type: "pong" };
    try {
      message = JSON.parse(String(event.data)) as LiveMessage;
    } catch {
      return;
    }
    if (message.type === "changed") handlers.onChanged();
    else if (message.type === "session-ended") {
      end();
      handlers.onSessionEnded();
    }
  });
  socket.addEventListener("close", (event: CloseEvent) => {
    // The ping in flight belonged to this connection; the next one starts its own clock.
    clearTimeout(pongDue);
    pongDue = undefined;
    if (event.code === closeCodes.sessionEnded) {
      end();
      handlers.onSessionEnded();
    } else if (event.code === closeCodes.tokenExpired) freshToken = true;
  });
  // Intermediaries drop silent connections; the runtime answers the ping without waking anything.
  // A connection can also die without a close (a laptop waking up, a network change): when no
  // answer comes in time, reconnect — the new connection reads the feed, so nothing is missed.
  const heartbeat = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(ping);
    // The clock runs from the first unanswered ping.
    pongDue ??= setTimeout(() => {
      pongDue = undefined;
      socket.reconnect();
    }, timing.pongTimeoutMs);
  }, timing.pingIntervalMs);
  return end;
}
