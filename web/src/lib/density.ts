import { config } from "./config.ts";

/**
 * The task list's density, a remembered preference (localStorage, like the theme). The early
 * inline script (src/inline/theme-init.js) sets `data-density` on <html> before first paint,
 * so a compact list never jumps; the styles key off that attribute alone.
 */
export type Density = "comfortable" | "compact";

export function currentDensity(): Density {
  return document.documentElement.dataset.density === "compact" ? "compact" : "comfortable";
}

export function setDensity(density: Density): void {
  const root = document.documentElement;
  if (density === "compact") root.dataset.density = "compact";
  else delete root.dataset.density;
  try {
    if (density === "compact") localStorage.setItem(config.densityStorageKey, "compact");
    else localStorage.removeItem(config.densityStorageKey);
  } catch {
    // Storage off: the choice lasts for this page only.
  }
}
