import { describe, expect, it } from "vitest";
import { clearFaults, type Fault, injectFault, sql } from "./stand-in.ts";
import { type TaskJson, taskUser } from "./tasks-client.ts";

/**
 * A randomized model test of "nothing lost": sequences of creates, updates, toggles
 * and deletes, each exposed to a random database fault, driven by a client that keeps
 * the web app's rules for a repeat (it is not the web app's queue, outbox.ts, which has
 * tests of its own) — it retries with the same client-chosen id and the same If-Match,
 * and takes a 404 after a retried delete or an already-applied change after a retried
 * update as done. After every operation is acknowledged,
 * the database must equal the model built from the acknowledged operations alone:
 * no lost write, no duplicate, no phantom.
 */

interface ModelTask {
  title: string;
  completed: boolean;
  version: number;
}

const faults: (Omit<Fault, "match"> | undefined)[] = [
  undefined,
  undefined,
  { action: "fail", status: 503 },
  { action: "fail", status: 502 },
  { action: "sqlstate", code: "40001" },
  { action: "sqlstate", code: "40P01" },
  { action: "sqlstate", code: "57P01" },
  { action: "sqlstate", code: "08006" },
  { action: "lose-response" },
];

/** A small seeded generator, so a failing sequence can be replayed from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sequences = 20;
const operationsPerSequence = 50;

describe("the model of acknowledged operations", () => {
  it(`holds over ${sequences * operationsPerSequence} operations under random faults`, {
    timeout: 300_000,
  }, async () => {
    const seed = Date.now() % 100_000;
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    let trials = 0;

    for (let sequence = 0; sequence < sequences; sequence++) {
      const user = await taskUser();
      const model = new Map<string, ModelTask>();

      /** Sends a request until it is acknowledged (the web app keeps a change queued until then). */
      const untilAcknowledged = async (send: () => Promise<Response>, acceptAfterRetry: number[] = []) => {
        for (let attempt = 1; attempt <= 5; attempt++) {
          const response = await send();
          if (response.status < 400) return response;
          if (attempt > 1 && acceptAfterRetry.includes(response.status)) return response;
          if (response.status !== 503) return response;
        }
        throw new Error(`never acknowledged (seed ${seed})`);
      };

      for (let step = 0; step < operationsPerSequence; step++) {
        trials++;
        const ids = [...model.keys()];
        const kind = ids.length === 0 ? "create" : pick(["create", "create", "rename", "toggle", "delete"] as const);
        const fault = pick(faults);
        const id = kind === "create" ? crypto.randomUUID() : pick(ids);
        const known = model.get(id);
        const match = {
          create: 'insert into "tasks"',
          rename: 'update "tasks"',
          toggle: 'update "tasks"',
          delete: 'delete from "tasks"',
        }[kind];
        if (fault) await injectFault({ ...fault, match });

        const context = `seed ${seed}, sequence ${sequence}, step ${step}: ${kind} with ${JSON.stringify(fault)}`;
        if (kind === "create") {
          const title = `Task ${sequence}.${step}`;
          const response = await untilAcknowledged(() => user.create({ id, title }));
          expect([200, 201], context).toContain(response.status);
          model.set(id, { title, completed: false, version: 1 });
        } else if (kind === "rename" && known) {
          const title = `Renamed ${sequence}.${step}`;
          const response = await untilAcknowledged(
            () => user.patch(id, { title }, { "If-Match": `"${known.version}"` }),
            [412],
          );
          if (response.status === 412) {
            // A retried update that finds the task one version on with its own change has succeeded.
            const current = (await (await user.get(id)).json()) as TaskJson;
            expect(current, context).toMatchObject({ title, version: known.version + 1 });
          } else {
            expect(response.status, context).toBe(200);
          }
          model.set(id, { ...known, title, version: known.version + 1 });
        } else if (kind === "toggle" && known) {
          const completed = !known.completed;
          const response = await untilAcknowledged(
            () => user.complete(id, { completed }, { "If-Match": `"${known.version}"` }),
            [412],
          );
          if (response.status === 412) {
            const current = (await (await user.get(id)).json()) as TaskJson;
            expect(current, context).toMatchObject({ completed, version: known.version + 1 });
          } else {
            expect(response.status, context).toBe(200);
          }
          model.set(id, { ...known, completed, version: known.version + 1 });
        } else if (kind === "delete") {
          const response = await untilAcknowledged(() => user.remove(id), [404]);
          expect([204, 404], context).toContain(response.status);
          model.delete(id);
        }
        await clearFaults();
      }

      const rows = await sql<{ id: string; title: string; completed: boolean; version: number }>(
        "select id, title, completed, version from tasks where user_id = $1",
        [user.id],
      );
      const stored = Object.fromEntries(rows.map(({ id, ...task }) => [id, task]));
      expect(stored, `seed ${seed}, sequence ${sequence}`).toEqual(Object.fromEntries(model));
    }
    expect(trials).toBeGreaterThanOrEqual(1000);
  });
});
