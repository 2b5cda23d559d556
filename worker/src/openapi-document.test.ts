import { env, exports } from "cloudflare:workers";
import { openAPI } from "better-auth/plugins/open-api";
import { expect, it } from "vitest";
import { exposedEndpoints } from "./auth/auth.routes.ts";
import { getAuth } from "./auth/auth.ts";
import { readConfig } from "./config.ts";
import { getDatabase } from "./db/client.ts";
import { publishedDocument } from "./openapi-published.ts";

type Document = Parameters<typeof publishedDocument>[0];

/** Better Auth's own document of its endpoints, from the Worker's auth configuration (its openAPI plugin's generator). */
async function betterAuthDocument(): Promise<Document> {
  const config = readConfig(env);
  const auth = getAuth(config, getDatabase(config), env);
  const generate = openAPI().endpoints.generateOpenAPISchema as unknown as (ctx: unknown) => Promise<Document>;
  return generate({ context: await auth.$context });
}

/**
 * The web client's types are generated from the published OpenAPI document (docs/web.md, decisions 014
 * and 031): the document this Worker serves, plus Better Auth's endpoints that Brisk exposes at
 * /api/auth/*, generated here (the generator stays out of the Worker bundle). Its copy in
 * web/src/lib/api/openapi.json must be exactly that; when a route or schema changes, `pnpm api:types`
 * rewrites the copy (this test with `-u`), then the types from it.
 */
it("matches the published copy of the OpenAPI document: the served one plus the exposed auth endpoints", async () => {
  const response = await exports.default.fetch("http://localhost/api/openapi.json");
  expect(response.status).toBe(200);
  const served = (await response.json()) as Document;
  const document = publishedDocument(served, await betterAuthDocument(), exposedEndpoints);
  await expect(`${JSON.stringify(document, null, 2)}\n`).toMatchFileSnapshot("../../web/src/lib/api/openapi.json");
});

it("gives every operation a unique operationId", async () => {
  const response = await exports.default.fetch("http://localhost/api/openapi.json");
  const served = (await response.json()) as Document;
  const document = publishedDocument(served, await betterAuthDocument(), exposedEndpoints);
  const ids = Object.values(document.paths).flatMap((operations) =>
    Object.values(operations).map((op) => op.operationId),
  );
  expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBe(
    Object.keys(exposedEndpoints).length + Object.values(served.paths).flatMap(Object.keys).length,
  );
});
