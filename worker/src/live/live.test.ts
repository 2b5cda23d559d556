import {
  createExecutionContext,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { Hono } from "hono";
import { decodeJwt, exportJWK, type GenerateKeyPairResult, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { accessToken, call, cookiesOf, origin, signIn, signUp, type TestUser } from "../../test/fixtures.ts";
import { lastMailTo, tokenIn } from "../../test/mailbox.ts";
import { roundTrips, sql } from "../../test/stand-in-control.ts";
import { taskUser } from "../../test/tasks-client.ts";
import type { AppEnv } from "../env.ts";
import type { LiveChannel } from "./live.do.ts";
import { closeCodes, type LiveMessage, ping, pong } from "./live.protocol.ts";
import { announceChanges } from "./notify.ts";

/** Generous: a loaded machine makes messages slow, never lost. */
const patience = 60_000;

const liveOf = (userId: string) => `${origin}/api/${userId}/live`;
const channelOf = (userId: string) => env.LIVE.get(env.LIVE.idFromName(userId));

/** A client of the live channel: the messages it heard, in order, and how it closed. */
class LiveClient {
  private readonly heard: LiveMessage[] = [];
  private readonly raw: string[] = [];
  private wake: () => void = () => {};
  closed: { code: number; reason: string } | undefined;

  constructor(readonly socket: WebSocket) {
    socket.accept();
    socket.addEventListener("message", (event) => {
      const text = String(event.data);
      this.raw.push(text);
      if (text !== pong) this.heard.push(JSON.parse(text) as LiveMessage);
      this.wake();
    });
    socket.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  /** The next message (not counting pongs), waiting for it if need be. */
  async next(): Promise<LiveMessage> {
    await this.until(() => this.heard.length > 0, "a message");
    return this.heard.shift() as LiveMessage;
  }

  async nextRaw(): Promise<string> {
    await this.until(() => this.raw.length > 0, "a frame");
    return this.raw.shift() as string;
  }

  async closing(): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closed !== undefined, "the close");
    return this.closed as { code: number; reason: string };
  }

  private async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + patience;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`no ${what} within ${patience} ms`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 1000);
      });
    }
  }
}

function upgrade(userId: string, protocols: string | undefined, headers: Record<string, string> = {}, query = "") {
  return exports.default.fetch(
    new Request(`${liveOf(userId)}${query}`, {
      headers: {
        Upgrade: "websocket",
        ...(protocols === undefined ? {} : { "Sec-WebSocket-Protocol": protocols }),
        ...headers,
      },
    }),
  );
}

async function connect(userId: string, token: string): Promise<LiveClient> {
  const response = await upgrade(userId, `brisk.v1, bearer.${token}`);
  expect(response.status, await (response.status === 101 ? "" : response.clone().text())).toBe(101);
  expect(response.headers.get("Sec-WebSocket-Protocol")).toBe("brisk.v1");
  if (!response.webSocket) throw new Error("no WebSocket in the 101 answer");
  return new LiveClient(response.webSocket);
}

async function socketCount(userId: string): Promise<number> {
  return channelOf(userId).socketCount();
}

/** A second, independent sign-in: another device's session. */
async function anotherSession(user: TestUser): Promise<string> {
  const response = await signIn(user.email, user.password);
  expect(response.status).toBe(200);
  return cookiesOf(response);
}

/**
 * The task routes' middleware chain as app.ts mounts it, around a stand-in write that
 * sets `changeCursor` the way the change feed's write routes do.
 */
const writeApp = new Hono<AppEnv>()
  .use("/api/:userId/tasks/*", async (c, next) => {
    c.set("userId", c.req.param("userId"));
    await next();
  })
  .use("/api/:userId/tasks/*", announceChanges)
  .post("/api/:userId/tasks", (c) => {
    const cursor = c.req.query("cursor");
    if (cursor) c.set("changeCursor", cursor);
    return c.json({ written: true }, 201);
  });

async function write(userId: string, cursor?: string): Promise<Response> {
  const ctx = createExecutionContext();
  const query = cursor ? `?cursor=${cursor}` : "";
  const response = await writeApp.fetch(
    new Request(`${origin}/api/${userId}/tasks${query}`, { method: "POST" }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

describe("opening the live channel", () => {
  let user: TestUser;
  let token: string;

  beforeAll(async () => {
    user = await signUp();
    token = await accessToken(user.cookie);
  });

  it("upgrades with the token in Sec-WebSocket-Protocol and selects brisk.v1", async () => {
    const client = await connect(user.id, token);
    expect(await socketCount(user.id)).toBeGreaterThanOrEqual(1);
    client.socket.close(1000, "done");
  });

  it("answers a ping with a pong", async () => {
    const client = await connect(user.id, token);
    client.socket.send(ping);
    expect(await client.nextRaw()).toBe(pong);
    client.socket.close(1000, "done");
  });

  it("names the session in the access token, and nothing personal", async () => {
    const payload = decodeJwt(token);
    expect(payload.sid).toEqual(expect.any(String));
    expect(JSON.stringify(payload)).not.toContain(user.email);
  });
});

describe("refused upgrades never reach the Durable Object", () => {
  const trustedKid = "live-test-trusted-key";
  let victim: TestUser;
  let mallory: TestUser;
  let victimToken: string;
  let malloryToken: string;
  let trusted: GenerateKeyPairResult;
  let attacker: GenerateKeyPairResult;

  beforeAll(async () => {
    victim = await signUp();
    mallory = await signUp();
    trusted = await generateKeyPair("RS256", { extractable: true });
    attacker = await generateKeyPair("RS256", { extractable: true });
    victimToken = await accessToken(victim.cookie);
    malloryToken = await accessToken(mallory.cookie);
    // A key the Worker trusts (old enough that Better Auth never signs with it), so an
    // expired token can be made that fails for being expired only.
    await sql(
      "insert into jwks (id, public_key, private_key, alg, created_at, expires_at) values ($1, $2, $3, $4, $5, null)",
      [
        trustedKid,
        JSON.stringify(await exportJWK(trusted.publicKey)),
        "held by the test",
        "RS256",
        "2000-01-01T00:00:00Z",
      ],
    );
  });

  const now = () => Math.floor(Date.now() / 1000);
  const sign = (key: CryptoKey, claims: Record<string, unknown>) =>
    new SignJWT({ sub: victim.id, iss: origin, aud: `${origin}/api`, ...claims })
      .setProtectedHeader({ alg: "RS256", kid: trustedKid })
      .sign(key);

  const refusals: [string, () => Promise<Response>, number][] = [
    ["no protocol header at all", () => upgrade(victim.id, undefined), 401],
    ["brisk.v1 without a token", () => upgrade(victim.id, "brisk.v1"), 401],
    ["a token that is not a JWS", () => upgrade(victim.id, "brisk.v1, bearer.not-a-token"), 401],
    [
      "a token signed by a key the Worker does not know",
      async () =>
        upgrade(victim.id, `brisk.v1, bearer.${await sign(attacker.privateKey, { iat: now(), exp: now() + 600 })}`),
      401,
    ],
    [
      "a tampered real token",
      async () => upgrade(victim.id, `brisk.v1, bearer.${victimToken.slice(0, -6)}AAAAAA`),
      401,
    ],
    [
      "an expired token",
      async () =>
        upgrade(
          victim.id,
          `brisk.v1, bearer.${await sign(trusted.privateKey, { iat: now() - 1000, exp: now() - 100 })}`,
        ),
      401,
    ],
    ["the token in the URL instead", () => upgrade(victim.id, "brisk.v1", {}, `?access_token=${victimToken}`), 401],
    ["another user's token", () => upgrade(victim.id, `brisk.v1, bearer.${malloryToken}`), 403],
    [
      "a valid token on a request that is no upgrade",
      () => upgrade(victim.id, `brisk.v1, bearer.${victimToken}`, { Upgrade: "h2c" }),
      426,
    ],
    ["a valid token without brisk.v1", () => upgrade(victim.id, `bearer.${victimToken}`), 400],
  ];

  it.each(refusals)("refuses %s with a problem", async (_name, open, status) => {
    const response = await open();
    expect(response.status).toBe(status);
    expect(response.webSocket).toBeNull();
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect((await response.json()) as object).toMatchObject({ status });
    if (status === 401) expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer error="invalid_token"/);
    expect(await socketCount(victim.id)).toBe(0);
  });

  it("documents the route, its 101 and its refusals in the OpenAPI document", async () => {
    const document = (await (await call("/api/openapi.json")).json()) as {
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
    };
    const responses = document.paths["/api/{userId}/live"]?.get?.responses ?? {};
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(["101", "401", "403", "426"]));
  });
});

describe("changes fan out to the writer's sockets only", () => {
  let ada: TestUser;
  let bob: TestUser;
  let adaLaptop: LiveClient;
  let adaPhone: LiveClient;
  let bobPhone: LiveClient;

  beforeAll(async () => {
    ada = await signUp();
    bob = await signUp();
    adaLaptop = await connect(ada.id, await accessToken(ada.cookie));
    adaPhone = await connect(ada.id, await accessToken(await anotherSession(ada)));
    bobPhone = await connect(bob.id, await accessToken(bob.cookie));
  });

  it("tells every socket of the writer the cursor after the write, and nobody else", async () => {
    const response = await write(ada.id, "cursor-1");
    expect(response.status).toBe(201);
    expect(await adaLaptop.next()).toEqual({ type: "changed", cursor: "cursor-1" });
    expect(await adaPhone.next()).toEqual({ type: "changed", cursor: "cursor-1" });
    // Bob heard nothing of Ada's write: the first thing he hears is what was sent to him after it.
    await channelOf(bob.id).announce("for-bob");
    expect(await bobPhone.next()).toEqual({ type: "changed", cursor: "for-bob" });
  });

  it("stays silent after a write that changed nothing", async () => {
    await write(ada.id);
    await write(ada.id, "cursor-2");
    expect(await adaLaptop.next()).toEqual({ type: "changed", cursor: "cursor-2" });
  });

  it("costs no database round trip to fan out", async () => {
    const before = await roundTrips();
    await write(ada.id, "cursor-3");
    expect(await channelOf(ada.id).announce("cursor-4")).toBe(2);
    expect(await adaPhone.next()).toEqual({ type: "changed", cursor: "cursor-2" });
    expect(await adaPhone.next()).toEqual({ type: "changed", cursor: "cursor-3" });
    expect(await adaPhone.next()).toEqual({ type: "changed", cursor: "cursor-4" });
    expect((await roundTrips()) - before).toBe(0);
  });

  it("loses nothing but the announcement when the fan-out fails, and the write still answers", async () => {
    const broken = {
      ...env,
      LIVE: {
        idFromName: () => {
          throw new Error("no Durable Object today");
        },
      },
    };
    const ctx = createExecutionContext();
    const response = await writeApp.fetch(
      new Request(`${origin}/api/${ada.id}/tasks?cursor=lost`, { method: "POST" }),
      broken as unknown as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(201);
  });
});

describe("ended sessions close their sockets", () => {
  it("ends only the signed-out session's sockets", async () => {
    const user = await signUp();
    const laptopCookie = user.cookie;
    const phoneCookie = await anotherSession(user);
    const laptop = await connect(user.id, await accessToken(laptopCookie));
    const phone = await connect(user.id, await accessToken(phoneCookie));

    const signOut = await call("/api/auth/sign-out", { method: "POST", cookie: laptopCookie, body: {} });
    expect(signOut.status).toBe(200);
    expect(await laptop.next()).toEqual({ type: "session-ended" });
    expect((await laptop.closing()).code).toBe(closeCodes.sessionEnded);

    await channelOf(user.id).announce("still-here");
    expect(await phone.next()).toEqual({ type: "changed", cursor: "still-here" });
    expect(phone.closed).toBeUndefined();
  });

  it("ends every socket on sign-out everywhere", async () => {
    const user = await signUp();
    const laptop = await connect(user.id, await accessToken(user.cookie));
    const phone = await connect(user.id, await accessToken(await anotherSession(user)));

    const revoke = await call("/api/auth/revoke-sessions", { method: "POST", cookie: user.cookie, body: {} });
    expect(revoke.status).toBe(200);
    for (const client of [laptop, phone]) {
      expect(await client.next()).toEqual({ type: "session-ended" });
      expect((await client.closing()).code).toBe(closeCodes.sessionEnded);
    }
  });

  it("ends the other sessions' sockets on a password change", async () => {
    const user = await signUp();
    const phone = await connect(user.id, await accessToken(await anotherSession(user)));
    const change = await call("/api/auth/change-password", {
      cookie: user.cookie,
      body: { currentPassword: user.password, newPassword: "an entirely new passphrase 42" },
    });
    expect(change.status).toBe(200);
    expect(await phone.next()).toEqual({ type: "session-ended" });
    expect((await phone.closing()).code).toBe(closeCodes.sessionEnded);
  });

  it("ends the socket of a device signed out from the devices list, and only that one", async () => {
    const user = await signUp();
    const laptop = await connect(user.id, await accessToken(user.cookie));
    const phoneCookie = await anotherSession(user);
    const phone = await connect(user.id, await accessToken(phoneCookie));
    const sessions = (await (await call("/api/auth/list-sessions", { cookie: user.cookie })).json()) as {
      token: string;
    }[];
    const phoneToken = sessions.find((session) => phoneCookie.includes(session.token))?.token;
    const revoke = await call("/api/auth/revoke-session", { cookie: user.cookie, body: { token: phoneToken } });
    expect(revoke.status).toBe(200);
    expect(await phone.next()).toEqual({ type: "session-ended" });
    expect((await phone.closing()).code).toBe(closeCodes.sessionEnded);
    await channelOf(user.id).announce("laptop-stays");
    expect(await laptop.next()).toEqual({ type: "changed", cursor: "laptop-stays" });
  });

  it("ends the other devices' sockets on sign-out everywhere else", async () => {
    const user = await signUp();
    const phone = await connect(user.id, await accessToken(await anotherSession(user)));
    const revoke = await call("/api/auth/revoke-other-sessions", { cookie: user.cookie, body: {} });
    expect(revoke.status).toBe(200);
    expect(await phone.next()).toEqual({ type: "session-ended" });
    expect((await phone.closing()).code).toBe(closeCodes.sessionEnded);
  });

  it("ends every socket on a password reset", async () => {
    const user = await signUp();
    const phone = await connect(user.id, await accessToken(await anotherSession(user)));
    await call("/api/auth/request-password-reset", { body: { email: user.email } });
    const token = tokenIn(await lastMailTo(user.email), "/reset-password");
    const reset = await call("/api/auth/reset-password", { body: { token, newPassword: "a brand new passphrase" } });
    expect(reset.status).toBe(200);
    expect(await phone.next()).toEqual({ type: "session-ended" });
    expect((await phone.closing()).code).toBe(closeCodes.sessionEnded);
  });

  it("ends every socket when the account is deleted", async () => {
    const user = await signUp();
    const laptop = await connect(user.id, await accessToken(user.cookie));
    const deleted = await call("/api/auth/delete-user", { cookie: user.cookie, body: { password: user.password } });
    expect(deleted.status).toBe(200);
    expect(await laptop.next()).toEqual({ type: "session-ended" });
    expect((await laptop.closing()).code).toBe(closeCodes.sessionEnded);
  });
});

describe("expiry", () => {
  it("closes a socket when its access token expires", async () => {
    const user = await signUp();
    const client = await connect(user.id, await accessToken(user.cookie));
    const channel = channelOf(user.id);
    // The token's 15 minutes pass: its socket's expiry is now.
    await runInDurableObject(channel, (_instance: LiveChannel, state) => {
      for (const socket of state.getWebSockets()) {
        socket.serializeAttachment({ ...(socket.deserializeAttachment() as object), expiresAt: Date.now() / 1000 });
      }
    });
    expect(await runDurableObjectAlarm(channel)).toBe(true);
    expect((await client.closing()).code).toBe(closeCodes.tokenExpired);
  });
});

describe("writes through the task API", () => {
  type Feed = { changes: { id: string }[]; deleted: string[]; cursor: string; more: boolean };
  let ada: Awaited<ReturnType<typeof taskUser>>;
  let bob: Awaited<ReturnType<typeof taskUser>>;
  let adaPhone: LiveClient;
  let bobPhone: LiveClient;
  const feed = async (since?: string) =>
    (await (await ada.send(`/changes${since ? `?since=${encodeURIComponent(since)}` : ""}`)).json()) as Feed;

  beforeAll(async () => {
    ada = await taskUser();
    bob = await taskUser();
    // Ada's phone is another session than the laptop that writes.
    adaPhone = await connect(ada.id, await accessToken(await anotherSession(ada)));
    bobPhone = await connect(bob.id, bob.token);
  });

  it("tell the writer's other device, which reads the change from the feed; another user hears nothing", async () => {
    const { cursor: before } = await feed();
    const task = await ada.add({ title: "Buy milk" });
    const message = await adaPhone.next();
    expect(message).toEqual({ type: "changed", cursor: expect.any(String) });
    const read = await feed(before);
    expect(read.changes.map((changed) => changed.id)).toEqual([task.id]);
    // The announced cursor is the feed's position after the write: nothing follows it.
    if (message.type !== "changed") throw new Error("expected changed");
    expect((await feed(message.cursor)).changes).toEqual([]);

    await channelOf(bob.id).announce("after-ada");
    expect(await bobPhone.next()).toEqual({ type: "changed", cursor: "after-ada" });
  });

  it("announce every kind of write, each with a new cursor, and nothing for a write that changed nothing", async () => {
    const task = await ada.add({ title: "Call Bob" });
    const cursors = [await adaPhone.next()];
    const writes = [
      () => ada.patch(task.id, { title: "Call Bob back" }),
      () => ada.complete(task.id, { completed: true }),
      () => ada.markAll(false),
      () => ada.complete(task.id, { completed: true }),
      () => ada.clearCompleted(),
    ];
    for (const write of writes) {
      expect((await write()).status).toBeLessThan(300);
      cursors.push(await adaPhone.next());
    }
    expect(new Set(cursors.map((message) => JSON.stringify(message))).size).toBe(cursors.length);

    // An empty merge patch changes nothing: the next message is the write after it.
    const other = await ada.add({ title: "Water the plants" });
    const afterCreate = await adaPhone.next();
    expect((await ada.patch(other.id, {})).status).toBe(200);
    expect((await ada.remove(other.id)).status).toBe(204);
    const afterDelete = await adaPhone.next();
    expect(afterDelete).not.toEqual(afterCreate);
    if (afterDelete.type !== "changed") throw new Error("expected changed");
    expect((await feed(afterDelete.cursor)).changes).toEqual([]);
  });

  it("keep a write at one database round trip; the fan-out adds none", async () => {
    const before = await roundTrips();
    await ada.add({ title: "Counted" });
    await adaPhone.next();
    expect((await roundTrips()) - before).toBe(1);
  });
});
