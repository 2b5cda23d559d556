import { onlineManager } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeServer, makeTask, userId } from "../test/fake-server.ts";
import { Outbox, type Refusal } from "./outbox.ts";

/**
 * Two tabs of one person in one browser: each is an Outbox over the same IndexedDB. No change
 * may be sent twice (an update sent again with its old If-Match would meet a false conflict)
 * or lost, however the tabs are opened, closed and reloaded (issue 14).
 */
describe("the queue in two tabs", () => {
  const open: Outbox[] = [];
  const refusals: Refusal[] = [];
  const tab = () => {
    const outbox = new Outbox(userId, (refusal) => refusals.push(refusal));
    open.push(outbox);
    return outbox;
  };
  afterEach(() => {
    for (const outbox of open.splice(0)) outbox.stop();
    refusals.length = 0;
    onlineManager.setOnline(true);
  });

  it("sends a queue left by a closed tab exactly once when two tabs open at the same time", async () => {
    const task = makeTask({ title: "Plan the trip" });
    const api = new FakeServer([task]).install();
    onlineManager.setOnline(false);
    const closed = tab();
    await closed.loaded;
    closed.add({
      kind: "patch",
      taskId: task.id,
      patch: { title: "Plan it" },
      before: { title: task.title },
      version: 1,
    });
    closed.add({
      kind: "patch",
      taskId: task.id,
      patch: { title: "Plan the trip to Rome" },
      before: { title: "Plan it" },
      version: 1,
    });
    await closed.persistedNow();
    closed.stop();

    const [first, second] = [tab(), tab()];
    await Promise.all([first.loaded, second.loaded]);
    onlineManager.setOnline(true);
    await Promise.all([first.settled(), second.settled()]);

    expect(api.calls("PATCH", /\/tasks\/[^/]+$/).map((call) => call.body)).toEqual([
      { title: "Plan it" },
      { title: "Plan the trip to Rome" },
    ]);
    expect(api.find(task.id)?.title).toBe("Plan the trip to Rome");
    expect([first.conflict(), second.conflict()]).toEqual([undefined, undefined]);
    expect(refusals).toEqual([]);
  });

  it("keeps each open tab's changes apart, and a reloaded tab's changes are sent once by whoever holds them", async () => {
    const [a, b] = [makeTask({ title: "A" }), makeTask({ title: "B" })];
    const api = new FakeServer([a, b]).install();
    onlineManager.setOnline(false);
    const left = tab();
    const right = tab();
    await Promise.all([left.loaded, right.loaded]);
    left.add({ kind: "complete", taskId: a.id, completed: true, version: 1 });
    right.add({ kind: "patch", taskId: b.id, patch: { title: "B2" }, before: { title: "B" }, version: 1 });
    await Promise.all([left.persistedNow(), right.persistedNow()]);
    // The left tab reloads while offline: its queue is picked up by the new page, or by the right tab.
    left.stop();
    const reloaded = tab();
    await reloaded.loaded;
    onlineManager.setOnline(true);
    // The left tab's change is taken over by the new page or by the right tab, once the left tab's lock is free.
    await vi.waitFor(
      () => {
        expect(api.find(a.id)?.completed).toBe(true);
        expect(api.find(b.id)?.title).toBe("B2");
      },
      { timeout: 10_000 },
    );
    await Promise.all([reloaded.settled(), right.settled()]);

    expect(api.calls("PATCH", /\/complete$/)).toHaveLength(1);
    expect(api.calls("PATCH", /\/tasks\/[^/]+$/)).toHaveLength(1);
    expect(api.find(a.id)?.completed).toBe(true);
    expect(api.find(b.id)?.title).toBe("B2");
    expect(refusals).toEqual([]);
  });
});
