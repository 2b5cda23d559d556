import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { problem } from "../problems.ts";
import { type AccessToken, getKeySet, InvalidAccessToken, verifyAccessToken } from "./access-token.ts";
import { getAuth } from "./auth.ts";

/** A compact JWS, as an access token is sent. */
export const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The scheme is case-insensitive (RFC 7235 §2.1). */
const bearer = /^Bearer (\S+)$/i;

/**
 * Guards `/api/:userId/*`: a valid access token in `Authorization: Bearer …` (cookies
 * do not authenticate the task API, so it cannot be driven cross-site), whose
 * subject is the user in the path. Verification needs no database or network
 * round trip once the isolate has the key set.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer.exec(c.req.header("Authorization") ?? "")?.[1];
  const { userId, timeZone } = await authenticate(
    c,
    token,
    "Send an access token in an `Authorization: Bearer` header.",
  );
  c.set("userId", userId);
  c.set("timeZone", timeZone ?? "UTC");
  await next();
});

/**
 * The one check of an access token, however it was sent (a header here, the WebSocket
 * protocol list for the live channel): a compact JWS that verifies, whose subject is the
 * user in the path. Otherwise a 401 problem (`missing` says how to send one when there was
 * none) or a 403.
 */
export async function authenticate(
  c: Context<AppEnv>,
  token: string | undefined,
  missing: string,
): Promise<AccessToken> {
  if (!token || !compactJws.test(token)) throw invalidToken(missing);
  const auth = getAuth(c.var.config, c.var.db, c.env);
  let verified: AccessToken;
  try {
    verified = await verifyAccessToken(token, getKeySet(auth, c.var.config), c.var.config);
  } catch (error) {
    if (error instanceof InvalidAccessToken) throw invalidToken("The access token is invalid or has expired.");
    throw error;
  }
  if (verified.userId !== c.req.param("userId"))
    throw problem("forbidden", { detail: "This token is for another user." });
  return verified;
}

function invalidToken(detail: string) {
  return problem("invalid_token", {
    detail,
    headers: { "WWW-Authenticate": `Bearer error="invalid_token", error_description="${detail.replace(/["`]/g, "")}"` },
  });
}
