import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

/**
 * The web client's types are generated from the served OpenAPI document (docs/web.md, decision 014).
 * Its copy in web/src/lib/api/openapi.json must be the document this Worker serves; when a route or
 * schema changes, `pnpm api:types` rewrites the copy (this test with `-u`) and the types from it.
 */
it("matches the copy of the OpenAPI document the web client's types are generated from", async () => {
  const response = await exports.default.fetch("http://localhost/api/openapi.json");
  expect(response.status).toBe(200);
  const document: unknown = await response.json();
  await expect(`${JSON.stringify(document, null, 2)}\n`).toMatchFileSnapshot("../../web/src/lib/api/openapi.json");
});
