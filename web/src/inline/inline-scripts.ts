import earlyShortcuts from "./early-shortcuts.js?raw";
import earlySubmitGuard from "./early-submit-guard.js?raw";
import registerServiceWorker from "./register-service-worker.js?raw";
import themeInit from "./theme-init.js?raw";

/** The inline scripts, by name, exactly as written into pages (and hashed in astro.config.mjs). */
export const inlineScripts = {
  "theme-init": themeInit,
  "early-submit-guard": earlySubmitGuard,
  "early-shortcuts": earlyShortcuts,
  "register-service-worker": registerServiceWorker,
} as const;

export type InlineScriptName = keyof typeof inlineScripts;
