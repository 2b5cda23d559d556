import { z } from "@hono/zod-openapi";
import { ProblemSchema } from "./tasks/tasks.schemas.ts";

/**
 * The pieces of the OpenAPI route definitions the bearer routes share (tasks, lists, export and
 * import, the live channel): how a JSON answer, a problem and a JSON body are declared, and the
 * failures every route can answer. One wording for the whole document.
 */

export const security = [{ bearerAuth: [] }];

export const json = <T extends z.ZodType>(schema: T, description: string, headers?: Record<string, z.ZodType>) => ({
  description,
  content: { "application/json": { schema } },
  ...(headers ? { headers: z.object(headers) } : {}),
});

export const problemResponse = (description: string, headers?: Record<string, z.ZodType>) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
  ...(headers ? { headers: z.object(headers) } : {}),
});

/** The challenge every 401 carries (RFC 6750): which scheme, and why the token was refused. */
export const wwwAuthenticateHeader = {
  "WWW-Authenticate": z.string().openapi({
    description: 'The bearer challenge, e.g. `Bearer error="invalid_token"`',
    example: 'Bearer error="invalid_token"',
  }),
};

/** How long to wait before trying again (a 503 for a database that did not answer, a 429). */
export const retryAfterHeader = {
  "Retry-After": z.string().openapi({ description: "Seconds to wait before trying again", example: "5" }),
};

/** A 401 for a missing or refused access token: `what` says where the token was looked for. */
export const unauthorized = (description = "No valid access token") =>
  problemResponse(`${description}; carries \`WWW-Authenticate: Bearer error="invalid_token"\``, wwwAuthenticateHeader);

/** A 503 for a database (or key set) that did not answer: retryable, nothing half-written. */
export const unavailable = (
  description = "The database is unreachable or timed out; carries `Retry-After`; nothing is half-written",
) => problemResponse(description, retryAfterHeader);

export const internalError = problemResponse(
  "Something failed unexpectedly; the body's `requestId` identifies it in the logs",
);

export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { "application/json": { schema } },
});

export const forbidden = problemResponse("The token belongs to another user than the path names");

/** The answers every bearer route can give besides its success. */
export const failures = {
  400: problemResponse("Malformed JSON, an unknown parameter or value, or a non-UUID id"),
  401: unauthorized(),
  403: forbidden,
  413: problemResponse("The body is larger than 16 KiB"),
  500: internalError,
  503: unavailable(),
};

/** …and a route that reads a body. */
export const writeFailures = {
  ...failures,
  415: problemResponse("The body is not JSON"),
  422: problemResponse("The body breaks a rule; `errors` lists each field"),
};

export const stale = {
  412: problemResponse("`If-Match` names a version other than the current one; nothing changed", {
    ETag: z.string().optional().openapi({ description: 'The current version, e.g. "4", when it is known' }),
  }),
};

/** 404 for an id that is not this person's (a `what` such as "task"). */
export const notFoundFor = (what: string) => ({ 404: problemResponse(`No such ${what} for this user`) });

/** The `ETag` header of an answer carrying one versioned `what`. */
export const etagHeaderFor = (what: string) => ({
  ETag: z.string().openapi({ description: `The ${what}'s version, e.g. "3"` }),
});
