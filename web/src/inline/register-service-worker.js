// The service worker keeping the app shell for offline use (scripts/build-pwa.ts), registered after
// load so precaching never competes with the page. Refused (private window, astro dev): still a site.
if ("serviceWorker" in navigator) {
  addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  });
}
