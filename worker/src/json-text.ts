import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

declare const jsonOf: unique symbol;

/**
 * JSON text of a `Data`, written by Postgres (`row_to_json`, `string_agg`) for the hot
 * reads: handed to the answer as it is, never parsed and serialised again. The brand
 * keeps which answer a text is for; only the repository's statements make one.
 */
export type JsonText<Data> = string & { readonly [jsonOf]: Data };

/** Text the database wrote as JSON of `Data`, branded as such (the repository's statements only). */
export const asJsonText = <Data>(text: string) => text as JsonText<Data>;

/** Answers JSON text as `c.json` would answer its value: the same type for the route, the same headers. */
export function respondJson<Data, Status extends ContentfulStatusCode>(
  c: Context,
  text: JsonText<Data>,
  status: Status,
) {
  // The route's typing knows `c.json` answers only; this answer is one, written in advance.
  return c.body(text, status, { "Content-Type": "application/json" }) as unknown as Response &
    TypedResponse<Data, Status, "json">;
}
