import { type Mail, linkIn as mailLink } from "../../worker/test/mail-links.ts";
import { baseUrl } from "./browser.ts";

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
  const link = mailLink(mail, path);
  return `${link.pathname}${link.search}`;
}
