/**
 * The status line of signed-in pages (components/app-status.astro): "Offline — changes will
 * sync" while the browser is offline, and a reload offer once a newer service worker has
 * taken the page over. Whoever queues changes made offline tells the status how many are
 * waiting with `announcePendingChanges`, and it counts them.
 */

/** The window event carrying the number of changes not yet sent: `{ detail: { count } }`. */
export const pendingChangesEvent = "brisk:pending-changes";

export function announcePendingChanges(count: number, target: EventTarget = window): void {
  target.dispatchEvent(new CustomEvent(pendingChangesEvent, { detail: { count } }));
}

/** What the status says; empty while online (nothing to report). */
export function connectionStatusText(online: boolean, pending: number): string {
  if (online) return "";
  if (pending <= 0) return "Offline — changes will sync";
  return `Offline — ${pending} ${pending === 1 ? "change" : "changes"} will sync`;
}

/**
 * Calls `render` with the status text now and whenever the connection or the pending count
 * changes. Returns a function that stops watching.
 */
export function watchConnection(
  render: (text: string) => void,
  target: Window = window,
  isOnline: () => boolean = () => target.navigator.onLine,
): () => void {
  let pending = 0;
  const update = () => render(connectionStatusText(isOnline(), pending));
  const onPending = (event: Event) => {
    const count = (event as CustomEvent<{ count?: unknown }>).detail?.count;
    pending = typeof count === "number" && Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
    update();
  };
  target.addEventListener("online", update);
  target.addEventListener("offline", update);
  target.addEventListener(pendingChangesEvent, onPending);
  update();
  return () => {
    target.removeEventListener("online", update);
    target.removeEventListener("offline", update);
    target.removeEventListener(pendingChangesEvent, onPending);
  };
}

/**
 * Calls `onUpdate` once when a newer service worker takes over a page that an older one was
 * already serving: the page still runs the old build and should offer a reload. The first
 * worker taking the page over (an install, not an update) says nothing. Workers take over at
 * once (skipWaiting, clientsClaim in scripts/build-pwa.ts), so nobody stays on an old shell
 * past a navigation.
 */
export function watchForUpdate(
  onUpdate: () => void,
  container: ServiceWorkerContainer | undefined = navigator.serviceWorker,
): void {
  if (!container) return;
  let controlled = container.controller !== null;
  const onControllerChange = () => {
    if (!controlled) {
      controlled = true;
      return;
    }
    container.removeEventListener("controllerchange", onControllerChange);
    onUpdate();
  };
  container.addEventListener("controllerchange", onControllerChange);
}
