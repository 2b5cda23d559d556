import { baseUrl } from "./browser.ts";

/** A mail as the development mailbox of `pnpm dev` shows it (/__dev/mailbox.json). */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/**
 * The newest mail to `address` whose subject is `subject`, waiting for it to arrive
 * (it is sent while the request that caused it is answered, but a loaded machine is slow).
 */
export async function waitForMail(address: string, subject: string, after = new Date(0)): Promise<Mail> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/__dev/mailbox.json`);
    const mails = (await response.json()) as Mail[];
    const found = mails.find(
      (mail) => mail.to === address.toLowerCase() && mail.subject === subject && new Date(mail.sentAt) > after,
    );
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no mail "${subject}" to ${address}`);
}

/** The link of a mail's plain text that leads to `path`, as a path and query on the app's origin. */
export function linkIn(mail: Mail, path: string): string {
  const link = [...mail.text.matchAll(/https?:\/\/\S+/g)]
    .map((match) => new URL(match[0]))
    .find((url) => url.pathname === path);
  if (!link) throw new Error(`no ${path} link in "${mail.subject}"`);
  return `${link.pathname}${link.search}`;
}
