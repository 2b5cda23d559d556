/**
 * Signing out while the task list is open (the account menu and the list are separate islands):
 * the menu asks the list to send what waits first, then tells it to stop its queue and its live
 * channel before the session, the replica and the queue are forgotten (docs/web.md "Sign-out").
 */
const beforeSignOutEvent = "brisk:before-sign-out";
const signOutEvent = "brisk:sign-out";

/** How long sign-out waits for queued changes to be sent before counting what is left. */
const settleWaitMs = 3_000;

interface BeforeSignOut {
  waitFor: (work: Promise<unknown>) => void;
}

/** The task list's part: send what waits when asked, stop when the person signs out. */
export function onSignOut(handlers: { settle: () => Promise<unknown>; stop: () => void }): () => void {
  const before = (event: Event) => (event as CustomEvent<BeforeSignOut>).detail.waitFor(handlers.settle());
  window.addEventListener(beforeSignOutEvent, before);
  window.addEventListener(signOutEvent, handlers.stop);
  return () => {
    window.removeEventListener(beforeSignOutEvent, before);
    window.removeEventListener(signOutEvent, handlers.stop);
  };
}

/** Gives an open task list a moment to send its queued changes (it cannot when offline: that ends at once). */
export async function settleBeforeSignOut(): Promise<void> {
  const work: Promise<unknown>[] = [];
  window.dispatchEvent(
    new CustomEvent<BeforeSignOut>(beforeSignOutEvent, { detail: { waitFor: (promise) => work.push(promise) } }),
  );
  if (work.length === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(work),
    new Promise((resolve) => {
      timer = setTimeout(resolve, settleWaitMs);
    }),
  ]);
  clearTimeout(timer);
}

/** The person is signing out: the task list stops sending and listening now. */
export function announceSignOut(): void {
  window.dispatchEvent(new Event(signOutEvent));
}
