import { instantOf } from "../tasks/due.ts";

/**
 * What Brisk's mails say, one function per mail, each with a plain-text and an HTML
 * body written for a person: what happened, the link, how long it works, and what to
 * do if it was not them. Lifetimes come from the caller (auth.ts owns them).
 */

export interface MailContent {
  subject: string;
  text: string;
  html: string;
  /** The link the mail is about, if any (the development mailbox prints it). */
  link?: string;
}

/** "1 hour", "15 minutes", "3 days". */
export function describeDuration(seconds: number): string {
  const units: [number, string][] = [
    [2 * 86_400, "day"],
    [3600, "hour"],
    [60, "minute"],
  ];
  for (const [size, unit] of units) {
    const unitSize = unit === "day" ? 86_400 : size;
    if (seconds >= size && seconds % unitSize === 0) {
      const count = seconds / unitSize;
      return `${count} ${unit}${count === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} seconds`;
}

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

interface Parts {
  subject: string;
  greeting: string;
  /** Paragraphs before the link. */
  lead: string[];
  /** `validFor` absent: a plain link to the app, not a one-time link. */
  action?: { label: string; url: string; validFor?: string };
  /** What to do if this was not them. */
  notYou: string;
}

function compose({ subject, greeting, lead, action, notYou }: Parts): MailContent {
  const text = [
    greeting,
    "",
    ...lead.flatMap((paragraph) => [paragraph, ""]),
    ...(action
      ? [
          `${action.label}:`,
          action.url,
          "",
          ...(action.validFor ? [`This link works once, for ${action.validFor}.`, ""] : []),
        ]
      : []),
    notYou,
    "",
    "— Brisk",
  ].join("\n");
  const paragraph = (content: string) => `<p style="margin:0 0 16px">${content}</p>`;
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:24px;font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#ffffff">',
    '<div style="max-width:560px;margin:0 auto">',
    paragraph(escapeHtml(greeting)),
    ...lead.map((content) => paragraph(escapeHtml(content))),
    ...(action
      ? [
          paragraph(
            `<a href="${escapeHtml(action.url)}" style="display:inline-block;padding:10px 16px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(action.label)}</a>`,
          ),
          paragraph(
            `Or open this address: <a href="${escapeHtml(action.url)}" style="color:#1d4ed8;word-break:break-all">${escapeHtml(action.url)}</a>`,
          ),
          ...(action.validFor ? [paragraph(`This link works once, for ${escapeHtml(action.validFor)}.`)] : []),
        ]
      : []),
    paragraph(escapeHtml(notYou)),
    paragraph("— Brisk"),
    "</div></body></html>",
  ].join("");
  return { subject, text, html, ...(action ? { link: action.url } : {}) };
}

const hello = (name: string) => (name.trim() ? `Hello ${name.trim()},` : "Hello,");

export function verifyEmailMail(input: { name: string; url: string; validForSeconds: number }): MailContent {
  return compose({
    subject: "Confirm your email address for Brisk",
    greeting: hello(input.name),
    lead: ["Thanks for signing up to Brisk. Please confirm that this is your email address."],
    action: { label: "Confirm my email address", url: input.url, validFor: describeDuration(input.validForSeconds) },
    notYou:
      "If you did not sign up to Brisk, ignore this mail: nothing happens unless the link is opened, and no one can use this address to sign in without the password they chose.",
  });
}

export function changeEmailMail(input: {
  name: string;
  newEmail: string;
  url: string;
  validForSeconds: number;
}): MailContent {
  return compose({
    subject: "Confirm your new email address for Brisk",
    greeting: hello(input.name),
    lead: [
      `Someone asked to change the email address of a Brisk account to ${input.newEmail}. The change happens only when this link is opened.`,
    ],
    action: { label: "Use this email address", url: input.url, validFor: describeDuration(input.validForSeconds) },
    notYou: "If you did not ask for this, ignore this mail: the account keeps its current address.",
  });
}

export function emailChangeNoticeMail(input: { name: string; newEmail: string; accountUrl: string }): MailContent {
  return compose({
    subject: "Your Brisk email address is being changed",
    greeting: hello(input.name),
    lead: [
      `Someone signed in to your Brisk account asked to change its email address to ${input.newEmail}. It changes only once that address is confirmed from the mail sent to it.`,
    ],
    notYou: `If this was not you, sign in at ${input.accountUrl}, change your password (that signs out every other device) and check the email address there.`,
  });
}

export function resetPasswordMail(input: { name: string; url: string; validForSeconds: number }): MailContent {
  return compose({
    subject: "Reset your Brisk password",
    greeting: hello(input.name),
    lead: ["Someone asked to reset the password of the Brisk account with this email address."],
    action: { label: "Choose a new password", url: input.url, validFor: describeDuration(input.validForSeconds) },
    notYou:
      "If you did not ask for this, ignore this mail: your password stays as it is. Setting a new password signs out every other device.",
  });
}

export function signUpAttemptMail(input: { name: string; signInUrl: string; resetUrl: string }): MailContent {
  return compose({
    subject: "Someone tried to sign up to Brisk with your email address",
    greeting: hello(input.name),
    lead: [
      "Someone just tried to create a Brisk account with this email address, which already has one. No new account was made and nothing changed in yours.",
      `If it was you, sign in at ${input.signInUrl} — or, if you forgot your password, reset it at ${input.resetUrl}.`,
    ],
    notYou: "If it was not you, you need not do anything: no one can sign in without your password.",
  });
}

/**
 * A reminder (docs/decisions/026-reminders.md): the task's title in the subject, when it is due
 * in the person's zone (UTC when they have none), and a link to their tasks.
 */
export function reminderMail(input: {
  name: string;
  title: string;
  dueDate: string | null;
  dueTime: string | null;
  dueZone: string | null;
  timeZone: string | null;
  tasksUrl: string;
}): MailContent {
  const zone = input.timeZone ?? "UTC";
  let when = "";
  if (input.dueDate && input.dueTime) {
    const instant = instantOf(input.dueDate, input.dueTime, input.dueZone ?? zone);
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    when = `It is due ${format.format(instant)} (${zone}).`;
  } else if (input.dueDate) {
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: "UTC",
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
    });
    when = `It is due ${format.format(new Date(`${input.dueDate}T00:00:00Z`))}.`;
  }
  return compose({
    subject: `Reminder: ${input.title}`,
    greeting: hello(input.name),
    lead: [`This is your reminder for "${input.title}".`, ...(when ? [when] : [])],
    action: { label: "Open your tasks", url: input.tasksUrl },
    notYou:
      "You get this mail because the task has a reminder. Change or remove its reminders in Brisk; a completed task sends none.",
  });
}
