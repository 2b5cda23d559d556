import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import fc from "fast-check";
import { clear } from "idb-keyval";
import { afterEach, describe, expect, it } from "vitest";
import { queryClient } from "../lib/replica.ts";
import { FakeServer, makeTask } from "../test/fake-server.ts";
import { TaskList } from "./task-list.tsx";

/**
 * A model-based property test: random sequences of what a person does (add, complete or
 * reopen, delete, filter, search), with changes made on another device arriving through the
 * live channel in between. After every step the footer's "N tasks left" must agree with the
 * list: the active tasks the search shows (decision 014 derives both from one replica).
 */
type Step =
  | { kind: "add"; title: string }
  | { kind: "toggle"; index: number }
  | { kind: "delete"; index: number }
  | { kind: "filter"; filter: "All" | "Active" | "Completed" }
  | { kind: "search"; q: string }
  | { kind: "elsewhere"; index: number };

const words = ["milk", "bread", "call", "pay", "plan"] as const;
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("add" as const), title: fc.constantFrom(...words).map((w) => `Buy ${w}`) }),
  fc.record({ kind: fc.constant("toggle" as const), index: fc.nat(6) }),
  fc.record({ kind: fc.constant("delete" as const), index: fc.nat(6) }),
  fc.record({
    kind: fc.constant("filter" as const),
    filter: fc.constantFrom("All" as const, "Active" as const, "Completed" as const),
  }),
  fc.record({ kind: fc.constant("search" as const), q: fc.constantFrom("", "buy", "milk", "pay") }),
  fc.record({ kind: fc.constant("elsewhere" as const), index: fc.nat(6) }),
);

function shownCounts(): { left: number; activeShown: number } {
  const footer = screen.queryByText(/tasks? left$/);
  const left = Number(footer?.textContent?.split(" ")[0] ?? Number.NaN);
  const boxes = screen.queryAllByRole("checkbox");
  return { left, activeShown: boxes.filter((box) => !(box as HTMLInputElement).checked).length };
}

describe("the task list's counts", () => {
  afterEach(async () => {
    queryClient.clear();
    await clear();
  });

  it("always agree with the list, whatever happens here and elsewhere", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        window.history.replaceState(null, "", "/tasks");
        const server = new FakeServer([
          makeTask({ title: "Pay rent" }),
          makeTask({ title: "Plan trip", completed: true }),
        ]);
        server.delayMs = 40; // answers arrive while the person goes on: the optimistic states are checked too
        server.install();
        const user = userEvent.setup();
        const view = render(<TaskList />);
        try {
          const field = screen.getByRole("textbox", { name: "New task" });
          await waitFor(() => expect(field).toBeEnabled());
          await screen.findByText(/tasks? left$/);
          let filter: "All" | "Active" | "Completed" = "All";
          for (const s of steps) {
            const items = screen.queryAllByRole("listitem");
            const item = items.length > 0 ? items[("index" in s ? s.index : 0) % items.length] : undefined;
            if (s.kind === "add") {
              await user.clear(field);
              await user.type(field, `${s.title}{Enter}`);
            } else if (s.kind === "toggle" && item) {
              await user.click(within(item).getByRole("checkbox"));
            } else if (s.kind === "delete" && item) {
              await user.click(within(item).getByRole("button", { name: /^Delete/ }));
            } else if (s.kind === "filter") {
              filter = s.filter;
              await user.click(screen.getByRole("link", { name: s.filter }));
            } else if (s.kind === "search") {
              const search = screen.getByRole("textbox", { name: "Search tasks" });
              await user.clear(search);
              if (s.q) await user.type(search, s.q);
            } else if (s.kind === "elsewhere") {
              const task = server.tasks[s.index % Math.max(1, server.tasks.length)];
              if (task) {
                server.changeElsewhere(task.id, { completed: !task.completed });
                act(() => server.announce());
              }
            }
            // At every moment, not eventually: the footer counts the tasks shown (the search's active ones).
            const { left, activeShown } = shownCounts();
            if (filter === "Completed") expect(activeShown).toBe(0);
            else expect(left, JSON.stringify(s)).toBe(activeShown);
          }
        } finally {
          view.unmount();
          queryClient.clear();
          await clear();
        }
      }),
      { numRuns: 15 },
    );
  });
});
