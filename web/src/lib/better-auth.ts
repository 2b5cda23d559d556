import { createAuthClient } from "better-auth/client";
import { jwtClient, twoFactorClient } from "better-auth/client/plugins";
import { config } from "./config.ts";
import { rawFetch } from "./problems.ts";

/** Where Better Auth's clients send their requests: this origin, through `rawFetch`, the network boundary. */
export const clientOptions = {
  // At build time (server rendering of islands) there is no window; nothing is fetched then.
  baseURL: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  basePath: config.authBasePath,
  fetchOptions: { customFetchImpl: rawFetch },
};

/**
 * Better Auth's client on this origin, with `jwtClient` for the access token and `twoFactorClient`
 * for the sign-in code. The passkey plugin's client loads lazily (`passkeyAuthClient` in auth-client.ts).
 */
export const authClient = createAuthClient({ ...clientOptions, plugins: [jwtClient(), twoFactorClient()] });
