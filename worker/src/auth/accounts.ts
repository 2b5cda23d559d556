import type { BetterAuthOptions, User } from "better-auth";
import { createAuthMiddleware } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import { eq } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import * as schema from "../db/schema.ts";
import type { Mailer } from "../mail/mailer.ts";
import {
  changeEmailMail,
  emailChangeNoticeMail,
  resetPasswordMail,
  signUpAttemptMail,
  verifyEmailMail,
} from "../mail/messages.ts";

/** How long the mailed links work (docs/auth.md, "Accounts"). */
export const accountLinkLifetimes = {
  /** Verifying an address, and confirming a new one. */
  verifyEmailSeconds: 24 * 3600,
  /** Setting a new password: short, because the link is as good as the password. */
  resetPasswordSeconds: 30 * 60,
} as const;

/**
 * Better Auth's account features, wired to Brisk's mailer and pages: the mailed links
 * open the site's own pages (/verify-email, /reset-password), which call the API — the
 * browser never follows a redirect chosen by a query string. What each flow does is in
 * docs/auth.md.
 */
export function accountOptions(config: Config, db: Database, mailer: Mailer) {
  const page = (path: string, token: string) => `${config.baseUrl}${path}?token=${encodeURIComponent(token)}`;
  /** Whom a successful password reset signs in, per request: set by onPasswordReset, read by the after-hook. */
  const resetBy = new WeakMap<Request, User>();

  const emailAndPassword = {
    resetPasswordTokenExpiresIn: accountLinkLifetimes.resetPasswordSeconds,
    revokeSessionsOnPasswordReset: true,
    async sendResetPassword({ user, token }) {
      try {
        await mailer.send(
          user.email,
          resetPasswordMail({
            name: user.name,
            url: page("/reset-password", token),
            validForSeconds: accountLinkLifetimes.resetPasswordSeconds,
          }),
        );
      } catch (error) {
        // No mail, no link: the token it would have carried is removed, so nothing is left half-done.
        await db.delete(schema.verification).where(eq(schema.verification.identifier, `reset-password:${token}`));
        throw error;
      }
    },
    async onPasswordReset({ user }, request) {
      if (request) resetBy.set(request, user);
    },
    async onExistingUserSignUp({ user }) {
      await mailer.send(
        user.email,
        signUpAttemptMail({
          name: user.name,
          signInUrl: `${config.baseUrl}/sign-in`,
          resetUrl: `${config.baseUrl}/forgot-password`,
        }),
      );
    },
  } satisfies Partial<NonNullable<BetterAuthOptions["emailAndPassword"]>>;

  const emailVerification = {
    sendOnSignUp: true,
    // Verifying proves the address; it signs nobody in.
    autoSignInAfterVerification: false,
    expiresIn: accountLinkLifetimes.verifyEmailSeconds,
    async sendVerificationEmail({ user, token }) {
      const url = page("/verify-email", token);
      const validForSeconds = accountLinkLifetimes.verifyEmailSeconds;
      const [stored] = await db
        .select({ email: schema.user.email, name: schema.user.name })
        .from(schema.user)
        .where(eq(schema.user.id, user.id));
      if (stored && stored.email !== user.email) {
        // An email change: the new address confirms, the old one is told.
        await mailer.send(
          user.email,
          changeEmailMail({ name: stored.name, newEmail: user.email, url, validForSeconds }),
        );
        await mailer.send(
          stored.email,
          emailChangeNoticeMail({ name: stored.name, newEmail: user.email, accountUrl: `${config.baseUrl}/account` }),
        );
        return;
      }
      await mailer.send(user.email, verifyEmailMail({ name: user.name, url, validForSeconds }));
    },
  } satisfies NonNullable<BetterAuthOptions["emailVerification"]>;

  /** Where a session was started, if Cloudflare says (request.cf); shown in the devices list. */
  const sessionFields = {
    city: { type: "string", required: false, input: false },
    country: { type: "string", required: false, input: false },
  } as const;

  const placeSession = async <Session extends object>(session: Session, context: { request?: Request } | null) => {
    const cf = (context?.request as { cf?: IncomingRequestCfProperties } | undefined)?.cf;
    const city = typeof cf?.city === "string" ? cf.city.slice(0, 100) : null;
    const country = typeof cf?.country === "string" ? cf.country.slice(0, 2) : null;
    return { data: { ...session, city, country } };
  };

  /**
   * A successful password reset ends every session (Better Auth), then signs in the person who reset it —
   * unless two-factor is on: a mailed link is one factor, so they sign in with the new password and a code.
   */
  const afterHook = createAuthMiddleware(async (ctx) => {
    if (ctx.path !== "/reset-password" || !ctx.request) return;
    const user = resetBy.get(ctx.request);
    if (!user) return;
    const [account] = await db
      .select({ twoFactorEnabled: schema.user.twoFactorEnabled })
      .from(schema.user)
      .where(eq(schema.user.id, user.id));
    if (account?.twoFactorEnabled) return;
    const session = await ctx.context.internalAdapter.createSession(user.id);
    await setSessionCookie(ctx, { session, user });
  });

  return { emailAndPassword, emailVerification, sessionFields, placeSession, afterHook };
}
