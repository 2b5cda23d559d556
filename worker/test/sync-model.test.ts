import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clearFaults, type Fault, injectFault } from "./stand-in-control.ts";
import { type TaskJson, type TaskUser, taskUser } from "./tasks-client.ts";

/**
 * A model test of the change feed: two devices of one person write at random (creates,
 * renames, toggles, deletes, bulk marks, clears and their undo), each write and each
 * feed read exposed to a random fault of the database stand-in (refused, rolled back,
 * or committed with its answer lost), and each device syncs with `since` at random
 * moments, applying only what the feed says. After a final sync every replica must
 * equal the server's list: no task lost, duplicated or resurrected.
 */

const faults: Omit<Fault, "match">[] = [
  { action: "fail", status: 503 },
  { action: "sqlstate", code: "40001" },
  { action: "sqlstate", code: "08006" },
  { action: "lose-response" },
];

type Operation =
  | { kind: "create"; title: string; completed: boolean }
  | { kind: "rename"; pick: number; title: string }
  | { kind: "toggle"; pick: number }
  | { kind: "delete"; pick: number }
  | { kind: "mark"; completed: boolean }
  | { kind: "clear" }
  | { kind: "undo" }
  | { kind: "sync" };

/** The SQL a fault for each operation waits for (the stand-in matches it, lower-cased, in a request). */
const sqlOf: Record<Operation["kind"], string> = {
  create: 'insert into "tasks"',
  rename: 'update "tasks"',
  toggle: 'update "tasks"',
  delete: 'delete from "tasks"',
  mark: 'update "tasks"',
  clear: 'delete from "tasks"',
  undo: 'insert into "tasks"',
  sync: 'with "changed"',
};

const title = fc.string({ minLength: 1, maxLength: 12 }).map((text) => `T ${text.trim() || "x"}`);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("create" as const), title, completed: fc.boolean() }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant("rename" as const), pick: fc.nat(), title }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("toggle" as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("mark" as const), completed: fc.boolean() }), weight: 2 },
  { arbitrary: fc.constant({ kind: "clear" as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: "undo" as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: "sync" as const }), weight: 3 },
);
const step = fc.record({
  device: fc.integer({ min: 0, max: 1 }),
  operation,
  fault: fc.option(fc.constantFrom(...faults), { freq: 3 }),
});

interface Device {
  replica: Map<string, TaskJson>;
  cursor: string | undefined;
  /** The undo token of this device's last clear. */
  undo: string | undefined;
}

interface Feed {
  changes: TaskJson[];
  deleted: string[];
  cursor: string;
  more: boolean;
}

/** Reads the feed from the device's cursor until nothing more follows; a failed read leaves the cursor where it was. */
async function sync(user: TaskUser, device: Device): Promise<void> {
  for (;;) {
    const query = new URLSearchParams({ limit: "3" });
    if (device.cursor !== undefined) query.set("since", device.cursor);
    const response = await user.send(`/changes?${query}`);
    if (response.status === 503) return;
    expect(response.status, await response.clone().text()).toBe(200);
    const feed = (await response.json()) as Feed;
    if (device.cursor === undefined) device.replica.clear();
    for (const task of feed.changes) device.replica.set(task.id, task);
    for (const id of feed.deleted) device.replica.delete(id);
    device.cursor = feed.cursor;
    if (!feed.more) return;
  }
}

/** Sends a write as the web app does: again, with the same client-chosen id, while the database is unavailable. */
async function untilAnswered(send: () => Promise<Response>): Promise<Response> {
  let response = await send();
  for (let attempt = 1; attempt < 4 && response.status === 503; attempt++) response = await send();
  expect(response.status, await response.clone().text()).not.toBe(500);
  return response;
}

async function apply(user: TaskUser, device: Device, operation: Operation): Promise<void> {
  const ids = [...device.replica.keys()];
  const pick = (n: number) => ids[n % ids.length];
  switch (operation.kind) {
    case "create": {
      const id = crypto.randomUUID();
      await untilAnswered(() => user.create({ id, title: operation.title, completed: operation.completed }));
      return;
    }
    case "rename": {
      const id = pick(operation.pick);
      if (id) await untilAnswered(() => user.patch(id, { title: operation.title }));
      return;
    }
    case "toggle": {
      const id = pick(operation.pick);
      if (id) await untilAnswered(() => user.complete(id));
      return;
    }
    case "delete": {
      const id = pick(operation.pick);
      if (id) await untilAnswered(() => user.remove(id));
      return;
    }
    case "mark":
      await untilAnswered(() => user.markAll(operation.completed));
      return;
    case "clear": {
      const response = await untilAnswered(() => user.clearCompleted());
      if (response.status === 200) device.undo = ((await response.json()) as { undo: string }).undo;
      return;
    }
    case "undo": {
      const undo = device.undo;
      if (undo) await untilAnswered(() => user.restore(undo));
      return;
    }
    case "sync":
      await sync(user, device);
      return;
  }
}

async function serverList(user: TaskUser): Promise<Map<string, TaskJson>> {
  const response = await user.list("status=all&limit=100");
  expect(response.status).toBe(200);
  return new Map(((await response.json()) as TaskJson[]).map((task) => [task.id, task]));
}

const runs = 15;

describe("the change feed's model", () => {
  it(`brings two devices to the server's list after random writes, syncs and faults (${runs} runs)`, {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 40 }), async (steps) => {
        const user = await taskUser();
        const devices: Device[] = [0, 1].map(() => ({ replica: new Map(), cursor: undefined, undo: undefined }));
        try {
          for (const { device, operation, fault } of steps) {
            if (fault) await injectFault({ ...fault, match: sqlOf[operation.kind] });
            await apply(user, devices[device] as Device, operation);
            await clearFaults();
          }
        } finally {
          await clearFaults();
        }
        const expected = await serverList(user);
        for (const device of devices) {
          await sync(user, device);
          expect(Object.fromEntries(device.replica)).toEqual(Object.fromEntries(expected));
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
  });
});
