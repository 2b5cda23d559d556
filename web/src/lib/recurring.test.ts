import { describe, expect, it } from "vitest";
import type { Task } from "./api-client.ts";
import { completeOccurrence, occurrenceFor, occurrenceSettled } from "./recurring.ts";

/** The web's side of recurring tasks: what a queued completion shows, and how a 412 is settled. */

const monday = { date: "2026-12-07", time: null, timeZone: null };
const nextMonday = { date: "2026-12-14", time: null, timeZone: null };

function task(fields: Partial<Task> = {}): Task {
  return {
    id: "5b0c7c1e-4d8e-4f7a-9a53-2f1f0b6f2d4e",
    userId: "u",
    title: "Water the plants",
    description: "",
    completed: false,
    completedAt: null,
    priority: "none",
    due: monday,
    recurrence: { rule: "FREQ=WEEKLY;BYDAY=MO", from: "due" },
    completions: [],
    reminders: [],
    tags: [],
    list: "00000000-0000-4000-8000-000000000000",
    position: "a0",
    createdAt: "2026-12-01T00:00:00.000Z",
    updatedAt: "2026-12-01T00:00:00.000Z",
    version: 1,
    ...fields,
  };
}

const at = "2026-12-07T10:00:00.000Z";

describe("a queued completion of a recurring task", () => {
  it("computes the next occurrence with the server's rules, and shows it at once", async () => {
    const occurrence = await occurrenceFor(task(), true);
    expect(occurrence).toEqual({ due: monday, next: nextMonday });
    const shown = completeOccurrence(task(), { completed: true, at, occurrence: occurrence ?? undefined });
    expect(shown).toMatchObject({ due: nextMonday, completed: false, completions: [{ at, due: monday }] });
  });

  it("shows the last occurrence completed, and its undo puts the due and the history back", async () => {
    const last = completeOccurrence(task(), { completed: true, at, occurrence: { due: monday, next: null } });
    expect(last).toMatchObject({ completed: true, completedAt: at, due: monday });
    const moved = task({ due: nextMonday, completions: [{ at, due: monday }], version: 2 });
    const undo = await occurrenceFor(moved, false);
    expect(undo).toEqual({ due: monday, next: null });
    expect(completeOccurrence(moved, { completed: false, at, occurrence: undo ?? undefined })).toMatchObject({
      due: monday,
      completions: [],
      completed: false,
    });
  });
});

describe("a 412 to a recurring completion", () => {
  const change = { completed: true, at, occurrence: { due: monday, next: nextMonday } };

  it("is settled when the occurrence is already completed (the earlier try's answer was lost)", () => {
    const server = task({ due: nextMonday, completions: [{ at, due: monday }], version: 2 });
    expect(occurrenceSettled(server, change)).toBe(true);
  });

  it("is sent again when the task changed otherwise and the occurrence is still due", () => {
    expect(occurrenceSettled(task({ title: "Renamed", version: 2 }), change)).toBe(false);
  });

  it("is dropped when the task moved on another way (its due edited)", () => {
    expect(occurrenceSettled(task({ due: nextMonday, version: 2 }), change)).toBe(true);
  });

  it("settles an undo once the completion is no longer the latest", () => {
    const undo = { completed: false, at, occurrence: { due: monday, next: null } };
    expect(occurrenceSettled(task({ version: 3 }), undo)).toBe(true);
    const stillDone = task({ due: nextMonday, completions: [{ at, due: monday }], title: "Renamed", version: 3 });
    expect(occurrenceSettled(stillDone, undo)).toBe(false);
  });
});
