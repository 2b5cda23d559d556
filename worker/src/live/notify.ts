import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { errorForLog, logEvent } from "../log.ts";

/**
 * Messages to a user's live channel (live.do.ts), sent after the fact and never
 * awaited by the answer they follow (callers hand them to `waitUntil`). A failure is
 * logged and loses nothing: clients read the change feed, the truth, when they
 * reconnect.
 */

/** The user's Durable Object: named by the verified user id, never by anything a client sent. */
function channelOf(namespace: Env["LIVE"], userId: string) {
  return namespace.get(namespace.idFromName(userId));
}

/** A task write committed: the user's sockets hear `changed` with the cursor after it. */
export async function announceChange(namespace: Env["LIVE"], userId: string, cursor: string): Promise<void> {
  try {
    await channelOf(namespace, userId).announce(cursor);
  } catch (error) {
    logEvent("warn", "live fan-out failed", { error: errorForLog(error) });
  }
}

/** Sessions ended: their sockets (every socket of the user when `sessionIds` is undefined) hear `session-ended` and close. */
export async function endLiveSessions(namespace: Env["LIVE"], userId: string, sessionIds?: string[]): Promise<void> {
  try {
    await channelOf(namespace, userId).endSessions(sessionIds);
  } catch (error) {
    logEvent("warn", "live session end failed", { error: errorForLog(error) });
  }
}

/**
 * Mounted on the task routes, after the guard: once a write that changed something has
 * answered (its route set `changeCursor`), the user's sockets hear the new cursor. The
 * answer never waits on it.
 */
export const announceChanges = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const cursor = c.get("changeCursor");
  if (cursor !== undefined) c.executionCtx.waitUntil(announceChange(c.env.LIVE, c.var.userId, cursor));
});
