import { app } from "./app.ts";
import { longestThrottleWindowSeconds } from "./auth/auth.routes.ts";
import { pruneAttempts } from "./auth/rate-limit-storage.ts";
import { readConfig } from "./config.ts";
import { getDatabase } from "./db/client.ts";
import { logEvent } from "./log.ts";

export default {
  fetch: app.fetch,
  /** The Cron Trigger (wrangler.toml `[triggers]`): removes throttle counters no window can need any more. */
  // Awaited, not waitUntil: a failed run then shows as failed in the Cron Trigger's history.
  async scheduled(_controller, env, _ctx) {
    const pruned = await pruneAttempts(getDatabase(readConfig(env)), longestThrottleWindowSeconds);
    logEvent("info", "pruned throttle counters", { pruned });
  },
} satisfies ExportedHandler<Env>;
