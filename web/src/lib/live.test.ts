import { afterEach, describe, expect, it } from "vitest";
import { FakeServer } from "../test/fake-server.ts";
import { connectLive } from "./live.ts";

describe("the live channel", () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it("reconnects when a ping gets no pong (a connection that died without a close)", async () => {
    // The fake server accepts sockets and never answers a ping, like a connection an intermediary dropped.
    const api = new FakeServer().install();
    window.history.replaceState(null, "", "/tasks");
    let changes = 0;
    stop = connectLive(
      "user-1",
      { onChanged: () => changes++, onSessionEnded: () => {} },
      { pingIntervalMs: 50, pongTimeoutMs: 200 },
    );
    await expect.poll(() => api.liveProtocols.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    // Every (re)connection reads the feed: nothing said while the old socket was dead is missed.
    expect(changes).toBeGreaterThanOrEqual(2);
  });
});

describe("the live channel and the network", () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it("rests while the browser is offline and connects again when it is back online", async () => {
    const api = new FakeServer().install();
    window.history.replaceState(null, "", "/tasks");
    stop = connectLive("user-1", { onChanged: () => {}, onSessionEnded: () => {} });
    await expect.poll(() => api.liveProtocols.length, { timeout: 15_000 }).toBe(1);

    window.dispatchEvent(new Event("offline"));
    window.dispatchEvent(new Event("online"));
    await expect.poll(() => api.liveProtocols.length, { timeout: 15_000 }).toBe(2);
  });
});
