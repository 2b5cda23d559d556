import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * The development mailbox (DEV_MAILBOX=on, `pnpm dev` only): every mail Brisk would
 * have sent, kept here instead and shown at /__dev/mailbox. Empty in a deployed
 * database — nothing writes it there (docs/auth.md, "Mail").
 */
export const devMail = pgTable(
  "dev_mail",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("dev_mail_sent_at_idx").on(table.sentAt)],
);
