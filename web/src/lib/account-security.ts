import { clearAccessToken } from "./api-client.ts";
import { type AuthResult, authClient, passkeyAuthClient, run } from "./auth-client.ts";
import { ApiError } from "./problems.ts";

/**
 * Two-factor authentication and passkeys on the account page, through Better Auth's
 * client (its two-factor and passkey plugins). Each call reports an `AuthResult`;
 * the ones that bring something back add it to the result.
 */

export interface TwoFactorSetup {
  /** The `otpauth://` URI an authenticator app scans (as a QR code) or is given by hand. */
  totpURI: string;
  /** The secret inside it, in the Base32 an app accepts when typed. */
  secret: string;
  backupCodes: string[];
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Starts turning two-factor on: needs the password; it is on only after `confirmTwoFactor`. */
export async function startTwoFactor(password: string): Promise<Outcome<TwoFactorSetup>> {
  let setup: TwoFactorSetup | undefined;
  const result = await run(async (fetchOptions) => {
    const answer = await authClient.twoFactor.enable({ password, fetchOptions });
    if (answer.data && "totpURI" in answer.data && answer.data.totpURI && answer.data.backupCodes) {
      const secret = new URL(answer.data.totpURI).searchParams.get("secret") ?? "";
      setup = { totpURI: answer.data.totpURI, secret, backupCodes: answer.data.backupCodes };
    }
    return answer;
  });
  if (!result.ok) return result;
  if (!setup)
    return { ok: false, error: new ApiError(500, "unexpected_answer", "The server's answer was incomplete.") };
  return { ok: true, value: setup };
}

/**
 * The code from the authenticator app, proving it holds the secret: two-factor is on from here.
 * Better Auth replaces the session then (turning it off too), so the access token is fetched anew.
 */
export async function confirmTwoFactor(code: string): Promise<AuthResult> {
  const result = await run((fetchOptions) => authClient.twoFactor.verifyTotp({ code, fetchOptions }));
  if (result.ok) clearAccessToken();
  return result;
}

export async function disableTwoFactor(password: string): Promise<AuthResult> {
  const result = await run((fetchOptions) => authClient.twoFactor.disable({ password, fetchOptions }));
  if (result.ok) clearAccessToken();
  return result;
}

export interface Passkey {
  id: string;
  name: string | null;
  createdAt: Date | null;
}

export async function listPasskeys(): Promise<Outcome<Passkey[]>> {
  let passkeys: Passkey[] = [];
  const result = await run(async (fetchOptions) => {
    const answer = await (await passkeyAuthClient()).passkey.listUserPasskeys({ fetchOptions });
    passkeys = (answer.data ?? []).map((key) => ({
      id: key.id,
      name: key.name ?? null,
      createdAt: key.createdAt ? new Date(key.createdAt) : null,
    }));
    return answer;
  });
  return result.ok ? { ok: true, value: passkeys } : result;
}

/** Asks the browser to create a passkey for this account and stores it under `name`. */
export function addPasskey(name: string): Promise<AuthResult> {
  return run(async (fetchOptions) => (await passkeyAuthClient()).passkey.addPasskey({ name, fetchOptions }));
}

export function removePasskey(id: string): Promise<AuthResult> {
  return run(async (fetchOptions) => (await passkeyAuthClient()).passkey.deletePasskey({ id, fetchOptions }));
}
