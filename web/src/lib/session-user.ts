import { config } from "./config.ts";
import { errorFromResponse, fetchOrNetworkError, isRecord } from "./problems.ts";

/**
 * Who is signed in, for the pages that only need to know that (the home page, the account
 * menu): one small request to Better Auth's get-session, without loading its client.
 */

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  /** Whether the address was confirmed from the verification mail. */
  emailVerified: boolean;
  /** This browser's session (the devices list marks it "this device"). */
  sessionId: string;
  /** Sign-in asks for an authenticator-app code too. */
  twoFactorEnabled: boolean;
  /** The IANA zone in the person's profile, if set. */
  timeZone: string | null;
}

let sessionRequest: Promise<SessionUser | null> | null = null;

/**
 * Who is signed in (`GET /api/auth/get-session`), or null. One request per page however
 * many islands ask; `fresh` asks again (a tab coming back into view). Throws an ApiError
 * when the server cannot say (offline), so a blip is not mistaken for a sign-out.
 */
export function getSessionUser(fresh = false): Promise<SessionUser | null> {
  if (fresh || !sessionRequest) {
    sessionRequest = requestSessionUser();
    sessionRequest.catch(() => {
      sessionRequest = null;
    });
  }
  return sessionRequest;
}

async function requestSessionUser(): Promise<SessionUser | null> {
  const response = await fetchOrNetworkError(`${config.authBasePath}/get-session`, {
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json" },
  });
  if (response.status === 401) return null;
  if (!response.ok) throw await errorFromResponse(response);
  const body: unknown = await response.json();
  const user = isRecord(body) && isRecord(body.user) ? body.user : null;
  if (!user || typeof user.id !== "string") return null;
  const session = isRecord(body) && isRecord(body.session) ? body.session : null;
  return {
    id: user.id,
    name: String(user.name ?? ""),
    email: String(user.email ?? ""),
    emailVerified: user.emailVerified === true,
    sessionId: typeof session?.id === "string" ? session.id : "",
    twoFactorEnabled: user.twoFactorEnabled === true,
    timeZone: typeof user.timeZone === "string" ? user.timeZone : null,
  };
}

/** Whether this browser has a live session (for pages that only need to know that). */
export async function hasSession(): Promise<boolean> {
  try {
    return (await getSessionUser()) !== null;
  } catch {
    return false;
  }
}

/** For tests: a fresh page asks again. */
export function resetSessionUserForTests(): void {
  sessionRequest = null;
}
