import { describe, expect, it } from "vitest";
import { FakeServer, json, jwt, problem, userId } from "../test/fake-server.ts";
import { getAccessToken, readChanges, resetApiClientForTests } from "./api-client.ts";
import { signIn, signOut } from "./auth-client.ts";
import { config } from "./config.ts";
import { adoptKeptToken } from "./kept-token.ts";
import { navigation } from "./navigation.ts";

/**
 * The access token is kept across page loads in this browser (decision 039): a cold /tasks reads the
 * feed with it and asks `/api/auth/token` for nothing. It is used only while fresh and only for the
 * person this browser names, and it is gone after sign-out, a refusal or an ended session.
 */
describe("the access token kept across page loads", () => {
  const now = () => Math.floor(Date.now() / 1000);
  /** A token minted earlier (told apart from the fake server's by its `iat`). */
  const stored = (claims: Record<string, unknown> = {}) =>
    jwt({ sub: userId, iat: now() - 100, exp: now() + 800, ...claims });

  /** A new /tasks page of the same browser: memory is gone, storage is kept and looked at. */
  const reload = () => {
    resetApiClientForTests();
    adoptKeptToken();
  };

  const tokenCalls = (api: FakeServer) => api.calls("GET", /\/api\/auth\/token$/).length;
  const sentTokens = (api: FakeServer) =>
    api.requests.map((request) => request.headers.get("Authorization")).filter((header) => header !== null);

  it("keeps the token it fetched, and the next page reads the feed with it without asking again", async () => {
    const api = new FakeServer().install();
    const first = await getAccessToken();
    expect(tokenCalls(api)).toBe(1);
    expect(localStorage.getItem(config.tokenStorageKey)).toBe(first.value);
    expect(localStorage.getItem(config.lastUserKey)).toBe(userId);

    reload();
    await readChanges(userId, null);
    expect(tokenCalls(api)).toBe(1);
    expect(sentTokens(api)).toEqual([`Bearer ${first.value}`]);
  });

  it("fetches and keeps one right after signing in, for the page that follows", async () => {
    const api = new FakeServer().install();
    api.override("POST", /\/api\/auth\/sign-in\/email$/, () => json({ redirect: false, token: "session" }));
    localStorage.setItem(config.tokenStorageKey, stored({ sub: "someone-before" }));
    localStorage.setItem(config.lastUserKey, "someone-before");
    expect(await signIn("ada@example.com", "a long passphrase")).toEqual({ ok: true, needsCode: false });
    expect(tokenCalls(api)).toBe(1);
    expect(localStorage.getItem(config.lastUserKey)).toBe(userId);

    reload();
    await readChanges(userId, null);
    expect(tokenCalls(api)).toBe(1);
    expect(sentTokens(api)).toEqual([`Bearer ${localStorage.getItem(config.tokenStorageKey)}`]);
    expect(sentTokens(api).join()).not.toContain(stored({ sub: "someone-before" }).split(".")[1]);
  });

  it("never sends a kept token of another person than the one this browser names", async () => {
    const api = new FakeServer().install();
    const other = stored({ sub: "someone-else" });
    localStorage.setItem(config.tokenStorageKey, other);
    localStorage.setItem(config.lastUserKey, userId);
    reload();
    await readChanges(userId, null);
    expect(tokenCalls(api)).toBe(1);
    expect(sentTokens(api)).not.toContain(`Bearer ${other}`);
    expect(localStorage.getItem(config.tokenStorageKey)).not.toBe(other);
  });

  it("does not use a kept token that expires within the renewal margin", async () => {
    const api = new FakeServer().install();
    const expiring = stored({ exp: now() + config.tokenRenewMarginSeconds - 5 });
    localStorage.setItem(config.tokenStorageKey, expiring);
    localStorage.setItem(config.lastUserKey, userId);
    reload();
    await readChanges(userId, null);
    expect(tokenCalls(api)).toBe(1);
    expect(sentTokens(api)).not.toContain(`Bearer ${expiring}`);
  });

  it("drops a kept token the API refuses, and asks for a fresh one with no visible error", async () => {
    const api = new FakeServer().install();
    const refused = stored();
    localStorage.setItem(config.tokenStorageKey, refused);
    localStorage.setItem(config.lastUserKey, userId);
    api.override("GET", /\/tasks\/changes$/, () => problem(401, "invalid_token", "The token has expired"));
    reload();
    await expect(readChanges(userId, null)).resolves.toHaveProperty("cursor");
    expect(tokenCalls(api)).toBe(1);
    const kept = localStorage.getItem(config.tokenStorageKey);
    expect(kept).not.toBeNull();
    expect(kept).not.toBe(refused);
    expect(navigation.assign).not.toHaveBeenCalled();
  });

  it("forgets it when the session has ended (/token refuses after the API did)", async () => {
    const api = new FakeServer().install();
    localStorage.setItem(config.tokenStorageKey, stored());
    localStorage.setItem(config.lastUserKey, userId);
    api.override("GET", /\/tasks\/changes$/, () => problem(401, "invalid_token", "The token has expired"));
    api.signedIn = false;
    reload();
    await expect(readChanges(userId, null)).rejects.toThrow();
    expect(localStorage.getItem(config.tokenStorageKey)).toBeNull();
    expect(navigation.assign).toHaveBeenCalledWith("/sign-in?next=%2F&reason=session-ended");
  });

  it("forgets it on sign-out", async () => {
    const api = new FakeServer().install();
    api.override("POST", /\/api\/auth\/sign-out$/, () => json({ success: true }));
    await getAccessToken();
    expect(localStorage.getItem(config.tokenStorageKey)).not.toBeNull();
    await signOut();
    expect(localStorage.getItem(config.tokenStorageKey)).toBeNull();
    reload();
    localStorage.setItem(config.lastUserKey, userId);
    await getAccessToken();
    expect(tokenCalls(api)).toBe(2);
  });
});
