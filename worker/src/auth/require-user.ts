import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { problem } from "../problems.ts";
import { getKeySet, InvalidAccessToken, verifyAccessToken } from "./access-token.ts";
import { getAuth } from "./auth.ts";

/** The scheme is case-insensitive (RFC 7235 §2.1); the token is a compact JWS. */
const bearer = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * Guards `/api/:userId/*`: a valid access token in `Authorization: Bearer …` (cookies
 * do not authenticate the task API, so it cannot be driven cross-site), whose
 * subject is the user in the path. Verification needs no database or network
 * round trip once the isolate has the key set.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const match = bearer.exec(c.req.header("Authorization") ?? "");
  if (!match?.[1]) throw invalidToken("Send an access token in an `Authorization: Bearer` header.");

  const auth = getAuth(c.var.config, c.var.db);
  let userId: string;
  try {
    ({ userId } = await verifyAccessToken(match[1], getKeySet(auth, c.var.config), c.var.config));
  } catch (error) {
    if (error instanceof InvalidAccessToken) throw invalidToken("The access token is invalid or has expired.");
    throw error;
  }
  if (userId !== c.req.param("userId")) throw problem("forbidden", { detail: "This token is for another user." });
  c.set("userId", userId);
  await next();
});

function invalidToken(detail: string) {
  return problem("invalid_token", {
    detail,
    headers: { "WWW-Authenticate": `Bearer error="invalid_token", error_description="${detail.replace(/["`]/g, "")}"` },
  });
}
