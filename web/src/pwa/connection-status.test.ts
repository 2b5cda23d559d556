import { describe, expect, it, vi } from "vitest";
import { announcePendingChanges, connectionStatusText, watchConnection, watchForUpdate } from "./connection-status.ts";

describe("connectionStatusText", () => {
  it("says nothing while online, whatever is pending", () => {
    expect(connectionStatusText(true, 0)).toBe("");
    expect(connectionStatusText(true, 4)).toBe("");
  });

  it("says changes will sync while offline, counting them when it knows how many", () => {
    expect(connectionStatusText(false, 0)).toBe("Offline — changes will sync");
    expect(connectionStatusText(false, 1)).toBe("Offline — 1 change will sync");
    expect(connectionStatusText(false, 3)).toBe("Offline — 3 changes will sync");
  });
});

describe("watchConnection", () => {
  function watched(initiallyOnline: boolean) {
    let online = initiallyOnline;
    const texts: string[] = [];
    const stop = watchConnection(
      (text) => texts.push(text),
      window,
      () => online,
    );
    const go = (next: boolean) => {
      online = next;
      window.dispatchEvent(new Event(next ? "online" : "offline"));
    };
    return { texts, stop, go };
  }

  it("renders the current state at once and follows the offline and online events", () => {
    const { texts, stop, go } = watched(true);
    go(false);
    go(true);
    stop();
    expect(texts).toEqual(["", "Offline — changes will sync", ""]);
  });

  it("counts the pending changes it is told about, and ignores a count that is not a number", () => {
    const { texts, stop } = watched(false);
    announcePendingChanges(2);
    window.dispatchEvent(new CustomEvent("brisk:pending-changes", { detail: { count: "many" } }));
    stop();
    expect(texts).toEqual([
      "Offline — changes will sync",
      "Offline — 2 changes will sync",
      "Offline — changes will sync",
    ]);
  });

  it("stops listening when stopped", () => {
    const { texts, stop, go } = watched(true);
    stop();
    go(false);
    expect(texts).toEqual([""]);
  });
});

describe("watchForUpdate", () => {
  const container = (controller: object | null) => {
    const target = new EventTarget();
    return Object.assign(target, { controller }) as unknown as ServiceWorkerContainer;
  };

  it("offers a reload when a newer worker takes over a page an older one served", () => {
    const onUpdate = vi.fn();
    const workers = container({});
    watchForUpdate(onUpdate, workers);
    workers.dispatchEvent(new Event("controllerchange"));
    workers.dispatchEvent(new Event("controllerchange"));
    expect(onUpdate).toHaveBeenCalledTimes(1);
  });

  it("stays quiet when the first worker takes the page over (an install, not an update)", () => {
    const onUpdate = vi.fn();
    const workers = container(null);
    watchForUpdate(onUpdate, workers);
    workers.dispatchEvent(new Event("controllerchange"));
    expect(onUpdate).not.toHaveBeenCalled();
  });

  it("offers a reload for an update that comes after the first worker took the page over", () => {
    const onUpdate = vi.fn();
    const workers = container(null);
    watchForUpdate(onUpdate, workers);
    workers.dispatchEvent(new Event("controllerchange"));
    expect(onUpdate).not.toHaveBeenCalled();
    workers.dispatchEvent(new Event("controllerchange"));
    expect(onUpdate).toHaveBeenCalledTimes(1);
  });

  it("does nothing where service workers are not available", () => {
    expect(() => watchForUpdate(() => {}, undefined)).not.toThrow();
  });
});
