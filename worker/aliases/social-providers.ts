/**
 * Stands in for `@better-auth/core/social-providers` (wrangler.jsonc `alias`): the OAuth
 * clients of 40-odd providers. Brisk configures no social sign-in, so Better Auth's map of
 * providers is empty and provider names are any string, as upstream accepts.
 */
import { z } from "zod";

export const socialProviders = {};
export const socialProviderList: string[] = [];
export const SocialProviderListEnum = z.string();
export const isGoogleHostedDomainAllowed = () => false;
export const verifyGoogleIdToken = async () => {
  throw new Error("verifyGoogleIdToken: social sign-in is not bundled (Brisk has none)");
};
