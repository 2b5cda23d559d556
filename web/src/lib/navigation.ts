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
 * A `next` value is followed only when it is a path on this site: `//evil.example` and
 * `/\evil.example` are other hosts to a browser, so they fall back to the task list.
 */
export function safeNext(value: string | null | undefined, fallback = "/tasks"): string {
  if (!value?.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  try {
    const url = new URL(value, "https://brisk.invalid");
    if (url.origin !== "https://brisk.invalid") return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
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
