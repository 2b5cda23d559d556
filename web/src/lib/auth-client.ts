import { del } from "idb-keyval";
import { clearAccessToken, holdSessionRedirect } from "./api-client.ts";
import { authClient } from "./better-auth.ts";
import { config } from "./config.ts";
import { forgetAllDrafts } from "./drafts.ts";
import { forgetSignedIn, forgetUser, lastUser, rememberSignedIn } from "./navigation.ts";
import { ApiError, parseRetryAfter } from "./problems.ts";

/**
 * Signing in and out, changing the password, deleting the account — Better Auth's client
 * (lib/better-auth.ts) with each outcome as an `ApiError` the forms can put into words.
 */

export type AuthResult = { ok: true } | { ok: false; error: ApiError };

interface AuthFetchOptions {
  onResponse: (context: { response: Response }) => void;
}

/**
 * Runs one Better Auth call and reports the outcome as an `ApiError` with `Retry-After`
 * read from the response (Better Auth's own error object does not carry headers).
 */
async function run(
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

export async function signUp(name: string, email: string, password: string): Promise<AuthResult> {
  const result = await run((fetchOptions) => authClient.signUp.email({ name, email, password, fetchOptions }));
  if (result.ok) signedIn();
  return result;
}

/** Signs out; the page should then leave (the session is gone whatever the answer said). */
export async function signOut(): Promise<AuthResult> {
  holdSessionRedirect(true);
  const result = await run((fetchOptions) => authClient.signOut({ fetchOptions }));
  await signedOut();
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
  if (result.ok) await signedOut();
  else holdSessionRedirect(false);
  return result;
}

export async function deleteAccount(password: string): Promise<AuthResult> {
  holdSessionRedirect(true);
  const result = await run((fetchOptions) => authClient.deleteUser({ password, fetchOptions }));
  if (result.ok) await signedOut();
  else holdSessionRedirect(false);
  return result;
}

function signedIn() {
  clearAccessToken();
  rememberSignedIn();
  // Perhaps another person: /tasks waits for the token to say whose replica to show.
  forgetUser();
}

/**
 * Nothing of the person stays in this browser: the token, the drafts, the replica and the
 * queue of unsent changes (IndexedDB, decision 014).
 */
async function signedOut() {
  const userId = lastUser();
  clearAccessToken();
  forgetSignedIn();
  forgetAllDrafts();
  await Promise.all([
    del(config.replicaStorageKey),
    userId ? del(`${config.outboxStorageKeyPrefix}${userId}`) : undefined,
  ]).catch(() => {});
}
