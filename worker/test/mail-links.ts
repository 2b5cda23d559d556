/**
 * Reading the development mailbox's mails (GET /__dev/mailbox.json), shared by the Worker's tests
 * and the browser tests: plain code, no workerd or browser APIs.
 */

/** A mail as the development mailbox shows it. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/** The one link of a mail's plain text to this path, e.g. `/reset-password`. */
export function linkIn(mail: Mail, path: string): URL {
  const links = [...mail.text.matchAll(/https?:\/\/\S+/g)].map((match) => new URL(match[0]));
  const link = links.find((url) => url.pathname === path);
  if (!link) throw new Error(`no ${path} link in "${mail.subject}"`);
  return link;
}
