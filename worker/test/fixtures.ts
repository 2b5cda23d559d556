import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import worker from "../src/index.ts";
import { cookiesOf, newIp, signUpAndIn } from "./accounts.ts";
import { assertMatchesContract } from "./contract.ts";

export { cookiesOf, newIp };

/** The origin the Worker is configured with in tests (BETTER_AUTH_URL). */
export const origin = "http://localhost";

export interface RequestOptions {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, with whatever Content-Type `headers` give (for malformed or non-JSON bodies). */
  rawBody?: string;
  cookie?: string;
  token?: string;
  ip?: string;
  headers?: Record<string, string>;
  /** Other bindings for this request (from `bindingsWith`); the Worker entry is then called directly. */
  env?: Env;
}

/** Calls the Worker as a browser on our origin would; task-API answers are checked against the OpenAPI document. */
export async function call(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (!headers.has("Origin")) headers.set("Origin", origin);
  headers.set("cf-connecting-ip", options.ip ?? newIp());
  if (options.cookie) headers.set("Cookie", options.cookie);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  if (options.body !== undefined && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  const body = options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body));
  const request = new Request(new URL(path, origin), {
    method: options.method ?? (body === null ? "GET" : "POST"),
    headers,
    body,
  });
  const response = await send(request.clone(), options.env);
  await assertMatchesContract(request, response);
  return response;
}

async function send(request: Request, bindings: Env | undefined): Promise<Response> {
  if (!bindings) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/**
 * The test bindings with some replaced. The Worker keeps its configuration, Better
 * Auth instance and key-set cache per bindings object, so a new object behaves like
 * a freshly started isolate, and reusing it like a warm one.
 */
export function bindingsWith(overrides: Partial<Env>): Env {
  // A site off localhost is a deployed one, and a deployed Worker has no development mailbox.
  const deployed = overrides.BETTER_AUTH_URL !== undefined && !isLoopbackUrl(overrides.BETTER_AUTH_URL);
  return { ...env, ...(deployed ? { DEV_MAILBOX: "" } : {}), ...overrides };
}

function isLoopbackUrl(value: string): boolean {
  return URL.canParse(value) && ["localhost", "127.0.0.1", "[::1]"].includes(new URL(value).hostname);
}

let userCounter = 0;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  cookie: string;
}

/** Signs a new user up through the real endpoint; returns their session cookie. */
export async function signUp(
  overrides: Partial<{ email: string; password: string; name: string; timeZone: string }> = {},
  options: RequestOptions = {},
): Promise<TestUser> {
  userCounter += 1;
  const email = overrides.email ?? `user${userCounter}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = overrides.password ?? "correct horse battery staple";
  const person = { name: overrides.name ?? `User ${userCounter}`, email, password, timeZone: overrides.timeZone };
  const { id, cookie } = await signUpAndIn((path, body) => call(path, { ...options, body }), person);
  return { id, email, password, cookie };
}

export async function signIn(email: string, password: string, options: RequestOptions = {}): Promise<Response> {
  return call("/api/auth/sign-in/email", { ...options, body: { email, password } });
}

/** Exchanges a session cookie for an access token. */
export async function accessToken(cookie: string, options: RequestOptions = {}): Promise<string> {
  const response = await call("/api/auth/token", { ...options, cookie });
  if (response.status !== 200) throw new Error(`/token failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
