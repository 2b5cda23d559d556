import { z } from "@hono/zod-openapi";
import { Problem } from "./tasks/tasks.schemas.ts";

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

export const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { "application/json": { schema } },
});

/** The answers every bearer route can give besides its success. */
export const failures = {
  400: problemResponse("Malformed JSON, an unknown parameter or value, or a non-UUID id"),
  401: problemResponse('No valid access token; carries `WWW-Authenticate: Bearer error="invalid_token"`'),
  403: problemResponse("The token belongs to another user than the path names"),
  413: problemResponse("The body is larger than 16 KiB"),
  500: problemResponse("Something failed unexpectedly; the body's `requestId` identifies it in the logs"),
  503: problemResponse("The database is unreachable or timed out; carries `Retry-After`; nothing is half-written"),
};

/** …and a route that reads a body. */
export const writeFailures = {
  ...failures,
  415: problemResponse("The body is not JSON"),
  422: problemResponse("The body breaks a rule; `errors` lists each field"),
};

export const stale = {
  412: problemResponse("`If-Match` names a version other than the current one; nothing changed"),
};

/** 404 for an id that is not this person's (a `what` such as "task"). */
export const notFoundFor = (what: string) => ({ 404: problemResponse(`No such ${what} for this user`) });

/** The `ETag` header of an answer carrying one versioned `what`. */
export const etagHeaderFor = (what: string) => ({
  ETag: z.string().openapi({ description: `The ${what}'s version, e.g. "3"` }),
});
