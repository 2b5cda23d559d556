import { existsSync } from "node:fs";

/** The system Chromium (Debian's `chromium` package), or CHROMIUM_PATH. */
export function findChromium(): string | undefined {
  return [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
    (path) => path !== undefined && path !== "" && existsSync(path),
  );
}

/** Flags these machines need: no sandbox (root), and no background networking (the network is closed). */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
