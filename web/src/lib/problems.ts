/**
 * Refusals and the network boundary: `ApiError` (a problem+json answer, or no answer at all)
 * in plain words for a person, and `rawFetch`, the one place the web app calls `fetch` — the
 * typed API client, Better Auth's client and the session check all go through it.
 */

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

export async function fetchOrNetworkError(input: string, init: RequestInit): Promise<Response> {
  try {
    return await rawFetch(input, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network_error", "The server could not be reached.");
  }
}

/** Reads a refusal: problem+json from the task API, `{code, message}` from Better Auth. */
export async function errorFromResponse(response: Response, parsed?: unknown): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
  let body: unknown = parsed ?? null;
  if (parsed === undefined) {
    try {
      body = await response.json();
    } catch {
      // Not JSON (a proxy's error page): the status has to speak for itself.
    }
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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
