import { jwtClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";
import { ApiError, clearAccessToken, holdSessionRedirect, parseRetryAfter, rawFetch } from "./api-client.ts";
import { config } from "./config.ts";
import { forgetAllDrafts } from "./drafts.ts";
import { forgetSignedIn, rememberSignedIn } from "./navigation.ts";

/**
 * Better Auth's React client on this origin. Its requests go through the api-client's
 * `rawFetch`, so one module stays the only caller of `fetch`. The access token itself is
 * fetched and held by the api-client; this module signs people in and out.
 */
export const authClient = createAuthClient({
  // At build time (server rendering of islands) there is no window; nothing is fetched then.
  baseURL: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  basePath: config.authBasePath,
  plugins: [jwtClient()],
  fetchOptions: { customFetchImpl: rawFetch },
});

export type AuthResult = { ok: true } | { ok: false; error: ApiError };

interface AuthFetchOptions {
  onResponse: (context: { response: Response }) => void;
}

/**
 * Runs one Better Auth call and reports the outcome as an `ApiError` with `Retry-After`
 * read from the response (Better Auth's own error object does not carry headers).
 */
export async function run(
  call: (
    fetchOptions: AuthFetchOptions,
  ) => Promise<{ error: { status: number; code?: string | undefined; message?: string | undefined } | null }>,
): Promise<AuthResult> {
  let retryAfter: string | null = null;
  try {
    const { error } = await call({
      onResponse: ({ response }) => {
        retryAfter = response.headers.get("Retry-After");
      },
    });
    if (!error) return { ok: true };
    return {
      ok: false,
      error: new ApiError(
        error.status,
        error.code ?? `http_${error.status}`,
        error.message ?? "The request was refused.",
        [],
        parseRetryAfter(retryAfter),
      ),
    };
  } catch {
    return { ok: false, error: new ApiError(0, "network_error", "The server could not be reached.") };
  }
}

export async function signIn(email: string, password: string): Promise<AuthResult> {
  const result = await run((fetchOptions) =>
    authClient.signIn.email({ email, password, rememberMe: true, fetchOptions }),
  );
  if (result.ok) signedIn();
  return result;
}

/**
 * Creates the account, then signs in with it. Sign-up answers a new and a taken address
 * alike and starts no session (decision 016); the sign-in tells them apart: with a taken
 * address (and another password) it fails, and the owner has been mailed.
 */
export async function signUp(name: string, email: string, password: string): Promise<AuthResult> {
  const created = await run((fetchOptions) => authClient.signUp.email({ name, email, password, fetchOptions }));
  if (!created.ok) return created;
  const result = await signIn(email, password);
  if (!result.ok && result.error.status === 401) {
    return {
      ok: false,
      error: new ApiError(409, "USER_ALREADY_EXISTS", "An account with this email already exists"),
    };
  }
  return result;
}

/** Signs out; the page should then leave (the session is gone whatever the answer said). */
export async function signOut(): Promise<AuthResult> {
  holdSessionRedirect(true);
  const result = await run((fetchOptions) => authClient.signOut({ fetchOptions }));
  signedOut();
  return result;
}

export async function changePassword(
  currentPassword: string,
  newPassword: string,
  revokeOtherSessions: boolean,
): Promise<AuthResult> {
  return run((fetchOptions) =>
    authClient.changePassword({ currentPassword, newPassword, revokeOtherSessions, fetchOptions }),
  );
}

export async function revokeAllSessions(): Promise<AuthResult> {
  holdSessionRedirect(true);
  const result = await run((fetchOptions) => authClient.revokeSessions({ fetchOptions }));
  if (result.ok) signedOut();
  else holdSessionRedirect(false);
  return result;
}

export async function deleteAccount(password: string): Promise<AuthResult> {
  holdSessionRedirect(true);
  const result = await run((fetchOptions) => authClient.deleteUser({ password, fetchOptions }));
  if (result.ok) signedOut();
  else holdSessionRedirect(false);
  return result;
}

export function signedIn() {
  clearAccessToken();
  rememberSignedIn();
}

function signedOut() {
  clearAccessToken();
  forgetSignedIn();
  forgetAllDrafts();
}
