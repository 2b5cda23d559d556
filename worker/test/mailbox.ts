import { call, type RequestOptions } from "./fixtures.ts";
import { linkIn, type Mail } from "./mail-links.ts";

export { linkIn, type Mail };

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

/** The token of a mailed link. */
export function tokenIn(mail: Mail, path: string): string {
  const token = linkIn(mail, path).searchParams.get("token");
  if (!token) throw new Error(`the ${path} link has no token`);
  return token;
}
