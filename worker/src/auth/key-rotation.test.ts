import { decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { accessToken, bindingsWith, call, cookiesOf, signIn, signUp } from "../../test/fixtures.ts";
import { readConfig } from "../config.ts";
import { getDatabase } from "../db/client.ts";
import { getAuth, signingKeyRotation } from "./auth.ts";

const day = 86_400_000;
const start = Date.parse("2030-01-01T00:00:00Z");

afterEach(() => {
  vi.useRealTimers();
});

describe("signing-key rotation", () => {
  it("keeps verifying the previous key's tokens through the grace period, and not after", async () => {
    // Only Date is faked: the Worker, Better Auth and jose all read the clock through it.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
    const isolate = bindingsWith({});
    const config = readConfig(isolate);
    const user = await signUp({}, { env: isolate });
    const firstToken = await accessToken(user.cookie, { env: isolate });
    const firstKid = decodeProtectedHeader(firstToken).kid;

    // Tokens signed now by the first key whose claims are valid later (a token may be no older than
    // its lifetime, so one token cannot span the rotation): at each check only the key decides.
    const auth = getAuth(config, getDatabase(config), isolate);
    const signedByFirstKey = async (checkedAt: number) => {
      const iat = Math.floor(checkedAt / 1000) - 60;
      const { token } = await auth.api.signJWT({ body: { payload: { sub: user.id, iat, exp: iat + 600 } } });
      return token;
    };
    const rotationEnds = start + signingKeyRotation.intervalSeconds * 1000;
    const duringGrace = rotationEnds + 60 * 60_000;
    const afterGrace = rotationEnds + signingKeyRotation.gracePeriodSeconds * 1000 + day / 24;
    const checkedDuringGrace = await signedByFirstKey(duringGrace);
    const checkedAfterGrace = await signedByFirstKey(afterGrace);
    expect(decodeProtectedHeader(checkedAfterGrace).kid).toBe(firstKid);
    const guard = async (token: string) => (await call(`/api/${user.id}/tasks`, { token, env: isolate })).status;

    // Past the rotation interval the next token is signed by a new key.
    vi.setSystemTime(duringGrace);
    const session = cookiesOf(await signIn(user.email, user.password, { env: isolate }));
    const secondToken = await accessToken(session, { env: isolate });
    expect(decodeProtectedHeader(secondToken).kid).not.toBe(firstKid);
    expect(await guard(secondToken)).toBe(200);
    expect(await guard(checkedDuringGrace)).toBe(200);

    // Once the grace period is over (and the isolate's cached key set has aged out), the old key is gone.
    vi.setSystemTime(afterGrace);
    expect(await guard(checkedAfterGrace)).toBe(401);
    expect(await guard(await accessToken(session, { env: isolate }))).toBe(200);
  });
});

describe("tokens this isolate has verified before", () => {
  it("are refused once they expire, and survive a reload of the key set while their key stays", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
    const isolate = bindingsWith({});
    const config = readConfig(isolate);
    const user = await signUp({}, { env: isolate });
    const auth = getAuth(config, getDatabase(config), isolate);
    const iat = Math.floor(start / 1000);
    const { token } = await auth.api.signJWT({ body: { payload: { sub: user.id, iat, exp: iat + 20 * 60 } } });
    const guard = async () => (await call(`/api/${user.id}/tasks`, { token, env: isolate })).status;
    expect(await guard()).toBe(200);
    expect(await guard()).toBe(200);

    // Past the key set's cache age (10 minutes) it is reloaded; the token's key is still in it.
    vi.setSystemTime(start + 15 * 60_000);
    expect(await guard()).toBe(200);

    // 20 minutes and the 30 s clock tolerance later, the same string is no longer accepted.
    vi.setSystemTime(start + 20 * 60_000 + 31_000);
    expect(await guard()).toBe(401);
  });
});
