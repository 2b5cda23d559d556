import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../env.ts";
import { problem } from "../problems.ts";
import { devMail } from "./mail.tables.ts";
import { listDevMail } from "./mailer.ts";

/**
 * The development mailbox at /__dev/*: only when DEV_MAILBOX is on (`pnpm dev`);
 * everywhere else these paths do not exist (404, like any unknown path).
 */
export const devMailboxRoutes = new Hono<AppEnv>()
  .use("*", async (c, next) => {
    if (!c.var.config.devMailbox) throw problem("not_found", { detail: `Nothing at ${c.req.path}` });
    c.header("Cache-Control", "no-store");
    await next();
  })
  .get("/mailbox.json", async (c) => {
    const mails = await listDevMail(c.var.db);
    return c.json(mails.map(({ to, subject, text, html, sentAt }) => ({ to, subject, text, html, sentAt })));
  })
  .get(
    "/mailbox",
    secureHeaders({
      referrerPolicy: "no-referrer",
      contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: [NONCE], frameAncestors: ["'none'"] },
    }),
    async (c) => {
      const mails = await listDevMail(c.var.db);
      const nonce = c.get("secureHeadersNonce") ?? "";
      const items = mails.map(
        (mail) => `<article>
<h2>${escapeHtml(mail.subject)}</h2>
<p class="meta">To <strong>${escapeHtml(mail.to)}</strong> · <time datetime="${mail.sentAt.toISOString()}">${mail.sentAt.toISOString().replace("T", " ").slice(0, 19)} UTC</time> · <a href="/__dev/mailbox/${mail.id}.html">HTML version</a></p>
<pre>${linkify(mail.text)}</pre>
</article>`,
      );
      return c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Development mailbox — Brisk</title>
<style nonce="${nonce}">
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.5}
html{background:light-dark(#ffffff,#111827);color:light-dark(#111827,#e5e7eb)}
body{margin:0 auto;padding:1rem;max-width:48rem}
article{border-top:1px solid color-mix(in srgb,currentColor 25%,transparent);padding:.5rem 0 1rem}
h2{font-size:1.1rem;margin:.5rem 0 0}
.meta{margin:.25rem 0;font-size:.9rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:inherit;margin:.5rem 0 0}
a{color:light-dark(#1d4ed8,#93c5fd)}
</style></head>
<body><main>
<h1>Development mailbox</h1>
<p>Every mail Brisk sent under <code>pnpm dev</code>, newest first. Nothing left this machine. As JSON: <a href="/__dev/mailbox.json">/__dev/mailbox.json</a>.</p>
${items.length > 0 ? items.join("\n") : "<p>No mail yet.</p>"}
</main></body></html>`);
    },
  )
  .get(
    "/mailbox/:file{[0-9a-f-]{36}\\.html}",
    // The mail's own HTML, as a mail client would show it: its inline styles, nothing else, sandboxed.
    secureHeaders({
      referrerPolicy: "no-referrer",
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        frameAncestors: ["'none'"],
        sandbox: ["allow-popups", "allow-top-navigation-by-user-activation"],
      },
    }),
    async (c) => {
      const id = c.req.param("file").slice(0, 36);
      const [mail] = await c.var.db.select({ html: devMail.html }).from(devMail).where(eq(devMail.id, id));
      if (!mail) throw problem("not_found", { detail: "No such mail" });
      return c.html(mail.html);
    },
  );

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

/** Escapes the text and makes its http(s) addresses clickable. */
function linkify(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
}
