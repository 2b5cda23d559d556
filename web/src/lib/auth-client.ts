import { createAuthClient } from "better-auth/client";
import { del } from "idb-keyval";
import { clearAccessToken, fetchTokenForNextPage, holdSessionRedirect } from "./api-client.ts";
import { authClient, clientOptions } from "./better-auth.ts";
import { config } from "./config.ts";
import { forgetAllDrafts } from "./drafts.ts";
import { forgetSignedIn, forgetUser, lastUser, rememberSignedIn } from "./navigation.ts";
import { forgetStoredQueues, storedChanges } from "./outbox-storage.ts";
import { ApiError, parseRetryAfter } from "./problems.ts";
import { announceSignOut, settleBeforeSignOut } from "./sign-out.ts";
import { browserZone } from "./time-zone.ts";

/**
 * Signing in and out, changing the password, deleting the account — Better Auth's client
 * (lib/better-auth.ts) with each outcome as an `ApiError` the forms can put into words.
 */
export { authClient };

let passkeyAuth: Promise<PasskeyAuthClient> | undefined;
type PasskeyAuthClient = ReturnType<typeof createPasskeyAuthClient>;

function createPasskeyAuthClient(plugin: typeof import("@better-auth/passkey/client").passkeyClient) {
  return createAuthClient({ ...clientOptions, plugins: [plugin()] });
}

/**
 * The client with Better Auth's passkey plugin, loaded the first time a page uses a
 * passkey: it brings WebAuthn's browser library, which pages without passkeys never need.
 */
export function passkeyAuthClient(): Promise<PasskeyAuthClient> {
  passkeyAuth ??= import("@better-auth/passkey/client").then(
    ({ passkeyClient }) => createPasskeyAuthClient(passkeyClient),
    (error: unknown) => {
      // A chunk that failed to load (offline) is tried again next time.
      passkeyAuth = undefined;
      throw error;
    },
  );
  return passkeyAuth;
}

export type AuthResult = { ok: true } | { ok: false; error: ApiError };

/** A sign-in that checked the password may still need the second factor (two-factor is on). */
export type SignInResult = { ok: true; needsCode: boolean } | { ok: false; error: ApiError };

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

export async function signIn(email: string, password: string): Promise<SignInResult> {
  let needsCode = false;
  const result = await run(async (fetchOptions) => {
    const answer = await authClient.signIn.email({ email, password, rememberMe: true, fetchOptions });
    needsCode = answer.data !== null && "twoFactorRedirect" in answer.data && answer.data.twoFactorRedirect === true;
    return answer;
  });
  if (!result.ok) return result;
  if (!needsCode) await signedIn();
  return { ok: true, needsCode };
}

/** The second step of a sign-in with two-factor on: a code from the authenticator app, or a backup code. */
export async function verifySignInCode(code: string, trustDevice: boolean): Promise<AuthResult> {
  // Backup codes are longer than the app's six digits and have a dash (Better Auth's format: xxxxx-xxxxx).
  const backup = !/^\d{6}$/.test(code);
  const result = await run((fetchOptions) =>
    backup
      ? authClient.twoFactor.verifyBackupCode({ code, trustDevice, fetchOptions })
      : authClient.twoFactor.verifyTotp({ code, trustDevice, fetchOptions }),
  );
  if (result.ok) await signedIn();
  return result;
}

/** Signs in with a passkey; `autoFill` waits for the person to pick one from the email field's suggestions. */
export async function signInWithPasskey(autoFill = false): Promise<AuthResult> {
  const client = await passkeyAuthClient().catch(() => undefined);
  if (!client) return { ok: false, error: new ApiError(0, "network_error", "The server could not be reached.") };
  const result = await run((fetchOptions) => client.signIn.passkey({ autoFill, fetchOptions }));
  if (result.ok) await signedIn();
  return result;
}

/**
 * Creates the account, then signs in with it. Sign-up answers a new and a taken address
 * alike and starts no session (decision 016); the sign-in tells them apart: with a taken
 * address (and another password) it fails, and the owner has been mailed.
 */
export async function signUp(name: string, email: string, password: string): Promise<AuthResult> {
  // The person's time zone comes from this browser (docs/tasks-api.md "The due model"); changeable on the account page.
  const timeZone = browserZone();
  const created = await run((fetchOptions) =>
    authClient.signUp.email({ name, email, password, timeZone, fetchOptions } as Parameters<
      typeof authClient.signUp.email
    >[0]),
  );
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

/**
 * A session has started, perhaps another person's: whatever this browser kept of the last one's
 * token and user id goes, and the new session's token is fetched now and kept (it names whose
 * replica to show), so the page that follows reads its data with no `/token` first (decision 039).
 */
export async function signedIn(): Promise<void> {
  clearAccessToken();
  rememberSignedIn();
  forgetUser();
  await fetchTokenForNextPage();
}

/**
 * Nothing of the person stays in this browser: the token, the drafts, the replica and the
 * queue of unsent changes (IndexedDB, decision 014).
 */
async function signedOut() {
  const userId = lastUser();
  // An open task list stops its queue and live channel and forgets the replica in memory (lib/sign-out.ts).
  announceSignOut();
  clearAccessToken();
  forgetSignedIn();
  forgetAllDrafts();
  await Promise.all([del(config.replicaStorageKey), userId ? forgetStoredQueues(userId) : undefined]).catch(() => {});
}

/**
 * How many changes made in this browser have not reached the server (any tab), after giving an
 * open task list a moment to send them: sign-out asks before it forgets them.
 */
export async function unsentChanges(): Promise<number> {
  await settleBeforeSignOut();
  const userId = lastUser();
  return userId ? (await storedChanges(userId)).length : 0;
}
