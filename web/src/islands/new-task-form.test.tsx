import { cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeServer as FakeApi } from "../test/fake-server.ts";
import { openTaskList } from "../test/task-list-page.tsx";

// Quick add in the New task form; the parser's rules are in src/lib/quick-add.test.ts.
async function newTaskField() {
  const field = screen.getByRole("textbox", { name: "New task" });
  await waitFor(() => expect(field).toBeEnabled());
  return field;
}

const chips = () =>
  within(screen.getByRole("list", { name: "Recognised" }))
    .getAllByRole("button")
    .map((button) => button.getAttribute("aria-label"));

describe("quick add in New task", () => {
  beforeEach(() => {
    // Only the clock is fixed (Tuesday 1 December 2026, 09:00 UTC); timers stay real for the network fake.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-01T09:00:00Z") });
  });
  afterEach(async () => {
    vi.useRealTimers();
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it("shows what it recognised as chips, one removed stays words, and saves the rest", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    const field = await newTaskField();
    await user.type(field, "Call mom tomorrow 5pm #family !high");

    await waitFor(() => expect(chips()).toEqual(['Remove "Tomorrow 17:00"', 'Remove "#family"', 'Remove "High"']));
    expect(screen.getByText("Recognised: Tomorrow 17:00, #family, High")).toHaveAttribute("aria-live", "polite");

    await user.click(screen.getByRole("button", { name: 'Remove "#family"' }));
    expect(chips()).toEqual(['Remove "Tomorrow 17:00"', 'Remove "High"']);
    expect(field).toHaveFocus();
    expect(field).toHaveValue("Call mom tomorrow 5pm #family !high");
    await user.keyboard("{Enter}");

    await waitFor(() => expect(api.tasks).toHaveLength(1));
    const [create] = api.calls("POST", /\/tasks$/);
    expect(create?.body).toMatchObject({
      title: "Call mom #family",
      priority: "high",
      tags: [],
      due: { date: "2026-12-02", time: "17:00", timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
    });
    expect(field).toHaveValue("");
    expect(screen.queryByRole("list", { name: "Recognised" })).not.toBeInTheDocument();
  });

  it("shows a recognised priority and date in the details; changing them there removes the chip", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    const field = await newTaskField();
    await user.type(field, "Report dec 5 p1 #work");
    await user.click(screen.getByRole("button", { name: "Details" }));

    await waitFor(() => expect(screen.getByLabelText("Priority")).toHaveValue("high"));
    expect(screen.getByLabelText("Due date")).toHaveValue("2026-12-05");
    await user.selectOptions(screen.getByLabelText("Priority"), "low");
    expect(chips()).toEqual(['Remove "Saturday"', 'Remove "#work"']);
    await user.type(screen.getByLabelText("Tags"), "home");
    await user.type(field, "{Enter}");

    await waitFor(() => expect(api.tasks).toHaveLength(1));
    expect(api.calls("POST", /\/tasks$/)[0]?.body).toMatchObject({
      title: "Report p1",
      priority: "low",
      tags: ["home", "work"],
      due: { date: "2026-12-05", time: null, timeZone: null },
    });
  });

  it("keeps a recognised date when a time is set in the details", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    const field = await newTaskField();
    await user.type(field, "Pay rent friday");
    await waitFor(() => expect(chips()).toEqual(['Remove "Friday"']));
    await user.click(screen.getByRole("button", { name: "Details" }));
    await user.type(screen.getByLabelText("Due time"), "0930");
    expect(screen.getByLabelText("Due date")).toHaveValue("2026-12-04");
    await user.type(field, "{Enter}");

    await waitFor(() => expect(api.tasks).toHaveLength(1));
    expect(api.calls("POST", /\/tasks$/)[0]?.body).toMatchObject({
      due: { date: "2026-12-04", time: "09:30", timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
    });
  });

  it("sends a repeat as the task's recurrence, shown as a chip first", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    await user.type(await newTaskField(), "Gym every monday #health");
    await waitFor(() => expect(chips()).toEqual(['Remove "Every Monday"', 'Remove "#health"']));
    await user.keyboard("{Enter}");

    await waitFor(() => expect(api.tasks).toHaveLength(1));
    expect(api.calls("POST", /\/tasks$/)[0]?.body).toMatchObject({
      title: "Gym",
      tags: ["health"],
      due: { time: null },
      recurrence: { rule: "FREQ=WEEKLY;BYDAY=MO", from: "due" },
    });
  });

  it("offers one task per pasted line, each read by quick add", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    const field = await newTaskField();
    await user.click(field);
    await user.paste("Buy milk\r\nCall Ann tomorrow #home\n\n  Walk the dog p2 \n");

    const offer = screen.getByRole("alertdialog", { name: "Add 3 tasks, one per line?" });
    expect(within(offer).getByRole("button", { name: "Add 3 tasks" })).toHaveFocus();
    await user.click(within(offer).getByRole("button", { name: "Add 3 tasks" }));

    await waitFor(() => expect(api.tasks).toHaveLength(3));
    expect(api.calls("POST", /\/tasks$/).map((call) => call.body)).toMatchObject([
      { title: "Buy milk", tags: [], priority: "none", due: null },
      { title: "Call Ann", tags: ["home"], due: { date: "2026-12-02", time: null, timeZone: null } },
      { title: "Walk the dog", priority: "medium" },
    ]);
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(field).toHaveValue("");
    expect(field).toHaveFocus();
  });

  it("pastes several lines as one when asked to", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    const field = await newTaskField();
    await user.type(field, "Shopping: ");
    await user.paste("eggs\nflour");
    await user.click(screen.getByRole("button", { name: "Paste as one line" }));

    expect(field).toHaveValue("Shopping: eggs flour");
    expect(field).toHaveFocus();
    expect(api.calls("POST", /\/tasks$/)).toHaveLength(0);
  });

  it("pastes nothing when the offer is dismissed with Escape", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    const field = await newTaskField();
    await user.click(field);
    await user.paste("one\ntwo");
    await user.keyboard("{Escape}");

    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(field).toHaveValue("");
  });
});
