import { call, type RequestOptions } from "./fixtures.ts";

/** A mail as the development mailbox shows it (GET /__dev/mailbox.json). */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/** Every mail so far, newest first. */
export async function mailbox(options: RequestOptions = {}): Promise<Mail[]> {
  const response = await call("/__dev/mailbox.json", options);
  if (response.status !== 200) throw new Error(`mailbox: ${response.status} ${await response.text()}`);
  return (await response.json()) as Mail[];
}

/** The mails to one address, newest first. */
export async function mailsTo(address: string, options: RequestOptions = {}): Promise<Mail[]> {
  return (await mailbox(options)).filter((mail) => mail.to === address.toLowerCase());
}

/** The newest mail to an address; fails the test when there is none. */
export async function lastMailTo(address: string, options: RequestOptions = {}): Promise<Mail> {
  const [mail] = await mailsTo(address, options);
  if (!mail) throw new Error(`no mail to ${address}`);
  return mail;
}

/** The one link of a mail's plain text to this path, e.g. `/reset-password`. */
export function linkIn(mail: Mail, path: string): URL {
  const links = [...mail.text.matchAll(/https?:\/\/\S+/g)].map((match) => new URL(match[0]));
  const link = links.find((url) => url.pathname === path);
  if (!link) throw new Error(`no ${path} link in "${mail.subject}"`);
  return link;
}

/** The token of a mailed link. */
export function tokenIn(mail: Mail, path: string): string {
  const token = linkIn(mail, path).searchParams.get("token");
  if (!token) throw new Error(`the ${path} link has no token`);
  return token;
}
