/** Where things live and how long they last; one place to change them. */
export const config = {
  /** Better Auth's endpoints, on this origin. */
  authBasePath: "/api/auth",
  /** The task API lives under /api/{userId}/tasks. */
  apiBasePath: "/api",
  /** Renew the access token this long before it expires. */
  tokenRenewMarginSeconds: 60,
  /** How long a completion, a delete or a bulk change offers Undo. */
  undoWindowMs: 6_000,
  /** Search waits this long after the last keystroke. */
  searchDebounceMs: 250,
  /** localStorage key for the chosen theme (a preference, not a secret). */
  themeStorageKey: "brisk-theme",
  /** localStorage key for the task list's density: "compact", or absent for the comfortable default. */
  densityStorageKey: "brisk-density",
  /**
   * localStorage key remembering that this browser had a session, so a visitor whose
   * session ended is told so rather than shown a bare sign-in form. Holds "1", never a token.
   */
  signedInHintKey: "brisk-signed-in",
  /** localStorage key naming whose replica this browser holds (a user id, never a token). */
  lastUserKey: "brisk-user",
  /**
   * localStorage key keeping the last access token (a JWT, 15 minutes) for the next page of this browser,
   * so a cold /tasks reads the feed without asking `/api/auth/token` first (decision 039).
   */
  tokenStorageKey: "brisk-token",
  /** IndexedDB (idb-keyval) keys: the replica (TanStack Query's persisted cache) and each user's queued changes. */
  replicaStorageKey: "brisk-replica",
  outboxStorageKeyPrefix: "brisk-outbox:",
  /** How long a persisted replica is trusted; the feed keeps deletions 30 days, so no longer than that. */
  replicaMaxAgeMs: 30 * 24 * 60 * 60 * 1000,
  /** Waits between attempts to send queued changes while the server cannot be reached (grows to the last). */
  outboxRetryDelaysMs: [500, 1_000, 2_000, 5_000, 10_000],
  /** Live channel: heartbeat, and how long to wait for its answer before reconnecting. */
  livePingIntervalMs: 30_000,
  livePongTimeoutMs: 10_000,
  /** sessionStorage keys, one per user id, keeping unsent typing across a sign-in round trip (lib/drafts.ts). */
  draftsStorageKeyPrefix: "brisk-drafts:",
} as const;
