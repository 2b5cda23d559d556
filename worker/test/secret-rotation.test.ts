import { env } from "cloudflare:test";
import { decodeProtectedHeader } from "jose";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { accessToken, bindingsWith, call, cookiesOf, signIn, signUp } from "./fixtures.ts";
import { sql } from "./stand-in-control.ts";

/**
 * What the runbooks (docs/runbooks/rotate-auth-secret.md, rotate-signing-keys.md) tell an
 * operator, rehearsed against Better Auth as configured here: which credentials survive a
 * change of the auth secret, which do not, and how a signing-key rotation is forced.
 */

const oldSecret = env.BETTER_AUTH_SECRET;
const newSecret = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join(
  "",
);

/** A deployed Worker with these secrets: a fresh bindings object is a fresh isolate. */
function deployedWith(secrets: { BETTER_AUTH_SECRET: string; BETTER_AUTH_SECRETS?: string }): Env {
  return bindingsWith(secrets as Partial<Env>);
}

const rotated = () =>
  deployedWith({ BETTER_AUTH_SECRET: oldSecret, BETTER_AUTH_SECRETS: `2:${newSecret},1:${oldSecret}` });

async function tasksStatus(userId: string, token: string, isolate: Env): Promise<number> {
  return (await call(`/api/${userId}/tasks`, { token, env: isolate })).status;
}

beforeEach(async () => {
  // Each scenario starts before any signing key exists, as a fresh deploy does.
  await sql("DELETE FROM jwks");
  // Better Auth logs the failures provoked here; keep the output readable.
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
  return () => vi.restoreAllMocks();
});

describe("rotating the auth secret with BETTER_AUTH_SECRETS", () => {
  it("keeps signing keys usable and issued tokens valid, but signs cookie sessions out", async () => {
    const before = bindingsWith({});
    const user = await signUp({}, { env: before });
    const token = await accessToken(user.cookie, { env: before });

    const after = rotated();
    // Access tokens are RS256 and checked against the public keys: the secret does not matter.
    expect(await tasksStatus(user.id, token, after)).toBe(200);
    // The session cookie is HMAC-signed with the current secret only (Better Auth 1.7): the old one is refused.
    expect((await call("/api/auth/token", { cookie: user.cookie, env: after })).status).toBe(401);
    // Signing in again works, and the existing signing key (encrypted with the old secret) still signs.
    const session = cookiesOf(await signIn(user.email, user.password, { env: after }));
    const newToken = await accessToken(session, { env: after });
    expect(decodeProtectedHeader(newToken).kid).toBe(decodeProtectedHeader(token).kid);
    expect(await tasksStatus(user.id, newToken, after)).toBe(200);
  });

  it("breaks token issuance when BETTER_AUTH_SECRET is changed too: it must stay the old secret", async () => {
    const user = await signUp({}, { env: bindingsWith({}) });
    await accessToken(user.cookie, { env: bindingsWith({}) });

    const wrong = deployedWith({ BETTER_AUTH_SECRET: newSecret, BETTER_AUTH_SECRETS: `2:${newSecret},1:${oldSecret}` });
    const session = cookiesOf(await signIn(user.email, user.password, { env: wrong }));
    // Keys made before versioned secrets were used are decrypted with BETTER_AUTH_SECRET (the "legacy" secret).
    expect((await call("/api/auth/token", { cookie: session, env: wrong })).status).toBe(500);
  });

  it("lets the old secret retire once a signing-key rotation has been forced", async () => {
    const user = await signUp({}, { env: bindingsWith({}) });
    const firstToken = await accessToken(user.cookie, { env: bindingsWith({}) });

    // 1. Rotate the secret; 2. force a new signing key, which is encrypted with the new secret.
    const after = rotated();
    const session = cookiesOf(await signIn(user.email, user.password, { env: after }));
    await sql("UPDATE jwks SET expires_at = now() WHERE expires_at IS NULL OR expires_at > now()");
    const secondToken = await accessToken(session, { env: after });
    expect(decodeProtectedHeader(secondToken).kid).not.toBe(decodeProtectedHeader(firstToken).kid);
    const [stored] = await sql<{ private_key: string }>("SELECT private_key FROM jwks WHERE id = $1", [
      decodeProtectedHeader(secondToken).kid,
    ]);
    expect(stored?.private_key).toContain("$ba$2$");

    // 3. Retire the old secret — but keep the versioned form: keys encrypted since step 1 carry their
    //    secret's version, which only BETTER_AUTH_SECRETS can resolve.
    const unversioned = deployedWith({ BETTER_AUTH_SECRET: newSecret });
    expect((await call("/api/auth/token", { cookie: session, env: unversioned })).status).toBe(500);
    const retired = deployedWith({ BETTER_AUTH_SECRET: newSecret, BETTER_AUTH_SECRETS: `2:${newSecret}` });
    const thirdToken = await accessToken(session, { env: retired });
    expect(decodeProtectedHeader(thirdToken).kid).toBe(decodeProtectedHeader(secondToken).kid);
    expect(await tasksStatus(user.id, thirdToken, retired)).toBe(200);
    // The first key stopped signing but is still published for the 2-day grace period.
    expect(await tasksStatus(user.id, firstToken, retired)).toBe(200);
  });
});

describe("forcing a signing-key rotation", () => {
  it("takes effect at the next token: a new key signs, the old one keeps verifying through its grace period", async () => {
    const isolate = bindingsWith({});
    const user = await signUp({}, { env: isolate });
    const oldToken = await accessToken(user.cookie, { env: isolate });
    const jwksBefore = (await (await call("/api/auth/jwks", { env: isolate })).json()) as { keys: { kid: string }[] };
    expect(jwksBefore.keys).toHaveLength(1);

    const [expired] = await sql<{ id: string }>(
      "UPDATE jwks SET expires_at = now() WHERE expires_at IS NULL OR expires_at > now() RETURNING id",
    );
    expect(expired?.id).toBe(decodeProtectedHeader(oldToken).kid);

    const newToken = await accessToken(user.cookie, { env: isolate });
    expect(decodeProtectedHeader(newToken).kid).not.toBe(expired?.id);
    const jwksAfter = (await (await call("/api/auth/jwks", { env: isolate })).json()) as { keys: { kid: string }[] };
    expect(jwksAfter.keys.map((key) => key.kid).sort()).toEqual(
      [expired?.id, decodeProtectedHeader(newToken).kid].sort(),
    );
    // The same warm isolate accepts both: the unknown kid reloads its cached key set.
    expect(await tasksStatus(user.id, newToken, isolate)).toBe(200);
    expect(await tasksStatus(user.id, oldToken, isolate)).toBe(200);
  });

  it("withdraws a compromised key at once when its expiry is set past the grace period", async () => {
    const isolate = bindingsWith({});
    const user = await signUp({}, { env: isolate });
    const oldToken = await accessToken(user.cookie, { env: isolate });

    await sql("UPDATE jwks SET expires_at = now() - interval '3 days' WHERE id = $1", [
      decodeProtectedHeader(oldToken).kid,
    ]);
    // Out of the published key set at once; the next token mints the new key.
    const emptied = (await (await call("/api/auth/jwks", { env: isolate })).json()) as { keys: { kid: string }[] };
    expect(emptied.keys).toEqual([]);
    const newToken = await accessToken(user.cookie, { env: isolate });
    const jwks = (await (await call("/api/auth/jwks", { env: isolate })).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([decodeProtectedHeader(newToken).kid]);
    // A fresh isolate (a new deploy, or any isolate once its 10-minute key cache ages out) refuses the old token.
    expect(await tasksStatus(user.id, oldToken, bindingsWith({}))).toBe(401);
  });
});
