import type { ExposedEndpoint } from "./auth/auth.routes.ts";

/**
 * The published OpenAPI document (web/src/lib/api/openapi.json, which the web client's types,
 * Redocly's lint and the reference page use): the document the Worker serves, plus Better Auth's
 * endpoints under /api/auth/* — only the ones Brisk exposes (auth.routes.ts), as Better Auth's
 * openAPI plugin generates them from the Worker's own auth configuration, with Brisk's answers
 * to failures (problem+json, throttling). Built by openapi-document.test.ts (`pnpm api:types`),
 * never bundled: the plugin would cost the Worker ~9.5 KB gzip (docs/decisions/031-openapi-document-complete.md).
 */

type Json = Record<string, unknown>;
interface Document extends Json {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes?: Record<string, Json> } & Json;
}

export const authBasePath = "/api/auth";

const problem = { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };
const retryAfter = {
  "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "string", example: "5" } },
};

/** Brisk's answers to failure on an auth endpoint: Better Auth's refusals rendered as problem+json (auth.routes.ts). */
function failures(throttled: boolean): Json {
  return {
    "400": { description: "A missing or invalid field; Better Auth's code in `code`", content: problem },
    "401": { description: "Not signed in, or the credentials are wrong", content: problem },
    "403": { description: "Not allowed, e.g. the e-mail address is not verified yet", content: problem },
    "413": { description: "The body is larger than 16 KiB", content: problem },
    ...(throttled
      ? { "429": { description: "Too many attempts; carries `Retry-After`", content: problem, headers: retryAfter } }
      : {}),
    "500": {
      description: "Something failed unexpectedly; the body's `requestId` identifies it in the logs",
      content: problem,
    },
    "503": {
      description: "The database (or the mail service) did not answer in time; carries `Retry-After`",
      content: problem,
      headers: retryAfter,
    },
  };
}

/** The `$ref` names of component schemas anywhere under `value`. */
function referencedSchemas(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedSchemas(item, into);
  else if (typeof value === "object" && value !== null) {
    for (const [key, entry] of Object.entries(value)) {
      if (key === "$ref" && typeof entry === "string" && entry.startsWith("#/components/schemas/"))
        into.add(entry.slice("#/components/schemas/".length));
      else referencedSchemas(entry, into);
    }
  }
  return into;
}

/** OpenAPI 3.0's `nullable: true` (which Better Auth's generator still writes) as 3.1's `type: [..., "null"]`. */
function to31(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(to31);
  if (typeof value !== "object" || value === null) return value;
  const { nullable, ...rest } = value as Json;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, entry]) => [key, to31(entry)]));
  // A `$ref` with siblings: the referenced schema alone says it. Better Auth writes `type: "object"` and
  // a `required` list beside some references, once naming a field its schema does not have (a passkey's
  // `updatedAt`); the referenced schema's own `required` is the true one.
  if (typeof converted.$ref === "string") {
    delete converted.type;
    delete converted.required;
  }
  if (nullable === true && typeof converted.type === "string") converted.type = [converted.type, "null"];
  return converted;
}

/**
 * `served` (the Worker's /api/openapi.json) with Better Auth's `generated` document's operations for
 * `exposed` merged in under /api/auth. Throws on a clash of path, operationId or schema name, so a
 * Better Auth upgrade cannot silently replace one of Brisk's.
 */
export function publishedDocument(
  served: Document,
  generated: Document,
  exposed: Record<string, Pick<ExposedEndpoint, "method" | "perAddress" | "perAccount" | "name">>,
): Document {
  const paths: Document["paths"] = { ...served.paths };
  const operationIds = new Set(
    Object.values(served.paths).flatMap((operations) => Object.values(operations).map((op) => op.operationId)),
  );
  for (const [path, endpoint] of Object.entries(exposed).sort(([a], [b]) => a.localeCompare(b))) {
    const method = endpoint.method.toLowerCase();
    const operation = generated.paths[path]?.[method];
    if (!operation) throw new Error(`Better Auth's document has no ${endpoint.method} ${path}`);
    const { responses, tags: _tags, security: _security, parameters, ...rest } = to31(operation) as Json;
    // Better Auth names most of its operations; the rest are named after their path (`/two-factor/enable` → twoFactorEnable).
    const operationId = typeof rest.operationId === "string" ? rest.operationId : camelCase(path);
    if (operationIds.has(operationId)) throw new Error(`operationId ${operationId} is already Brisk's`);
    operationIds.add(operationId);
    const successes = Object.fromEntries(
      Object.entries(responses as Json).filter(([status]) => Number(status) < 400 || status === "default"),
    );
    const fullPath = `${authBasePath}${path}`;
    if (served.paths[fullPath]) throw new Error(`${fullPath} is already in the served document`);
    paths[fullPath] = {
      ...paths[fullPath],
      [method]: {
        ...rest,
        operationId,
        summary: summaryOf(typeof rest.description === "string" && rest.description !== "" ? rest.description : path),
        tags: ["Accounts"],
        // The session is Better Auth's HttpOnly cookie; sign-up, sign-in and the mail links need none.
        security: [{ sessionCookie: [] }, {}],
        ...(Array.isArray(parameters) && parameters.length > 0 ? { parameters } : {}),
        responses: {
          ...successes,
          ...failures(
            endpoint.perAddress !== false || endpoint.perAccount !== undefined || endpoint.name === "sign-in",
          ),
        },
      },
    };
  }
  const schemas: Record<string, Json> = { ...served.components.schemas };
  const pending = [...referencedSchemas(paths)].filter((name) => !(name in served.components.schemas));
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (name in schemas) continue;
    const schema = generated.components.schemas[name];
    if (!schema) throw new Error(`Better Auth's document has no schema ${name}`);
    schemas[name] = to31(schema) as Json;
    pending.push(...referencedSchemas(schema));
  }
  return {
    ...served,
    paths,
    components: {
      ...served.components,
      schemas,
      securitySchemes: {
        ...served.components.securitySchemes,
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "better-auth.session_token",
          description: "Better Auth's HttpOnly session cookie (`__Secure-better-auth.session_token` over https).",
        },
      },
    },
  };
}

function camelCase(path: string): string {
  return path
    .split(/[/-]/)
    .filter(Boolean)
    .map((word, index) => (index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join("");
}

/** Better Auth's descriptions are one sentence; the first clause is the summary. */
function summaryOf(description: string): string {
  const first = description.split(/(?<=\.)\s/)[0] ?? description;
  return first.replace(/\.$/, "");
}
