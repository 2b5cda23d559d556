import { config } from "./config.ts";
import { currentPath, navigation, signInUrl, wasSignedIn } from "./navigation.ts";

/**
 * The only module that calls `fetch`. It holds the access token in memory (never in
 * storage), renews it before it expires, retries a request once after a 401 with a fresh
 * token, re-sends idempotent writes after a network failure or a 503, asks the server
 * what it holds when a write's outcome is unknown, and turns problem+json answers into
 * `ApiError`s the UI can put into plain words.
 */

export const priorities = ["none", "low", "medium", "high"] as const;
export type Priority = (typeof priorities)[number];

export interface Task {
  id: string;
  userId: string;
  title: string;
  description: string;
  completed: boolean;
  completedAt: string | null;
  priority: Priority;
  dueAt: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The fields a person edits. */
export interface TaskFields {
  title: string;
  description: string;
  priority: Priority;
  dueAt: string | null;
  tags: string[];
}

export interface NewTask extends TaskFields {
  id: string;
  completed?: boolean;
}

export type TaskPatch = Partial<TaskFields & { completed: boolean }>;

export type StatusFilter = "all" | "pending" | "completed";
export type SortKey = "created" | "updated" | "title" | "due" | "priority";

/**
 * Which tasks a request means: the list's filters. The listing and the bulk changes take
 * the same ones, so "the tasks shown" is one statement on the server.
 */
export interface TaskFilters {
  status: StatusFilter;
  q?: string;
}

export interface TaskQuery extends TaskFilters {
  sort: SortKey;
  order: "asc" | "desc";
  limit?: number;
}

/** `PATCH /tasks?<filters>`: the tasks it changed (send them back as `ids` to undo). */
export interface Marked {
  updated: number;
  ids: string[];
}

/** `DELETE /tasks?status=completed&<filters>`: the tasks it deleted, and the token that restores them. */
export interface Cleared {
  deleted: number;
  ids: string[];
  undo: string;
}

/** `POST /tasks/restore`: the tasks of the deletion, as they are now. */
export interface Restored {
  restored: number;
  tasks: Task[];
}

export interface TaskPage {
  tasks: Task[];
  /** The next page's address (from `Link: <…>; rel="next"`), or null on the last page. */
  next: string | null;
  /** How many tasks match the query (`X-Total-Count`). */
  total: number;
}

export interface FieldError {
  path: string;
  message: string;
}

/** A refusal from the server (or no answer at all: status 0), with what the UI needs to explain it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly fieldErrors: readonly FieldError[] = [],
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

/** The session behind the access token is gone; the person is being sent to sign in. */
export class SessionEndedError extends ApiError {
  constructor() {
    super(401, "session_ended", "Your session has ended — please sign in again");
    this.name = "SessionEndedError";
  }
}

/** Plain words for an error, fit to show a person. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong. Please try again.";
  if (error instanceof SessionEndedError) return error.detail;
  if (error.status === 0) return "Brisk could not be reached — check your connection and try again.";
  if (error.status === 429) return `Too many attempts — try again ${inSeconds(error.retryAfterSeconds, true)}.`;
  if (error.status === 503) return `The server is busy — try again ${inSeconds(error.retryAfterSeconds ?? 5)}.`;
  if (error.status >= 500) return "Something went wrong on our side. Please try again.";
  switch (error.code) {
    // Better Auth refuses a cookie-bearing request from an origin it does not trust.
    case "INVALID_ORIGIN":
    case "MISSING_OR_NULL_ORIGIN":
      return untrustedOriginMessage(window.location.origin);
    case "task_not_found":
      return "That task no longer exists — it may have been deleted elsewhere.";
    case "version_mismatch":
      return "That task was changed elsewhere. Reload to see the latest version.";
    case "validation_failed":
      return error.fieldErrors.map((e) => e.message).join(". ") || error.detail;
    case "invalid_token":
    case "forbidden":
      return "Your sign-in could not be confirmed. Reload the page and try again.";
    default:
      return error.detail || "The request was refused.";
  }
}

/**
 * Why the server refused this page, and what to do: a bare "Invalid origin" told a person
 * who opened the app at 127.0.0.1 nothing. A loopback name is pointed at `localhost`.
 */
export function untrustedOriginMessage(origin: string): string {
  const url = new URL(origin);
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  const instead = loopback
    ? `open it at ${url.protocol}//localhost${url.port ? `:${url.port}` : ""}`
    : "open Brisk at the address it was set up with";
  return `This page's address (${origin}) is not one this server trusts — ${instead}, or add ${origin} to TRUSTED_ORIGINS.`;
}

function inSeconds(seconds: number | null, withClock = false): string {
  if (seconds === null || seconds <= 1) return "in a moment";
  const span = seconds < 90 ? `in ${seconds} seconds` : `in ${Math.ceil(seconds / 60)} minutes`;
  if (!withClock) return span;
  const at = new Date(Date.now() + seconds * 1000).toLocaleTimeString(undefined, {
    hour: "numeric",
    minute: "2-digit",
  });
  return `${span} (at ${at})`;
}

/* ------------------------------------------------------------------ fetch */

/** The network boundary. Better Auth's client is handed this too, so no other module fetches. */
export function rawFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return globalThis.fetch(input, init);
}

async function fetchOrNetworkError(input: string, init: RequestInit): Promise<Response> {
  try {
    return await rawFetch(input, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network_error", "The server could not be reached.");
  }
}

/** Reads a refusal: problem+json from the task API, `{code, message}` from Better Auth. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status has to speak for itself.
  }
  const record = isRecord(body) ? body : {};
  const code = typeof record.code === "string" ? record.code : `http_${response.status}`;
  const detail =
    typeof record.detail === "string"
      ? record.detail
      : typeof record.message === "string"
        ? record.message
        : response.statusText || `HTTP ${response.status}`;
  const fieldErrors = Array.isArray(record.errors)
    ? record.errors.filter(isRecord).map((e) => ({ path: String(e.path ?? ""), message: String(e.message ?? "") }))
    : [];
  return new ApiError(response.status, code, detail, fieldErrors, retryAfter);
}

/** `Retry-After` is seconds or an HTTP date; either becomes whole seconds from now. */
export function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/* ------------------------------------------------------------ access token */

interface AccessToken {
  value: string;
  userId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** When to fetch the next one: a margin before expiry (at most half the token's life). */
  renewAt: number;
}

let token: AccessToken | null = null;
let tokenRequest: Promise<AccessToken> | null = null;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
let hadToken = false;
/** The token endpoint said the session is gone. */
let sessionEnded = false;
/** The page is already on its way to sign-in. */
let redirected = false;

/** The signed-in user's id (the token's `sub`), fetching a token if none is held. */
export async function getUserId(): Promise<string> {
  return (await getAccessToken()).userId;
}

/** A token for a request the person made: an ended session sends them to sign in. */
async function getAccessToken(fresh = false): Promise<AccessToken> {
  try {
    return await obtainToken(fresh);
  } catch (error) {
    if (error instanceof SessionEndedError) endSession();
    throw error;
  }
}

function obtainToken(fresh: boolean): Promise<AccessToken> {
  if (!fresh && token && Date.now() < token.renewAt) return Promise.resolve(token);
  tokenRequest ??= requestAccessToken().finally(() => {
    tokenRequest = null;
  });
  return tokenRequest;
}

async function requestAccessToken(): Promise<AccessToken> {
  if (sessionEnded) throw new SessionEndedError();
  const response = await fetchOrNetworkError(`${config.authBasePath}/token`, {
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json" },
  });
  if (response.status === 401) {
    sessionEnded = true;
    token = null;
    clearTimeout(renewTimer);
    throw new SessionEndedError();
  }
  if (!response.ok) throw await errorFromResponse(response);
  const body: unknown = await response.json();
  const value = isRecord(body) && typeof body.token === "string" ? body.token : "";
  const claims = decodeClaims(value);
  if (!claims) throw new ApiError(500, "invalid_token_response", "The server sent an unreadable access token.");
  const expiresAt = claims.exp * 1000;
  const margin = Math.min(config.tokenRenewMarginSeconds * 1000, Math.max(0, expiresAt - Date.now()) / 2);
  token = { value, userId: claims.sub, expiresAt, renewAt: expiresAt - margin };
  hadToken = true;
  scheduleRenewal(token);
  return token;
}

/** Reads `sub` and `exp` from a JWT's payload; the signature is the server's business. */
export function decodeClaims(jwt: string): { sub: string; exp: number } | null {
  const payload = jwt.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(payload.length / 4) * 4, "=");
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    if (!isRecord(claims) || typeof claims.sub !== "string" || typeof claims.exp !== "number") return null;
    return { sub: claims.sub, exp: claims.exp };
  } catch {
    return null;
  }
}

/**
 * Renews quietly before expiry, so a request rarely waits for a token. A renewal that
 * finds the session ended only notes it: the person is sent to sign in by their next
 * action (or when the tab comes back into view), not in the middle of reading.
 */
function scheduleRenewal(current: AccessToken) {
  clearTimeout(renewTimer);
  const delay = Math.max(5_000, current.renewAt - Date.now());
  renewTimer = setTimeout(() => {
    obtainToken(true).catch(() => {});
  }, delay);
}

/**
 * The session is over (or there never was one): drop the token and send the person to
 * sign in, then back here. Someone who had a session is told it ended.
 */
export function endSession(options: { hadSession?: boolean } = {}): void {
  token = null;
  clearTimeout(renewTimer);
  sessionEnded = true;
  if (redirected || leaving) return;
  redirected = true;
  const reason = options.hadSession || hadToken || wasSignedIn() ? "session-ended" : undefined;
  navigation.assign(signInUrl(currentPath(), reason));
}

let leaving = false;

/**
 * While the person is signing out (or deleting the account) the session ends on purpose:
 * hold back the "session ended" redirect so the page goes where that action says.
 */
export function holdSessionRedirect(hold: boolean): void {
  leaving = hold;
}

/** Forgets the token (sign-out, account deletion), so nothing is left behind in memory. */
export function clearAccessToken(): void {
  token = null;
  hadToken = false;
  clearTimeout(renewTimer);
}

/** For tests: back to a fresh page's state. */
export function resetApiClientForTests(): void {
  clearAccessToken();
  tokenRequest = null;
  sessionRequest = null;
  sessionEnded = false;
  redirected = false;
  leaving = false;
}

/* ---------------------------------------------------------------- requests */

/**
 * When to send a request again (only requests that are safe to repeat):
 * - "create": after a network failure or a 503, up to `createRetries` times; the same id
 *   and body make a replay harmless, and a create the person saw must not be lost lightly.
 * - "network": once, after a network failure. A 503 is reported at once instead, so a
 *   change the person sees is rolled back promptly rather than after long waits.
 */
type RetryPolicy = "none" | "network" | "create";

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  retry?: RetryPolicy;
}

interface ApiResponse<T> {
  status: number;
  data: T;
  headers: Headers;
}

async function apiRequest<T>(method: string, url: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await sendWithToken<T>(method, url, options);
    } catch (error) {
      const policy = options.retry ?? "none";
      const retryable =
        error instanceof ApiError &&
        ((policy === "create" && (error.status === 0 || error.status === 503) && attempt < config.createRetries) ||
          (policy === "network" && error.status === 0 && attempt < 1));
      if (!retryable) throw error;
      await sleep(retryDelay(error, attempt), options.signal);
    }
  }
}

async function sendWithToken<T>(method: string, url: string, options: RequestOptions): Promise<ApiResponse<T>> {
  let response = await send(method, url, options, await getAccessToken());
  if (response.status === 401) {
    // The token may have expired in flight or been signed by a key rotated out: one fresh try.
    response = await send(method, url, options, await getAccessToken(true));
  }
  if (!response.ok) throw await errorFromResponse(response);
  const data = (response.status === 204 ? null : await response.json()) as T;
  return { status: response.status, data, headers: response.headers };
}

function send(method: string, url: string, options: RequestOptions, accessToken: AccessToken): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${accessToken.value}` };
  // keepalive: a change sent just before the page goes away (a reload, a link) still arrives.
  const init: RequestInit = { method, headers, credentials: "omit", cache: "no-store", keepalive: method !== "GET" };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;
  return fetchOrNetworkError(url, init);
}

function retryDelay(error: ApiError, attempt: number): number {
  const fromServer = error.retryAfterSeconds === null ? null : error.retryAfterSeconds * 1000;
  return Math.min(config.maxRetryDelayMs, fromServer ?? 400 * 2 ** attempt);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

async function tasksUrl(suffix = ""): Promise<string> {
  return `${config.apiBasePath}/${encodeURIComponent(await getUserId())}/tasks${suffix}`;
}

/* ------------------------------------------------------------------- tasks */

/** One page of tasks: the first page of `query`, or the page at a `next` address from a previous one. */
export async function listTasks(from: TaskQuery | { next: string }, signal?: AbortSignal): Promise<TaskPage> {
  let url: string;
  if ("next" in from) {
    if (!from.next.startsWith(`${config.apiBasePath}/`)) throw new ApiError(400, "invalid_link", "Bad page link.");
    url = from.next;
  } else {
    const params = filterParams(from);
    params.set("sort", from.sort);
    params.set("order", from.order);
    params.set("limit", String(from.limit ?? config.pageSize));
    url = `${await tasksUrl()}?${params.toString()}`;
  }
  const response = await apiRequest<Task[]>("GET", url, signal ? { signal } : {});
  return {
    tasks: response.data,
    next: nextLink(response.headers.get("Link")),
    total: Number(response.headers.get("X-Total-Count") ?? response.data.length),
  };
}

function filterParams(filters: TaskFilters): URLSearchParams {
  const params = new URLSearchParams({ status: filters.status });
  if (filters.q) params.set("q", filters.q);
  return params;
}

/** How many tasks match the filters, without fetching them. */
export async function countTasks(filters: TaskFilters, signal?: AbortSignal): Promise<number> {
  const page = await listTasks({ ...filters, sort: "created", order: "desc", limit: 1 }, signal);
  return page.total;
}

/** The `rel="next"` target of a Link header. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(",")) {
    const match = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (match?.[1] && match[2] && /\brel="?next"?/.test(match[2])) return match[1];
  }
  return null;
}

/** One task by its id: how a write whose outcome is unknown is settled. */
export async function getTask(id: string): Promise<Task> {
  const url = await tasksUrl(`/${encodeURIComponent(id)}`);
  return (await apiRequest<Task>("GET", url, { retry: "network" })).data;
}

/**
 * Whether a failed write may still have been applied: no answer at all, or a failure on
 * the server's side — a 503 can follow a commit whose answer the database lost.
 */
function outcomeUnknown(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

/**
 * After a write whose outcome is unknown, what the server holds for the task: the task,
 * "absent" (404), or null when the outcome was known or the server cannot say either. A
 * task that already holds the change is the confirmation the lost answer would have been;
 * anything else leaves the write's own error standing.
 */
async function readBack(error: unknown, id: string): Promise<Task | "absent" | null> {
  if (!outcomeUnknown(error)) return null;
  try {
    return await getTask(id);
  } catch (readError) {
    return readError instanceof ApiError && readError.code === "task_not_found" ? "absent" : null;
  }
}

/**
 * Creates a task with a client-chosen id. A create whose answer was lost is sent again
 * with the same id and body; the server recognises it and answers with the stored task.
 * When every try fails without a clear refusal, a task stored under the id is the answer.
 */
export async function createTask(task: NewTask): Promise<Task> {
  try {
    return (await apiRequest<Task>("POST", await tasksUrl(), { body: task, retry: "create" })).data;
  } catch (error) {
    const stored = await readBack(error, task.id);
    if (stored && stored !== "absent") return stored;
    throw error;
  }
}

export async function updateTask(id: string, patch: TaskPatch): Promise<Task> {
  const url = await tasksUrl(`/${encodeURIComponent(id)}`);
  try {
    return (await apiRequest<Task>("PATCH", url, { body: patch, retry: "network" })).data;
  } catch (error) {
    const stored = await readBack(error, id);
    if (stored && stored !== "absent" && holdsPatch(stored, patch)) return stored;
    throw error;
  }
}

export async function setTaskCompleted(id: string, completed: boolean): Promise<Task> {
  const url = await tasksUrl(`/${encodeURIComponent(id)}/complete`);
  try {
    return (await apiRequest<Task>("PATCH", url, { body: { completed }, retry: "network" })).data;
  } catch (error) {
    const stored = await readBack(error, id);
    if (stored && stored !== "absent" && stored.completed === completed) return stored;
    throw error;
  }
}

export async function deleteTask(id: string): Promise<void> {
  const url = await tasksUrl(`/${encodeURIComponent(id)}`);
  try {
    await apiRequest<null>("DELETE", url, { retry: "network" });
  } catch (error) {
    // Already gone is what was asked for.
    if (error instanceof ApiError && error.code === "task_not_found") return;
    if ((await readBack(error, id)) === "absent") return;
    throw error;
  }
}

/** Whether a stored task already holds every field of a merge patch. */
export function holdsPatch(task: Task, patch: TaskPatch): boolean {
  return Object.entries(patch).every(([field, value]) => {
    const held = task[field as keyof TaskPatch];
    if (field === "dueAt") return held === value || sameInstant(held, value);
    if (Array.isArray(value)) return Array.isArray(held) && held.join("\n") === value.join("\n");
    return held === value;
  });
}

function sameInstant(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && Date.parse(a) === Date.parse(b);
}

/**
 * Marks the tasks matching the filters complete (or not), narrowed to `ids` when given —
 * how "mark all" is undone. The server takes at most 400 ids a request.
 */
export async function setCompletedWhere(
  completed: boolean,
  filters: TaskFilters,
  ids?: readonly string[],
): Promise<Marked> {
  const url = `${await tasksUrl()}?${filterParams(filters).toString()}`;
  if (!ids) return (await apiRequest<Marked>("PATCH", url, { body: { completed }, retry: "network" })).data;
  const changed: string[] = [];
  for (let start = 0; start < ids.length; start += 400) {
    const body = { completed, ids: ids.slice(start, start + 400) };
    changed.push(...(await apiRequest<Marked>("PATCH", url, { body, retry: "network" })).data.ids);
  }
  return { updated: changed.length, ids: changed };
}

/**
 * Deletes the completed tasks matching the filters. Not re-sent: a repeat after a lost
 * answer would find nothing and hand back an undo token that restores nothing.
 */
export async function clearCompleted(filters: Omit<TaskFilters, "status">): Promise<Cleared> {
  const url = `${await tasksUrl()}?${filterParams({ ...filters, status: "completed" }).toString()}`;
  return (await apiRequest<Cleared>("DELETE", url)).data;
}

/** Puts back what a clear deleted, under the same ids. Safe to repeat. */
export async function restoreTasks(undo: string): Promise<Restored> {
  return (await apiRequest<Restored>("POST", await tasksUrl("/restore"), { body: { undo }, retry: "network" })).data;
}

/* ----------------------------------------------------------------- session */

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  /** Whether the address was confirmed from the verification mail. */
  emailVerified: boolean;
  /** This browser's session (the devices list marks it "this device"). */
  sessionId: string;
  /** Sign-in asks for an authenticator-app code too. */
  twoFactorEnabled: boolean;
}

let sessionRequest: Promise<SessionUser | null> | null = null;

/**
 * Who is signed in (`GET /api/auth/get-session`), or null. One request per page however
 * many islands ask; `fresh` asks again (a tab coming back into view). Throws an ApiError
 * when the server cannot say (offline), so a blip is not mistaken for a sign-out.
 */
export function getSessionUser(fresh = false): Promise<SessionUser | null> {
  if (fresh || !sessionRequest) {
    sessionRequest = requestSessionUser();
    sessionRequest.catch(() => {
      sessionRequest = null;
    });
  }
  return sessionRequest;
}

async function requestSessionUser(): Promise<SessionUser | null> {
  const response = await fetchOrNetworkError(`${config.authBasePath}/get-session`, {
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json" },
  });
  if (response.status === 401) return null;
  if (!response.ok) throw await errorFromResponse(response);
  const body: unknown = await response.json();
  const user = isRecord(body) && isRecord(body.user) ? body.user : null;
  if (!user || typeof user.id !== "string") return null;
  const session = isRecord(body) && isRecord(body.session) ? body.session : null;
  return {
    id: user.id,
    name: String(user.name ?? ""),
    email: String(user.email ?? ""),
    emailVerified: user.emailVerified === true,
    sessionId: typeof session?.id === "string" ? session.id : "",
    twoFactorEnabled: user.twoFactorEnabled === true,
  };
}

/** Whether this browser has a live session (for pages that only need to know that). */
export async function hasSession(): Promise<boolean> {
  try {
    return (await getSessionUser()) !== null;
  } catch {
    return false;
  }
}
