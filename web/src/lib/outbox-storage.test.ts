import { describe, expect, it } from "vitest";
import { readQueues } from "./outbox-storage.ts";
import { browserZone } from "./time-zone.ts";

const base = { opId: "op-1", taskId: "00000000-0000-4000-8000-000000000001", at: "2026-12-01T09:00:00.000Z" };

/**
 * Changes queued before the due model (offline across the deploy) carry `dueAt`, which the API
 * now ignores: read as the migration reads stored values (docs/decisions/020), never dropped.
 */
describe("a queue stored before the due model", () => {
  it("reads a create's end-of-day instant as that calendar day", () => {
    const stored = [
      {
        ...base,
        kind: "create",
        task: { id: base.taskId, title: "Pay rent", dueAt: new Date(2026, 11, 5, 23, 59, 59).toISOString() },
      },
    ];
    const [change] = readQueues(stored)[""] ?? [];
    expect(change).toMatchObject({ kind: "create", task: { due: { date: "2026-12-05", time: null, timeZone: null } } });
    expect(change && "task" in change && "dueAt" in change.task).toBe(false);
  });

  it("reads a patch's instant as that wall-clock time here, and a cleared one as no due date", () => {
    const stored = {
      tab: [
        {
          ...base,
          kind: "patch",
          patch: { dueAt: new Date(2026, 11, 5, 9, 30).toISOString() },
          before: { dueAt: null },
          version: 3,
        },
      ],
    };
    const [change] = readQueues(stored).tab ?? [];
    expect(change).toMatchObject({
      kind: "patch",
      patch: { due: { date: "2026-12-05", time: "09:30", timeZone: browserZone() } },
      before: { due: null },
    });
    expect(change && "patch" in change && "dueAt" in change.patch).toBe(false);
  });
});
