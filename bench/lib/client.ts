import { newIp, signUpAndIn } from "../../worker/test/accounts.ts";
import { origin } from "./workerd.ts";

export { newIp };

/** Requests to a running Worker, as the site would send them. */

export interface CallOptions {
  method?: string;
  body?: unknown;
  token?: string;
  cookie?: string;
  ip?: string;
  /** The Origin header: the Worker's BETTER_AUTH_URL (`origin` for the in-process workerd, the URL for wrangler dev). */
  origin?: string;
}

export function requestHeaders(options: CallOptions): Record<string, string> {
  const headers: Record<string, string> = {
    Origin: options.origin ?? origin,
    "cf-connecting-ip": options.ip ?? newIp(),
  };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.Cookie = options.cookie;
  return headers;
}

export function call(base: URL | string, path: string, options: CallOptions = {}): Promise<Response> {
  return fetch(new URL(path, base), {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers: requestHeaders(options),
    body: options.body === undefined ? null : JSON.stringify(options.body),
  });
}

export async function expectOk(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
}

export interface SignedUpUser {
  id: string;
  email: string;
  password: string;
  /** Cookie header value with the session cookie. */
  cookie: string;
  /** The session token as stored in the `session` table (the cookie's value before its signature). */
  sessionToken: string;
  /** An access token (JWT) for the task API. */
  token: string;
}

export const benchPassword = "correct horse battery staple";

/**
 * Signs a user up and in through the real endpoints and exchanges the session for an access token.
 * `from` sets the requests' Origin and client address (each request a new address by default).
 */
export async function signUp(
  base: URL | string,
  email: string,
  from: Pick<CallOptions, "origin" | "ip"> = {},
): Promise<SignedUpUser> {
  const { id, cookie } = await signUpAndIn((path, body) => call(base, path, { ...from, body }), {
    name: "Bench",
    email,
    password: benchPassword,
  });
  const sessionCookie = /better-auth\.session_token=([^;]+)/.exec(cookie)?.[1];
  if (!sessionCookie) throw new Error("sign-in set no session cookie");
  const tokenResponse = await expectOk(await call(base, "/api/auth/token", { ...from, cookie }), "token");
  const { token } = (await tokenResponse.json()) as { token: string };
  const sessionToken = decodeURIComponent(sessionCookie).split(".")[0] as string;
  return { id, email, password: benchPassword, cookie, sessionToken, token };
}
