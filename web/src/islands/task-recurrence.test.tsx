import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dateIn } from "../../../worker/src/tasks/due.ts";
import { browserZone } from "../lib/time-zone.ts";
import { FakeServer, makeTask } from "../test/fake-server.ts";
import { TaskItem } from "./task-item.tsx";
import { TaskList } from "./task-list.tsx";

/** A recurring task in the list: its repeat, its history, and the editor's way to stop it. */

const monday = { date: "2026-12-07", time: null, timeZone: null };
const recurring = makeTask({
  title: "Water the plants",
  due: { date: "2026-12-14", time: null, timeZone: null },
  recurrence: { rule: "FREQ=WEEKLY;BYDAY=MO", from: "due" },
  completions: [{ at: "2026-12-07T18:00:00.000Z", due: monday }],
});

function item(mode: "view" | "edit", onSave = vi.fn(), task = recurring) {
  render(
    <ul>
      <TaskItem
        task={task}
        saving={false}
        mode={mode}
        userId={null}
        onToggle={vi.fn()}
        onEdit={vi.fn()}
        onDelete={vi.fn()}
        onSave={onSave}
        onCancel={vi.fn()}
      />
    </ul>,
  );
  return onSave;
}

describe("a recurring task", () => {
  it("says how it repeats and lists its completions with the due date each had", () => {
    item("view");
    expect(screen.getByText("Repeats every week on Monday")).toBeVisible();
    const history = screen.getByText(/^Completed once/).closest("details") as HTMLElement;
    const times = within(history).getAllByText((_, element) => element?.tagName === "TIME");
    expect(times.map((time) => time.getAttribute("datetime"))).toEqual(["2026-12-07T18:00:00.000Z", "2026-12-07"]);
  });

  it('labels each past completion\'s due by its date, never relatively (not "due Today")', () => {
    const today = dateIn(Date.now(), browserZone());
    const [year, month, day] = today.split("-").map(Number) as [number, number, number];
    const task = makeTask({
      ...recurring,
      completions: [{ at: new Date().toISOString(), due: { date: today, time: null, timeZone: null } }],
    });
    item("view", vi.fn(), task);
    const history = screen.getByText(/^Completed once/).closest("details") as HTMLElement;
    const due = within(history).getAllByText((_, element) => element?.getAttribute("datetime") === today)[0];
    const date = new Date(Date.UTC(year, month - 1, day)).toLocaleDateString(undefined, {
      timeZone: "UTC",
      day: "numeric",
      month: "short",
    });
    expect(due).toHaveTextContent(date);
    expect(due).not.toHaveTextContent("Today");
  });

  it("shows the repeat in the editor and saves recurrence null once it is unticked", async () => {
    const user = userEvent.setup();
    const onSave = item("edit");
    await user.click(screen.getByRole("button", { name: "Details" }));
    const repeat = screen.getByRole("checkbox", { name: "Repeats every week on Monday" });
    expect(repeat).toBeChecked();
    await user.click(repeat);
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave).toHaveBeenCalledWith(recurring.id, expect.objectContaining({ recurrence: null }));
  });

  it("keeps the repeat when saved with it ticked (nothing sent for it)", async () => {
    const user = userEvent.setup();
    const onSave = item("edit");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave.mock.calls[0]?.[1]).not.toHaveProperty("recurrence");
  });
});

describe("completing a repeating task through the server", () => {
  afterEach(async () => {
    // The persister writes the replica at most every 300 ms: let it land before the next test.
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  const toast = () => document.querySelector(".toast-region:not(.toast-region-reminders)") as HTMLElement;
  const dueShown = (row: HTMLElement) => row.querySelector("time")?.getAttribute("datetime");

  it("stays active with the next due, and Undo takes it back exactly", async () => {
    const task = makeTask({ ...recurring, due: { date: "2026-12-14", time: null, timeZone: null } });
    const api = new FakeServer([task]);
    window.history.replaceState(null, "", "/tasks");
    api.install();
    const user = userEvent.setup();
    render(<TaskList />);
    const checkbox = await screen.findByRole("checkbox", { name: "Water the plants" });
    const row = checkbox.closest("li") as HTMLElement;

    await user.click(checkbox);

    // The server moved it to the next Monday and recorded the occurrence; the list shows its answer.
    await waitFor(() => expect(api.find(task.id)?.version).toBe(2));
    const completed = api.find(task.id);
    expect(completed).toMatchObject({ completed: false, completedAt: null, due: { date: "2026-12-21" } });
    expect(completed?.completions).toEqual([{ at: completed?.updatedAt, due: task.due }, ...task.completions]);
    await waitFor(() => expect(dueShown(row)).toBe("2026-12-21"));
    expect(checkbox).not.toBeChecked();

    await user.click(within(toast()).getByRole("button", { name: "Undo" }));

    await waitFor(() => expect(api.find(task.id)?.version).toBe(3));
    const { version: _v, updatedAt: _u, ...undone } = api.find(task.id) ?? task;
    const { version: _v0, updatedAt: _u0, ...original } = task;
    expect(undone).toEqual(original);
    await waitFor(() => expect(dueShown(row)).toBe("2026-12-14"));
    expect(screen.getByRole("checkbox", { name: "Water the plants" })).not.toBeChecked();
  });
});
