import { exports } from "cloudflare:workers";
import { type Schema, Validator } from "@cfworker/json-schema";

/**
 * The contract check: every task-API response a test receives must be documented
 * by the served OpenAPI document — its status for that operation, its media type,
 * and its body valid against the schema there. `call()` applies it to every request,
 * so the document cannot fall behind what the Worker actually answers.
 */

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
}
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

let documentPromise: Promise<OpenApiDocument> | undefined;

function servedDocument(): Promise<OpenApiDocument> {
  documentPromise ??= exports.default
    .fetch("http://localhost/api/openapi.json")
    .then((response) => response.json() as Promise<OpenApiDocument>);
  return documentPromise;
}

function templateFor(document: OpenApiDocument, path: string): string | undefined {
  return Object.keys(document.paths).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path),
  );
}

/**
 * Where no documented operation is, the Worker can only refuse: the 404 of nothing there, or the
 * guard's refusal that comes before routing (401 without a token, 403 on another person's path, 413…).
 * A refusal is a 4xx problem+json valid against the document's Problem schema; anything else there
 * (a success, a 5xx, another body) is a route the document does not describe.
 */
async function isRefusal(document: OpenApiDocument, response: Response): Promise<boolean> {
  if (response.status < 400 || response.status > 499) return false;
  if (response.headers.get("content-type")?.split(";")[0]?.trim() !== "application/problem+json") return false;
  const problem = { $ref: "#/components/schemas/Problem", components: document.components } as Schema;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  return new Validator(problem, "2020-12", false).validate(body).valid;
}

export async function assertMatchesContract(request: Request, response: Response): Promise<void> {
  const { pathname } = new URL(request.url);
  if (!/^\/api\/(health$|[^/]+\/(tasks(\/|$)|lists(\/|$)|export$|import$))/.test(pathname)) return;
  const document = await servedDocument();
  const template = templateFor(document, pathname);
  // HEAD is GET without the body (RFC 9110): the GET operation documents it.
  const head = request.method === "HEAD";
  const method = head ? "get" : request.method.toLowerCase();
  const operation = template ? document.paths[template]?.[method] : undefined;
  if (!template || !operation) {
    if (await isRefusal(document, response)) return;
    throw new Error(`contract: ${request.method} ${pathname} → ${response.status} matches no documented operation`);
  }
  const where = `${request.method} ${template} → ${response.status}`;
  const documented = operation.responses[String(response.status)];
  if (!documented) throw new Error(`contract: ${where} is not documented`);
  if (head) return;
  if (!documented.content) {
    if ((await response.clone().text()) !== "") throw new Error(`contract: ${where} must have no body`);
    return;
  }
  const mediaType = response.headers.get("content-type")?.split(";")[0]?.trim() ?? "";
  const content = documented.content[mediaType];
  if (!content)
    throw new Error(`contract: ${where} answered ${mediaType}, documented ${Object.keys(documented.content)}`);
  // A file that is not JSON (the CSV export) is checked for its media type only.
  if (!mediaType.endsWith("json")) return;
  const validator = new Validator({ ...content.schema, components: document.components } as Schema, "2020-12", false);
  const result = validator.validate(await response.clone().json());
  if (!result.valid) {
    throw new Error(`contract: ${where} body does not match: ${JSON.stringify(result.errors.slice(0, 3))}`);
  }
}
