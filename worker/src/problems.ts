import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every error a client can see, in one catalogue: a stable `code`, its HTTP status
 * and one human title. Handlers `throw problem("…")`; `app.onError` renders it as
 * RFC 9457 problem+json. Anything that is not a Problem renders as a generic 500.
 */
const catalogue = {
  malformed_json: { status: 400, title: "The body is not valid JSON" },
  invalid_parameter: { status: 400, title: "A parameter is not valid" },
  invalid_token: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Not allowed" },
  not_found: { status: 404, title: "Not found" },
  task_not_found: { status: 404, title: "Task not found" },
  list_not_found: { status: 404, title: "List not found" },
  inbox_undeletable: { status: 409, title: "The Inbox cannot be deleted" },
  list_version_mismatch: { status: 412, title: "The list has changed" },
  id_conflict: { status: 409, title: "The id is already in use" },
  version_mismatch: { status: 412, title: "The task has changed" },
  sync_from_scratch: { status: 410, title: "The changes since this cursor are no longer kept" },
  payload_too_large: { status: 413, title: "The body is too large" },
  unsupported_media_type: { status: 415, title: "The body must be JSON" },
  validation_failed: { status: 422, title: "The request breaks a rule" },
  upgrade_required: { status: 426, title: "Upgrade to a WebSocket" },
  too_many_requests: { status: 429, title: "Too many requests" },
  internal_error: { status: 500, title: "Something went wrong on our side" },
  server_misconfigured: { status: 500, title: "The server is not configured correctly" },
  database_unavailable: { status: 503, title: "The database is unavailable" },
  mail_unavailable: { status: 503, title: "The mail could not be sent" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemCode = keyof typeof catalogue;

export interface ProblemOptions {
  detail?: string;
  headers?: Record<string, string>;
  /** Extra members of the problem object, e.g. field-level `errors`. */
  extensions?: Record<string, unknown>;
}

export class Problem extends Error {
  readonly status: ContentfulStatusCode;
  readonly title: string;

  constructor(
    readonly code: ProblemCode,
    readonly options: ProblemOptions = {},
  ) {
    super(options.detail ?? catalogue[code].title);
    this.name = "Problem";
    this.status = catalogue[code].status;
    this.title = catalogue[code].title;
  }
}

export function problem(code: ProblemCode, options?: ProblemOptions): Problem {
  return new Problem(code, options);
}

/**
 * The one answer to a database that could not be reached or answered too late, wherever it is
 * noticed (the task API, Better Auth's adapter, the readiness check): retryable, nothing half-written.
 */
export function databaseUnavailable(extensions?: Record<string, unknown>): Problem {
  return problem("database_unavailable", {
    detail: databaseUnavailableDetail,
    headers: { "Retry-After": "5" },
    ...(extensions ? { extensions } : {}),
  });
}

export const databaseUnavailableDetail =
  "The database did not answer in time; try again shortly. Nothing was half-written.";

/** The catalogue's general entry for each status, for refusals whose code is not ours (Better Auth's). */
const generalCodes: readonly ProblemCode[] = [
  "invalid_parameter",
  "invalid_token",
  "forbidden",
  "not_found",
  "validation_failed",
  "too_many_requests",
  "database_unavailable",
];

export function titleForStatus(status: number): string {
  const code = generalCodes.find((candidate) => catalogue[candidate].status === status);
  if (code) return catalogue[code].title;
  return status >= 500 ? catalogue.internal_error.title : catalogue.invalid_parameter.title;
}

export function renderProblem(c: Context, error: Problem): Response {
  const body = {
    type: `urn:brisk:problem:${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.options.detail ?? error.title,
    code: error.code,
    ...error.options.extensions,
  };
  for (const [name, value] of Object.entries(error.options.headers ?? {})) c.header(name, value);
  c.header("Cache-Control", "no-store");
  return c.body(JSON.stringify(body), error.status, { "Content-Type": "application/problem+json" });
}
