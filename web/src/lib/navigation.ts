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

/** Reads a localStorage entry; null when absent or when storage is off (private modes). */
export function readLocal(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Writes (or, with null, removes) a localStorage entry; with storage off, nothing is kept. */
export function storeLocal(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage can be off (private modes): every entry here is a shortcut the app can do without.
  }
}

/** Remembers that this browser had a session (a flag, never a token). */
export function rememberSignedIn(): void {
  storeLocal(config.signedInHintKey, "1");
}

export function forgetSignedIn(): void {
  storeLocal(config.signedInHintKey, null);
  forgetUser();
}

export function wasSignedIn(): boolean {
  return readLocal(config.signedInHintKey) === "1";
}

/**
 * Whose replica this browser holds (a user id, not a credential): a reload shows that
 * person's tasks from the replica before, or without, any answer from the network.
 */
export function rememberUser(userId: string): void {
  storeLocal(config.lastUserKey, userId);
}

export function lastUser(): string | null {
  return readLocal(config.lastUserKey);
}

export function forgetUser(): void {
  storeLocal(config.lastUserKey, null);
}
