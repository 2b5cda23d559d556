import { config } from "./config.ts";

/**
 * Page changes go through this object so tests can watch them (jsdom cannot navigate)
 * and so every redirect in the app is written one way.
 */
export const navigation = {
  assign(url: string): void {
    window.location.assign(url);
  },
  replace(url: string): void {
    window.location.replace(url);
  },
};

/** Where the person is now, as a path the sign-in page can bring them back to. */
export function currentPath(): string {
  return `${window.location.pathname}${window.location.search}`;
}

/**
 * A `next` value is followed only when it leads to a page on this site. The check is made
 * on what the URL parser makes of it, not on the text: `/.//evil.example` and
 * `/x/..//evil.example` normalise to the path `//evil.example`, which a browser reads as
 * another host. So the value is resolved against this origin, must stay on it, and only its
 * path, query and fragment are kept — and that path must resolve to this origin again.
 */
export function safeNext(value: string | null | undefined, fallback = "/tasks"): string {
  if (!value) return fallback;
  const origin = window.location.origin;
  try {
    const url = new URL(value, origin);
    if (url.origin !== origin) return fallback;
    const path = `${url.pathname}${url.search}${url.hash}`;
    return new URL(path, origin).origin === origin ? path : fallback;
  } catch {
    return fallback;
  }
}

export type SignInReason = "session-ended";

export function signInUrl(next: string, reason?: SignInReason): string {
  const params = new URLSearchParams({ next });
  if (reason) params.set("reason", reason);
  return `/sign-in?${params.toString()}`;
}

/** Remembers that this browser had a session (a flag, never a token). */
export function rememberSignedIn(): void {
  try {
    localStorage.setItem(config.signedInHintKey, "1");
  } catch {
    // Storage can be off (private modes); the hint only picks a friendlier message.
  }
}

export function forgetSignedIn(): void {
  try {
    localStorage.removeItem(config.signedInHintKey);
    localStorage.removeItem(config.lastUserKey);
  } catch {
    // See rememberSignedIn.
  }
}

export function wasSignedIn(): boolean {
  try {
    return localStorage.getItem(config.signedInHintKey) === "1";
  } catch {
    return false;
  }
}

/**
 * Whose replica this browser holds (a user id, not a credential): a reload shows that
 * person's tasks from the replica before, or without, any answer from the network.
 */
export function rememberUser(userId: string): void {
  try {
    localStorage.setItem(config.lastUserKey, userId);
  } catch {
    // See rememberSignedIn.
  }
}

export function lastUser(): string | null {
  try {
    return localStorage.getItem(config.lastUserKey);
  } catch {
    return null;
  }
}

export function forgetUser(): void {
  try {
    localStorage.removeItem(config.lastUserKey);
  } catch {
    // See rememberSignedIn.
  }
}
