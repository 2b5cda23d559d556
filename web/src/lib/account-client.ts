import { type AuthResult, authClient, run, signedIn } from "./auth-client.ts";

/**
 * The account flows of Better Auth that Brisk uses (docs/auth.md, "Accounts"): password
 * reset, email verification, name and email changes, and the devices list. Like
 * auth-client, every request goes through the api-client's `rawFetch`.
 */

export async function requestPasswordReset(email: string): Promise<AuthResult> {
  return run((fetchOptions) => authClient.requestPasswordReset({ email, fetchOptions }));
}

/** Sets the new password from a mailed link; the answer signs this browser in. */
export async function resetPassword(token: string, newPassword: string): Promise<AuthResult> {
  const result = await run((fetchOptions) => authClient.resetPassword({ token, newPassword, fetchOptions }));
  if (result.ok) await signedIn();
  return result;
}

export async function verifyEmail(token: string): Promise<AuthResult> {
  return run((fetchOptions) => authClient.verifyEmail({ query: { token }, fetchOptions }));
}

export async function sendVerificationEmail(email: string): Promise<AuthResult> {
  return run((fetchOptions) => authClient.sendVerificationEmail({ email, fetchOptions }));
}

export async function changeEmail(newEmail: string): Promise<AuthResult> {
  return run((fetchOptions) => authClient.changeEmail({ newEmail, fetchOptions }));
}

/** The person's time zone (an IANA name): where their days start and end for the task list. */
export async function changeTimeZone(timeZone: string): Promise<AuthResult> {
  return run((fetchOptions) =>
    authClient.updateUser({ timeZone, fetchOptions } as Parameters<typeof authClient.updateUser>[0]),
  );
}

export async function changeName(name: string): Promise<AuthResult> {
  return run((fetchOptions) => authClient.updateUser({ name, fetchOptions }));
}

/** One signed-in browser, as the devices list shows it. */
export interface Device {
  id: string;
  token: string;
  userAgent: string;
  city: string | null;
  country: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export async function listDevices(): Promise<{ ok: true; devices: Device[] } | Extract<AuthResult, { ok: false }>> {
  let devices: Device[] = [];
  const result = await run(async (fetchOptions) => {
    const { data, error } = await authClient.listSessions({ fetchOptions });
    devices = (data ?? []).map((session) => {
      const place = session as { city?: unknown; country?: unknown };
      return {
        id: session.id,
        token: session.token,
        userAgent: session.userAgent ?? "",
        city: typeof place.city === "string" ? place.city : null,
        country: typeof place.country === "string" ? place.country : null,
        createdAt: new Date(session.createdAt),
        updatedAt: new Date(session.updatedAt),
      };
    });
    return { error };
  });
  return result.ok ? { ok: true, devices } : result;
}

export async function signOutDevice(token: string): Promise<AuthResult> {
  return run((fetchOptions) => authClient.revokeSession({ token, fetchOptions }));
}

export async function signOutOtherDevices(): Promise<AuthResult> {
  return run((fetchOptions) => authClient.revokeOtherSessions({ fetchOptions }));
}
