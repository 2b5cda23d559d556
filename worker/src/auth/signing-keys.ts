import type { GenericEndpointContext } from "better-auth";
import type { Jwk } from "better-auth/plugins";

/**
 * The JWT plugin's key source (its `adapter` option), with `GET /api/auth/token`'s key read started
 * before the session read instead of after it.
 *
 * Better Auth reads the session, then the whole `jwks` table to find the newest key: two database
 * round trips in series (docs/performance.md "First tasks on /tasks"). `prefetch` (called from the
 * before-hook, ahead of the session middleware) sends the key read at once, so both are in flight
 * together and the token costs one round trip of waiting. The table is still read on every token,
 * so a rotation forced by hand, or a key withdrawn, takes effect at the very next token
 * (docs/runbooks/rotate-signing-keys.md) — an isolate-held copy would have kept signing with it.
 * The price: a `/token` call without a valid session also reads the key table (one small read).
 */
export function signingKeySource() {
  const prefetched = new WeakMap<Request, Promise<Jwk[]>>();

  function readTable(ctx: GenericEndpointContext): Promise<Jwk[]> {
    return ctx.context.adapter.findMany<Jwk>({ model: "jwks" });
  }

  return {
    /** Starts the key read for this `/token` request. */
    prefetch(ctx: GenericEndpointContext): void {
      if (!ctx.request) return;
      const keys = readTable(ctx);
      // Awaited by getJwks; a request that ends before (no session: 401) must not leave it unhandled.
      keys.catch(() => undefined);
      prefetched.set(ctx.request, keys);
    },
    adapter: {
      getJwks(ctx: GenericEndpointContext): Promise<Jwk[]> {
        const keys = ctx.request ? prefetched.get(ctx.request) : undefined;
        if (!keys) return readTable(ctx);
        // Once: a later look in the same request (after creating the first key) reads afresh.
        if (ctx.request) prefetched.delete(ctx.request);
        return keys;
      },
    },
  };
}
