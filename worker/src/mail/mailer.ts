import { AsyncLocalStorage } from "node:async_hooks";
import { desc } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { errorForLog, logEvent } from "../log.ts";
import { type Problem, problem } from "../problems.ts";
import { devMail } from "./mail.tables.ts";
import type { MailContent } from "./messages.ts";

/** Sends Brisk's mail: the one place that knows how (docs/auth.md, "Mail"). */
export interface Mailer {
  /** Resolves once the mail is handed over; a failure throws 503 `mail_unavailable` (retryable). */
  send(to: string, content: MailContent): Promise<void>;
}

/**
 * What became of the mail sent while answering one request. Better Auth runs its mail
 * callbacks as background work and swallows their errors, so the failure is noted here
 * for the route to answer with (auth.routes.ts).
 */
export const mailOutcome = new AsyncLocalStorage<{ failure?: Problem }>();

/** How long a client should wait before retrying after a failed send. */
const retryAfterSeconds = 60;

/**
 * Cloudflare Email Service through the `EMAIL` binding — or, under `pnpm dev`
 * (DEV_MAILBOX=on), the development mailbox: the mail is stored, one line naming it
 * and its link goes to the console, and nothing leaves the machine.
 */
export function createMailer(env: Env, config: Config, db: Database): Mailer {
  if (config.devMailbox) {
    return {
      async send(to, { subject, text, html, link }) {
        await db.insert(devMail).values({ to, subject, text, html });
        console.log(`\x1b[35m[mail]\x1b[0m to ${to}: ${subject}${link ? ` — ${link}` : ""}`);
      },
    };
  }
  const from = config.mailFrom.name ? config.mailFrom : config.mailFrom.email;
  return {
    async send(to, { subject, text, html }) {
      try {
        await env.EMAIL.send({ from, to, subject, text, html });
      } catch (error) {
        // The address stays out of the log; the subject says which flow failed.
        logEvent("error", "mail not sent", { subject, error: errorForLog(error) });
        const failure = problem("mail_unavailable", {
          detail: "We could not send the mail just now. Nothing was changed; try again in a minute.",
          headers: { "Retry-After": String(retryAfterSeconds) },
        });
        const outcome = mailOutcome.getStore();
        if (outcome) outcome.failure ??= failure;
        throw failure;
      }
    },
  };
}

/** The development mailbox, newest first. */
export async function listDevMail(db: Database, limit = 200) {
  return db
    .select({
      id: devMail.id,
      to: devMail.to,
      subject: devMail.subject,
      text: devMail.text,
      html: devMail.html,
      sentAt: devMail.sentAt,
    })
    .from(devMail)
    .orderBy(desc(devMail.sentAt), desc(devMail.id))
    .limit(limit);
}
