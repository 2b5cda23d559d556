import { app } from "./app.ts";
import { pruneExpiredLinks } from "./auth/auth.repo.ts";
import { longestThrottleWindowSeconds } from "./auth/auth.routes.ts";
import { pruneAttempts } from "./auth/rate-limit-storage.ts";
import { readConfig } from "./config.ts";
import { getDatabase } from "./db/client.ts";
import { logEvent } from "./log.ts";
import { createMailer } from "./mail/mailer.ts";
import { deliverReminders, pruneReminderDeliveries, reminderCron } from "./tasks/reminders.delivery.ts";
import { pruneExpiredDeletions, pruneTombstones } from "./tasks/tasks.repo.ts";

/** The live channel's Durable Object class (wrangler.jsonc `durable_objects`). */
export { LiveChannel } from "./live/live.do.ts";

export default {
  fetch: app.fetch,
  /**
   * The Cron Trigger (wrangler.jsonc `triggers`): removes throttle counters no window can
   * need any more, bulk deletions too old to undo, change-feed tombstones past their retention and
   * mailed links that expired unused. Every minute (`reminderCron`) it mails the reminders due.
   */
  // Awaited, not waitUntil: a failed run then shows as failed in the Cron Trigger's history.
  async scheduled(controller, env, _ctx) {
    const config = readConfig(env);
    const db = getDatabase(config);
    if (controller.cron === reminderCron) {
      const { sent, failed } = await deliverReminders(db, createMailer(env, config, db), config.baseUrl);
      if (sent > 0 || failed > 0) logEvent(failed > 0 ? "error" : "info", "reminders mailed", { sent, failed });
      return;
    }
    const counters = await pruneAttempts(db, longestThrottleWindowSeconds);
    const deletions = await pruneExpiredDeletions(db);
    const tombstones = await pruneTombstones(db);
    const links = await pruneExpiredLinks(db);
    const reminderClaims = await pruneReminderDeliveries(db);
    logEvent("info", "pruned expired rows", { counters, deletions, tombstones, links, reminderClaims });
  },
} satisfies ExportedHandler<Env>;
