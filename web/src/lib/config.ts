/** Where things live and how long they last; one place to change them. */
export const config = {
  /** Better Auth's endpoints, on this origin. */
  authBasePath: "/api/auth",
  /** The task API lives under /api/{userId}/tasks. */
  apiBasePath: "/api",
  /** Renew the access token this long before it expires. */
  tokenRenewMarginSeconds: 60,
  /** How many times a create is re-sent (same id) after a network failure or a 503. */
  createRetries: 3,
  /** The longest wait before a retry, whatever Retry-After says (the person is watching). */
  maxRetryDelayMs: 2_000,
  /** How long "Task deleted" offers Undo. */
  undoWindowMs: 6_000,
  /** Tasks per page of the list. */
  pageSize: 50,
  /** Search waits this long after the last keystroke. */
  searchDebounceMs: 250,
  /** localStorage key for the chosen theme (a preference, not a secret). */
  themeStorageKey: "brisk-theme",
  /**
   * localStorage key remembering that this browser had a session, so a visitor whose
   * session ended is told so rather than shown a bare sign-in form. Holds "1", never a token.
   */
  signedInHintKey: "brisk-signed-in",
  /** sessionStorage keys, one per user id, keeping unsent typing across a sign-in round trip (lib/drafts.ts). */
  draftsStorageKeyPrefix: "brisk-drafts:",
} as const;
