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

export async function assertMatchesContract(request: Request, response: Response): Promise<void> {
  const { pathname } = new URL(request.url);
  if (!/^\/api\/[^/]+\/(tasks(\/|$)|export$|import$)/.test(pathname)) return;
  const document = await servedDocument();
  const template = templateFor(document, pathname);
  if (!template) return; // not a route: the 404 of an unknown path
  const operation = document.paths[template]?.[request.method.toLowerCase()];
  if (!operation) return; // a method the route does not have: 404
  const where = `${request.method} ${template} → ${response.status}`;
  const documented = operation.responses[String(response.status)];
  if (!documented) throw new Error(`contract: ${where} is not documented`);
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
