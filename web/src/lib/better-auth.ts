import { createAuthClient } from "better-auth/client";
import { jwtClient } from "better-auth/client/plugins";
import { config } from "./config.ts";
import { rawFetch } from "./problems.ts";

/**
 * Better Auth's client on this origin, with `jwtClient` for the access token. Its requests go
 * through `rawFetch`, the network boundary.
 */
export const authClient = createAuthClient({
  // At build time (server rendering of islands) there is no window; nothing is fetched then.
  baseURL: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  basePath: config.authBasePath,
  plugins: [jwtClient()],
  fetchOptions: { customFetchImpl: rawFetch },
});
