import { act, cleanup, screen, waitFor, within } from "@testing-library/react";
import { get } from "idb-keyval";
import { HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addDays, dateIn } from "../../../worker/src/tasks/due.ts";
import { resetApiClientForTests } from "../lib/api-client.ts";
import { config } from "../lib/config.ts";
import { navigation } from "../lib/navigation.ts";
import { storedChanges } from "../lib/outbox-storage.ts";
import { queryClient, replicaKey } from "../lib/replica.ts";
import { formatDay } from "../lib/task-view.ts";
import { browserZone } from "../lib/time-zone.ts";
import { pendingChangesEvent } from "../pwa/connection-status.ts";
import { FakeServer as FakeApi, fakeInbox, makeTask, problem, userId } from "../test/fake-server.ts";
import { openTaskList } from "../test/task-list-page.tsx";

/** "Buy milk" deleted on a page whose timers the test moves on (the Undo offer's six seconds). */
async function deleteOnFakeTimers() {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  const api = new FakeApi([makeTask({ title: "Buy milk" })]);
  const user = openTaskList(api, "/tasks", { advanceTimers: vi.advanceTimersByTime });
  await user.click(await screen.findByRole("button", { name: 'Delete "Buy milk"' }));
  return { api, user };
}

async function newTaskField() {
  const field = screen.getByRole("textbox", { name: "New task" });
  await waitFor(() => expect(field).toBeEnabled());
  return field;
}

describe("the task list", () => {
  beforeEach(() => {
    window.history.replaceState(null, "", "/tasks");
  });
  afterEach(async () => {
    // The persister writes the replica at most every 300 ms: let a write still due land before
    // the next test's setup empties IndexedDB, so no test opens on another's replica.
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it("shows a skeleton while loading, then the empty state", async () => {
    openTaskList(new FakeApi());
    expect(screen.getByText("Loading tasks…")).toBeInTheDocument();
    expect(await screen.findByText("No tasks yet — add one above")).toBeInTheDocument();
    expect(screen.getByText("0 tasks left")).toBeInTheDocument();
  });

  it("adds a task on Enter, trimmed, with a client-chosen id", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    await user.type(await newTaskField(), "   Buy milk  {Enter}");

    expect(screen.getByRole("checkbox", { name: "Buy milk" })).not.toBeChecked();
    expect(screen.getByRole("textbox", { name: "New task" })).toHaveValue("");
    await waitFor(() => expect(api.tasks.map((t) => t.title)).toEqual(["Buy milk"]));
    const [create] = api.calls("POST", /\/tasks$/);
    expect(create?.body).toMatchObject({ title: "Buy milk" });
    expect(create?.body).toHaveProperty("id", expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(await screen.findByText("Added “Buy milk”")).toBeInTheDocument();
    expect(screen.getByText("1 task left")).toBeInTheDocument();
  });

  it("keeps a task added while the list was still loading", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The feed is read before the task lands, and answers late (without it).
    const api = new FakeApi().override("GET", /\/tasks\/changes$/, () =>
      gate.then(() => HttpResponse.json({ changes: [], deleted: [], cursor: "0", more: false })),
    );
    const user = openTaskList(api);
    await user.type(await newTaskField(), "Early bird{Enter}");
    await waitFor(() => expect(api.tasks).toHaveLength(1));
    // The create is answered (no longer queued) before the feed's stale answer arrives.
    await waitFor(() => expect(screen.getByRole("listitem")).not.toHaveAttribute("aria-busy"));
    release();
    await waitFor(() => expect(screen.queryByText("Loading tasks…")).not.toBeInTheDocument());
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(screen.getByRole("checkbox", { name: "Early bird" })).toBeInTheDocument();
    expect(screen.getByText("1 task left")).toBeInTheDocument();
  });

  it("a chosen list with no tasks says so by name, not that there are no tasks at all", async () => {
    const elsewhere = crypto.randomUUID();
    openTaskList(new FakeApi([makeTask({ title: "Report", list: elsewhere })]), `/tasks?list=${fakeInbox.id}`);
    expect(await screen.findByText("No tasks in Inbox yet")).toBeInTheDocument();
    expect(screen.queryByText("No tasks yet — add one above")).not.toBeInTheDocument();
  });

  it("adds nothing when the title is empty or only spaces", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    const field = await newTaskField();
    await user.type(field, "{Enter}");
    await user.type(field, "    {Enter}");

    expect(api.calls("POST", /\/tasks$/)).toHaveLength(0);
    expect(screen.queryByRole("checkbox")).not.toBeInTheDocument();
    expect(await screen.findByText("No tasks yet — add one above")).toBeInTheDocument();
  });

  it("re-sends a create with the same id after a network failure", async () => {
    const api = new FakeApi().override("POST", /\/tasks$/, () => "network-error");
    const user = openTaskList(api);
    await user.type(await newTaskField(), "Call the bank{Enter}");

    await waitFor(() => expect(api.tasks).toHaveLength(1), { timeout: 3000 });
    const creates = api.calls("POST", /\/tasks$/);
    expect(creates).toHaveLength(2);
    expect(creates[0]?.body).toEqual(creates[1]?.body);
    expect(screen.getAllByRole("checkbox", { name: "Call the bank" })).toHaveLength(1);
  });

  it("shows a change made on another device when the live channel says so, without asking for the list", async () => {
    const task = makeTask({ title: "Buy milk" });
    const api = new FakeApi([task]);
    openTaskList(api);
    const checkbox = await screen.findByRole("checkbox", { name: "Buy milk" });
    await waitFor(() => expect(api.liveProtocols).toHaveLength(1));
    // The token rides in the subprotocols, never in the URL.
    expect(api.liveProtocols[0]).toEqual(["brisk.v1", expect.stringMatching(/^bearer\./)]);

    api.changeElsewhere(task.id, { completed: true, title: "Buy oat milk" });
    act(() => api.announce());

    expect(await screen.findByRole("checkbox", { name: "Buy oat milk" })).toBeChecked();
    expect(checkbox).toBe(screen.getByRole("checkbox", { name: "Buy oat milk" }));
    expect(screen.getByText("0 tasks left")).toBeInTheDocument();
    expect(api.calls("GET", /\/tasks$/)).toHaveLength(0);
    expect(
      api
        .calls("GET", /\/tasks\/changes$/)
        .at(-1)
        ?.search.get("since"),
    ).not.toBeNull();
  });

  it("sends the person to sign in when the live channel says the session ended", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    openTaskList(api);
    await screen.findByRole("checkbox", { name: "Buy milk" });
    await waitFor(() => expect(api.liveProtocols).toHaveLength(1));
    act(() => api.announce({ type: "session-ended" }));
    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/sign-in?next=%2Ftasks&reason=session-ended"));
  });

  it("merges an edit that met another device's change to another field, and asks when both changed the same one", async () => {
    const task = makeTask({ title: "Plan the trip", description: "" });
    const api = new FakeApi([task]);
    const user = openTaskList(api);
    await screen.findByRole("checkbox", { name: "Plan the trip" });
    // Another device changes the description and the title after this page read the task.
    api.changeElsewhere(task.id, { description: "Rome or Lisbon", title: "Plan the trip to Lisbon" });

    await user.click(screen.getByRole("button", { name: 'Edit "Plan the trip"' }));
    const title = screen.getByRole("textbox", { name: "Title" });
    await user.clear(title);
    await user.type(title, "Plan the trip to Rome{Enter}");

    const dialog = await screen.findByRole("dialog", { name: "Changed on another device" });
    const group = within(dialog).getByRole("group", { name: "Title" });
    expect(within(group).getByRole("radio", { name: "Yours: Plan the trip to Rome" })).toBeInTheDocument();
    await user.click(within(group).getByRole("radio", { name: "Other device: Plan the trip to Lisbon" }));
    await user.click(within(dialog).getByRole("button", { name: "Keep these" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByRole("checkbox", { name: "Plan the trip to Lisbon" })).toBeInTheDocument();
    expect(api.find(task.id)).toMatchObject({ title: "Plan the trip to Lisbon", description: "Rome or Lisbon" });
    const patches = api.calls("PATCH", /\/tasks\/[^/]+$/);
    expect(patches[0]?.headers.get("If-Match")).toBe('"1"');
  });

  it("toggles a task and updates the counter", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" }), makeTask({ title: "Walk the dog" })]);
    const user = openTaskList(api);
    const checkbox = await screen.findByRole("checkbox", { name: "Buy milk" });
    expect(screen.getByText("2 tasks left")).toBeInTheDocument();

    await user.click(checkbox);

    expect(checkbox).toBeChecked();
    expect(screen.getByText("1 task left")).toBeInTheDocument();
    await waitFor(() => expect(api.tasks.find((t) => t.title === "Buy milk")?.completed).toBe(true));
    expect(api.calls("PATCH", /\/complete$/)[0]?.body).toEqual({ completed: true });
    expect(screen.getByRole("button", { name: "Clear completed" })).toBeInTheDocument();
  });

  it("rolls a refused change back and says why", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    api.override("PATCH", /\/complete$/, () =>
      problem(422, "validation_failed", "The request breaks a rule", {
        errors: [{ path: "completed", message: "This task cannot be completed yet" }],
      }),
    );
    const user = openTaskList(api);
    const checkbox = await screen.findByRole("checkbox", { name: "Buy milk" });

    await user.click(checkbox);

    const alert = await screen.findByRole("alert");
    await waitFor(() => expect(alert).toHaveTextContent("“Buy milk” could not be marked complete."));
    expect(alert).toHaveTextContent("This task cannot be completed yet");
    expect(checkbox).not.toBeChecked();
    expect(screen.getByText("1 task left")).toBeInTheDocument();
  });

  it("keeps a change queued while the server fails, and sends it again until it lands", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    api.override("PATCH", /\/complete$/, () => problem(500, "internal_error", "Something went wrong on our side"));
    api.override("PATCH", /\/complete$/, () => "network-error");
    const user = openTaskList(api);
    const checkbox = await screen.findByRole("checkbox", { name: "Buy milk" });

    await user.click(checkbox);

    expect(checkbox).toBeChecked();
    await waitFor(() => expect(api.tasks[0]?.completed).toBe(true));
    expect(api.calls("PATCH", /\/complete$/)).toHaveLength(3);
    await waitFor(() => expect(screen.getByRole("listitem")).not.toHaveAttribute("aria-busy"));
    expect(screen.getByRole("alert")).toBeEmptyDOMElement();
    expect(screen.getByText("0 tasks left")).toBeInTheDocument();
  });

  it("tells the offline status how many changes wait to be sent", async () => {
    const counts: number[] = [];
    const record = (event: Event) => counts.push((event as CustomEvent<{ count: number }>).detail.count);
    window.addEventListener(pendingChangesEvent, record);
    try {
      const api = new FakeApi([makeTask({ title: "Buy milk" })]);
      api.override("PATCH", /\/complete$/, () => "network-error");
      const user = openTaskList(api);
      await user.click(await screen.findByRole("checkbox", { name: "Buy milk" }));

      await waitFor(() => expect(counts).toContain(1));
      await waitFor(() => expect(api.tasks[0]?.completed).toBe(true));
      await waitFor(() => expect(counts.at(-1)).toBe(0));
    } finally {
      window.removeEventListener(pendingChangesEvent, record);
    }
  });

  it("keeps the stored replica when a sync fails, so the next page opens on it offline", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    openTaskList(api);
    expect(await screen.findByRole("checkbox", { name: "Buy milk" })).toBeInTheDocument();

    // The network goes: a sync (live reconnect, focus) fails, every retry too.
    for (const path of [/\/token$/, /\/get-session$/, /\/changes$/, /\/live$/]) {
      api.override("GET", path, () => "network-error", 1000);
    }
    resetApiClientForTests();
    await act(() => queryClient.refetchQueries().catch(() => {}));
    await waitFor(() => expect(queryClient.getQueryState(replicaKey(userId))?.status).toBe("error"), {
      timeout: 15_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(JSON.stringify(await get(config.replicaStorageKey))).toContain("Buy milk");

    // A new page: nothing in memory, the replica in IndexedDB, the network still down.
    cleanup();
    queryClient.clear();
    openTaskList(api);
    expect(await screen.findByRole("checkbox", { name: "Buy milk" })).toBeInTheDocument();
  }, 30_000);

  it("takes back a task the server refused to create", async () => {
    const api = new FakeApi().override("POST", /\/tasks$/, () =>
      problem(422, "validation_failed", "The request breaks a rule", {
        errors: [{ path: "title", message: "Title must be at most 200 characters" }],
      }),
    );
    const user = openTaskList(api);
    await user.type(await newTaskField(), "Too long, says the server{Enter}");

    const alert = await screen.findByRole("alert");
    await waitFor(() => expect(alert).toHaveTextContent("Title must be at most 200 characters"));
    expect(screen.queryByRole("checkbox", { name: "Too long, says the server" })).not.toBeInTheDocument();
    // The typed title comes back so nothing is lost.
    expect(screen.getByRole("textbox", { name: "New task" })).toHaveValue("Too long, says the server");
  });

  it("sends a create whose answers were lost again under the same id, and stores it once", async () => {
    const api = new FakeApi().loseAnswer("POST", /\/tasks$/, 2);
    const user = openTaskList(api);
    await user.type(await newTaskField(), "Answer lost{Enter}");

    expect(await screen.findByText("Added “Answer lost”")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("listitem")).not.toHaveAttribute("aria-busy"));
    const ids = api.calls("POST", /\/tasks$/).map((request) => (request.body as { id: string }).id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(api.tasks).toHaveLength(1);
    expect(screen.getAllByRole("checkbox", { name: "Answer lost" })).toHaveLength(1);
    expect(screen.getByRole("alert")).toBeEmptyDOMElement();
  });

  it("marks a change as saving until the server confirms it", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const task = makeTask({ title: "Buy milk" });
    const api = new FakeApi([task]);
    api.override("PATCH", /\/complete$/, () =>
      gate.then(() => HttpResponse.json({ ...task, completed: true, completedAt: task.createdAt, version: 2 })),
    );
    const user = openTaskList(api);
    const checkbox = await screen.findByRole("checkbox", { name: "Buy milk" });
    await user.click(checkbox);

    const item = screen.getByRole("listitem");
    expect(checkbox).toBeChecked();
    expect(item).toHaveAttribute("aria-busy", "true");
    expect(within(item).getByText("Saving…")).toBeInTheDocument();

    release();
    await waitFor(() => expect(item).not.toHaveAttribute("aria-busy"));
    expect(within(item).queryByText("Saving…")).not.toBeInTheDocument();
    expect(checkbox).toBeChecked();
  });

  it("keeps a toggle whose answer was lost when the server has it, and says nothing went wrong", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]).loseAnswer("PATCH", /\/complete$/);
    const user = openTaskList(api);
    const checkbox = await screen.findByRole("checkbox", { name: "Buy milk" });
    await user.click(checkbox);

    await waitFor(() => expect(screen.getByRole("listitem")).not.toHaveAttribute("aria-busy"));
    expect(api.calls("GET", /\/tasks\/(?!changes)[^/]+$/)).toHaveLength(1);
    expect(checkbox).toBeChecked();
    expect(api.tasks[0]?.completed).toBe(true);
    expect(screen.getByRole("alert")).toBeEmptyDOMElement();
    expect(screen.getByText("0 tasks left")).toBeInTheDocument();
  });

  it("keeps an edit whose answer was lost when the server has it", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]).loseAnswer("PATCH", /\/tasks\/[^/]+$/);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Edit "Buy milk"' }));
    const title = screen.getByRole("textbox", { name: "Title" });
    await user.clear(title);
    await user.type(title, "Buy oat milk{Enter}");

    await waitFor(() => expect(screen.getByRole("listitem")).not.toHaveAttribute("aria-busy"));
    expect(api.calls("GET", /\/tasks\/(?!changes)[^/]+$/)).toHaveLength(1);
    expect(screen.getByRole("checkbox", { name: "Buy oat milk" })).toBeInTheDocument();
    expect(api.tasks[0]?.title).toBe("Buy oat milk");
    expect(screen.getByRole("alert")).toBeEmptyDOMElement();
  });

  it("edits a title in place: Enter saves", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Edit "Buy milk"' }));

    const title = screen.getByRole("textbox", { name: "Title" });
    expect(title).toHaveFocus();
    await user.clear(title);
    await user.type(title, "Buy oat milk{Enter}");

    expect(screen.getByRole("checkbox", { name: "Buy oat milk" })).toBeInTheDocument();
    await waitFor(() => expect(api.tasks[0]?.title).toBe("Buy oat milk"));
    expect(api.calls("PATCH", /\/tasks\/[^/]+$/)[0]?.body).toEqual({ title: "Buy oat milk" });
    expect(screen.getByRole("button", { name: 'Edit "Buy oat milk"' })).toHaveFocus();
  });

  it("never clears a due date it does not hold (a task kept from before the due model) when editing the title", async () => {
    const old = makeTask({ title: "Buy milk" }) as Partial<ReturnType<typeof makeTask>>;
    delete old.due;
    const api = new FakeApi([old as ReturnType<typeof makeTask>]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Edit "Buy milk"' }));
    const title = screen.getByRole("textbox", { name: "Title" });
    await user.clear(title);
    await user.type(title, "Buy oat milk{Enter}");

    await waitFor(() => expect(api.calls("PATCH", /\/tasks\/[^/]+$/)).toHaveLength(1));
    expect(api.calls("PATCH", /\/tasks\/[^/]+$/)[0]?.body).toEqual({ title: "Buy oat milk" });
  });

  it("edits a title in place: Escape cancels", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    const user = openTaskList(api);
    await user.dblClick(await screen.findByText("Buy milk"));

    const title = screen.getByRole("textbox", { name: "Title" });
    await user.clear(title);
    await user.type(title, "Something else{Escape}");

    expect(screen.getByRole("checkbox", { name: "Buy milk" })).toHaveFocus();
    expect(screen.queryByRole("textbox", { name: "Title" })).not.toBeInTheDocument();
    expect(api.calls("PATCH", /.*/)).toHaveLength(0);
  });

  it("saves an edit when focus leaves the editor", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Edit "Buy milk"' }));
    await user.type(screen.getByRole("textbox", { name: "Title" }), " and bread");
    await user.click(document.body);

    expect(screen.getByRole("checkbox", { name: "Buy milk and bread" })).toBeInTheDocument();
    await waitFor(() => expect(api.tasks[0]?.title).toBe("Buy milk and bread"));
  });

  it("edits the details of a task", async () => {
    const api = new FakeApi([makeTask({ title: "Renew passport" })]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Edit "Renew passport"' }));
    const editor = screen.getByRole("form", { name: 'Editing "Renew passport"' });
    await user.click(within(editor).getByRole("button", { name: "Details" }));
    await user.selectOptions(within(editor).getByRole("combobox", { name: "Priority" }), "high");
    await user.type(within(editor).getByRole("textbox", { name: "Tags" }), "Admin, travel");
    await user.click(within(editor).getByRole("button", { name: "Save" }));

    expect(screen.getByText("High priority")).toBeInTheDocument();
    await waitFor(() => expect(api.tasks[0]).toMatchObject({ priority: "high", tags: ["admin", "travel"] }));
    expect(api.calls("PATCH", /\/tasks\/[^/]+$/)[0]?.body).toEqual({ priority: "high", tags: ["admin", "travel"] });
  });

  it("edits the due date and time, saving exactly the day chosen (all day, then at a time here)", async () => {
    const api = new FakeApi([makeTask({ title: "Renew passport" })]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Edit "Renew passport"' }));
    let editor = screen.getByRole("form", { name: 'Editing "Renew passport"' });
    await user.click(within(editor).getByRole("button", { name: "Details" }));
    expect(within(editor).getByLabelText("Due time")).toBeDisabled();
    await user.type(within(editor).getByLabelText("Due date"), "2026-12-05");
    await user.click(within(editor).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(api.calls("PATCH", /\/tasks\/[^/]+$/)[0]?.body).toEqual({
        due: { date: "2026-12-05", time: null, timeZone: null },
      }),
    );

    await user.click(await screen.findByRole("button", { name: 'Edit "Renew passport"' }));
    editor = screen.getByRole("form", { name: 'Editing "Renew passport"' });
    await user.click(within(editor).getByRole("button", { name: "Details" }));
    expect(within(editor).getByLabelText("Due date")).toHaveValue("2026-12-05");
    await user.type(within(editor).getByLabelText("Due time"), "17:30");
    await user.click(within(editor).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(api.calls("PATCH", /\/tasks\/[^/]+$/)[1]?.body).toEqual({
        due: { date: "2026-12-05", time: "17:30", timeZone: browserZone() },
      }),
    );
  });

  it("shows Today (overdue and today) and Upcoming (the next 14 days, by day), kept in the URL", async () => {
    const today = dateIn(Date.now(), browserZone());
    const allDay = (days: number) => ({ date: addDays(today, days), time: null, timeZone: null });
    const api = new FakeApi([
      makeTask({ title: "Late", due: allDay(-2) }),
      makeTask({ title: "Now", due: allDay(0) }),
      makeTask({ title: "Soon", due: allDay(3) }),
      makeTask({ title: "Later", due: allDay(13) }),
      makeTask({ title: "Much later", due: allDay(14) }),
      makeTask({ title: "Done today", due: allDay(0), completed: true }),
      makeTask({ title: "Undated" }),
    ]);
    const user = openTaskList(api, "/tasks?view=today");
    expect(await screen.findByRole("checkbox", { name: "Late" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Today" })).toHaveAttribute("aria-current", "page");
    const shown = () => screen.getAllByRole("checkbox").map((box) => box.getAttribute("aria-label"));
    expect(shown()).toEqual(expect.arrayContaining(["Late", "Now"]));
    expect(shown()).toHaveLength(2);
    expect(screen.getByText("Overdue")).toBeInTheDocument();
    expect(screen.getByText("Due Today")).toBeInTheDocument();

    await user.click(screen.getByRole("link", { name: "Upcoming" }));
    expect(window.location.search).toBe("?view=upcoming");
    await waitFor(() => expect(shown()).toEqual(["Now", "Soon", "Later"]));
    const days = screen.getAllByRole("heading", { level: 3 }).map((heading) => heading.textContent);
    expect(days).toEqual([formatDay(today), formatDay(addDays(today, 3)), formatDay(addDays(today, 13))]);
    expect(
      within(screen.getByRole("list", { name: formatDay(addDays(today, 3)) })).getByRole("checkbox"),
    ).toHaveAccessibleName("Soon");
    // Within a week a label names the weekday.
    const weekday = new Date(`${addDays(today, 3)}T12:00:00Z`).toLocaleDateString(undefined, {
      timeZone: "UTC",
      weekday: "long",
    });
    expect(screen.getByText(`Due ${weekday}`)).toBeInTheDocument();
  });

  it("asks before deleting a task whose title was emptied", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Edit "Buy milk"' }));
    await user.clear(screen.getByRole("textbox", { name: "Title" }));
    await user.keyboard("{Enter}");

    const question = screen.getByRole("alertdialog");
    expect(question).toHaveTextContent("Delete “Buy milk”?");
    await user.click(within(question).getByRole("button", { name: "Delete task" }));

    expect(screen.queryByRole("checkbox", { name: "Buy milk" })).not.toBeInTheDocument();
    await waitFor(() => expect(api.tasks).toHaveLength(0));
  });

  it("sends a deletion at once with an undo token, and Undo restores the task exactly as it was", async () => {
    const task = makeTask({
      title: "Water plants",
      priority: "high",
      tags: ["home"],
      due: { date: "2026-12-07", time: null, timeZone: null },
      recurrence: { rule: "FREQ=WEEKLY;BYDAY=MO", from: "due" },
      reminders: [{ before: "PT15M" }],
      completions: [{ at: "2026-11-30T18:00:00.000Z", due: { date: "2026-11-30", time: null, timeZone: null } }],
      createdAt: "2026-11-01T08:00:00.000Z",
      version: 4,
    });
    const api = new FakeApi([task]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Delete "Water plants"' }));

    expect(screen.queryByRole("checkbox", { name: "Water plants" })).not.toBeInTheDocument();
    expect(screen.getByText("Task deleted")).toBeInTheDocument();
    // Sent while Undo is still offered: another device sees it at once.
    await waitFor(() => expect(api.tasks).toHaveLength(0));
    const [deletion] = api.calls("DELETE", /\/tasks\//);
    const token = deletion?.search.get("undo");
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(screen.getByText("Task deleted")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(await screen.findByRole("checkbox", { name: "Water plants" })).toBeInTheDocument();
    await waitFor(() => expect(api.find(task.id)).toEqual({ ...task, version: 5 }));
    expect(api.calls("POST", /\/tasks\/restore$/).map((call) => call.body)).toEqual([{ undo: token }]);
    expect(api.calls("POST", /\/tasks$/)).toHaveLength(0);
    // The replica takes the server's restored row (one version later).
    await waitFor(() => expect(screen.getByRole("listitem")).not.toHaveAttribute("aria-busy"));
    expect(queryClient.getQueryData<{ tasks: Record<string, unknown> }>(replicaKey(userId))?.tasks[task.id]).toEqual({
      ...task,
      version: 5,
    });
    expect(screen.getByRole("alert")).toBeEmptyDOMElement();
  });

  it("withdraws a deletion Undo catches before it was sent: nothing is sent", async () => {
    const first = makeTask({ title: "Buy milk" });
    const task = makeTask({ title: "Water plants" });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const api = new FakeApi([first, task]);
    // A change ahead in the queue waits for its answer, so the deletion is still unsent.
    api.slowAnswer("PATCH", /\/complete$/, gate);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("checkbox", { name: "Buy milk" }));
    await waitFor(() => expect(api.calls("PATCH", /\/complete$/)).toHaveLength(1));
    await user.click(screen.getByRole("button", { name: 'Delete "Water plants"' }));
    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(await screen.findByRole("checkbox", { name: "Water plants" })).toBeInTheDocument();
    release();

    await waitFor(() => expect(screen.getByRole("checkbox", { name: "Buy milk" })).not.toHaveAttribute("aria-busy"));
    await waitFor(() =>
      expect(screen.getByRole("checkbox", { name: "Water plants" })).not.toHaveAttribute("aria-busy"),
    );
    expect(api.calls("DELETE", /\/tasks\//)).toHaveLength(0);
    expect(api.calls("POST", /\/tasks\/restore$/)).toHaveLength(0);
    expect(api.find(task.id)).toEqual(task);
  });

  it("keeps Undo on screen while the person points at it or focuses it", async () => {
    const { user } = await deleteOnFakeTimers();
    const undo = screen.getByRole("button", { name: "Undo" });

    await user.hover(undo);
    await act(() => vi.advanceTimersByTimeAsync(config.undoWindowMs * 2));
    expect(screen.getByText("Task deleted")).toBeVisible();

    await user.unhover(undo);
    await act(() => vi.advanceTimersByTimeAsync(config.undoWindowMs + 100));
    expect(screen.queryByText("Task deleted")).not.toBeInTheDocument();
  });

  it("filters with links that mark the current one and keep it in the URL", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" }), makeTask({ title: "Pay rent", completed: true })]);
    const user = openTaskList(api);
    await screen.findByRole("checkbox", { name: "Buy milk" });
    expect(screen.getByRole("link", { name: "All" })).toHaveAttribute("aria-current", "page");

    await user.click(screen.getByRole("link", { name: "Active" }));

    expect(window.location.search).toBe("?status=active");
    expect(screen.getByRole("link", { name: "Active" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("link", { name: "All" })).not.toHaveAttribute("aria-current");
    expect(screen.getByRole("checkbox", { name: "Buy milk" })).toBeInTheDocument();
    expect(screen.queryByRole("checkbox", { name: "Pay rent" })).not.toBeInTheDocument();
    // The replica holds every task: filtering asks nothing of the server.
    expect(api.calls("GET", /\/tasks$/)).toHaveLength(0);

    await user.click(screen.getByRole("link", { name: "Completed" }));
    expect(await screen.findByRole("checkbox", { name: "Pay rent" })).toBeChecked();
    expect(screen.queryByRole("checkbox", { name: "Buy milk" })).not.toBeInTheDocument();
  });

  it("opens on the filter the URL names", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" }), makeTask({ title: "Pay rent", completed: true })]);
    openTaskList(api, "/tasks?status=completed");
    expect(await screen.findByRole("checkbox", { name: "Pay rent" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Completed" })).toHaveAttribute("aria-current", "page");
    expect(screen.queryByRole("checkbox", { name: "Buy milk" })).not.toBeInTheDocument();
  });

  it("marks overdue tasks with words, not colour alone", async () => {
    const api = new FakeApi([
      makeTask({ title: "File taxes", due: { date: "2020-04-15", time: null, timeZone: null } }),
    ]);
    openTaskList(api);
    await screen.findByRole("checkbox", { name: "File taxes" });
    expect(screen.getByText("Overdue")).toBeInTheDocument();
  });

  it("marks all complete and clears completed, after saying how many", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" }), makeTask({ title: "Pay rent" })]);
    const user = openTaskList(api);
    await screen.findByRole("checkbox", { name: "Buy milk" });
    expect(screen.queryByRole("button", { name: "Clear completed" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Mark all complete" }));
    const confirm = screen.getByRole("alertdialog", { name: "Complete 2 shown tasks?" });
    await user.click(within(confirm).getByRole("button", { name: "Complete 2 tasks" }));
    expect(screen.getByRole("checkbox", { name: "Buy milk" })).toBeChecked();
    expect(screen.getByText("0 tasks left")).toBeInTheDocument();
    expect(await screen.findByText("Completed 2 tasks")).toBeVisible();

    await user.click(screen.getByRole("button", { name: "Clear completed" }));
    const clear = screen.getByRole("alertdialog", { name: "Delete 2 completed tasks shown?" });
    await user.click(within(clear).getByRole("button", { name: "Delete 2 tasks" }));
    expect(screen.queryByRole("checkbox")).not.toBeInTheDocument();
    await waitFor(() => expect(api.tasks).toHaveLength(0));
    expect(await screen.findByText("Deleted 2 completed tasks")).toBeVisible();
  });

  it("leaves recurring tasks out of Mark all complete, as the server does (one occurrence is the checkbox's job)", async () => {
    const repeating = makeTask({
      title: "Buy bread",
      due: { date: "2030-12-02", time: null, timeZone: null },
      recurrence: { rule: "FREQ=WEEKLY;BYDAY=MO", from: "due" },
    });
    const api = new FakeApi([makeTask({ title: "Buy milk" }), repeating]);
    const user = openTaskList(api, "/tasks?q=buy");
    await screen.findByRole("checkbox", { name: "Buy bread" });

    await user.click(screen.getByRole("button", { name: "Mark all complete" }));
    const confirm = screen.getByRole("alertdialog", { name: "Complete 1 shown task?" });
    await user.click(within(confirm).getByRole("button", { name: "Complete 1 task" }));

    expect(await screen.findByText("Completed 1 task")).toBeVisible();
    expect(screen.getByRole("checkbox", { name: "Buy bread" })).not.toBeChecked();
    await waitFor(() => expect(api.tasks.find((t) => t.title === "Buy milk")?.completed).toBe(true));
    expect(api.tasks.find((t) => t.title === "Buy bread")).toMatchObject({ completed: false, version: 1 });
  });

  it("completes only the tasks a search shows, and Undo sets exactly those back", async () => {
    const done = makeTask({ title: "Buy stamps", completed: true });
    const api = new FakeApi([
      makeTask({ title: "Buy milk" }),
      makeTask({ title: "Buy bread" }),
      makeTask({ title: "Call Alice" }),
      done,
    ]);
    const user = openTaskList(api, "/tasks?q=buy");
    await screen.findByRole("checkbox", { name: "Buy milk" });
    // The counter counts what the search shows.
    expect(await screen.findByText("2 tasks left")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Mark all complete" }));
    const confirm = screen.getByRole("alertdialog", { name: "Complete 2 shown tasks?" });
    expect(within(confirm).getByRole("button", { name: "Complete 2 tasks" })).toHaveFocus();
    await user.click(within(confirm).getByRole("button", { name: "Complete 2 tasks" }));

    expect(await screen.findByText("Completed 2 tasks")).toBeVisible();
    // Mark all complete is gone (nothing left to complete): focus waits at Undo, not on the page.
    await waitFor(() => expect(screen.getByRole("button", { name: "Undo" })).toHaveFocus());
    const [bulk] = api.calls("PATCH", /\/tasks$/);
    expect(bulk?.search.get("q")).toBe("buy");
    expect(bulk?.body).toEqual({ completed: true });
    expect(api.tasks.find((t) => t.title === "Call Alice")?.completed).toBe(false);
    expect(
      api.tasks
        .filter((t) => t.completed)
        .map((t) => t.title)
        .sort(),
    ).toEqual(["Buy bread", "Buy milk", "Buy stamps"]);

    await user.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(api.tasks.filter((t) => t.completed).map((t) => t.title)).toEqual(["Buy stamps"]));
    const changed = api.tasks.filter((t) => t.title === "Buy milk" || t.title === "Buy bread").map((t) => t.id);
    const undo = api.calls("PATCH", /\/tasks$/).at(-1)?.body as { completed: boolean; ids: string[] };
    expect(undo.completed).toBe(false);
    expect([...undo.ids].sort()).toEqual([...changed].sort());
    expect(await screen.findByText("2 tasks left")).toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Buy milk" })).not.toBeChecked();
  });

  it("clears only the completed tasks a search shows, and Undo restores them under their ids", async () => {
    const shown = makeTask({ title: "Buy milk", completed: true, tags: ["errands"] });
    const hidden = makeTask({ title: "Pay rent", completed: true });
    const api = new FakeApi([shown, hidden, makeTask({ title: "Buy bread" })]);
    const user = openTaskList(api, "/tasks?q=buy");
    await screen.findByRole("checkbox", { name: "Buy milk" });

    await user.click(screen.getByRole("button", { name: "Clear completed" }));
    const confirm = screen.getByRole("alertdialog", { name: "Delete 1 completed task shown?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete 1 task" }));

    expect(await screen.findByText("Deleted 1 completed task")).toBeVisible();
    const [bulk] = api.calls("DELETE", /\/tasks$/);
    expect(bulk?.search.get("status")).toBe("completed");
    expect(bulk?.search.get("q")).toBe("buy");
    expect(api.tasks.map((t) => t.title).sort()).toEqual(["Buy bread", "Pay rent"]);
    expect(screen.queryByRole("checkbox", { name: "Buy milk" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(await screen.findByRole("checkbox", { name: "Buy milk" })).toBeChecked();
    await waitFor(() => expect(api.tasks.find((t) => t.id === shown.id)).toMatchObject({ tags: ["errands"] }));
    expect(api.tasks.find((t) => t.id === shown.id)?.version).toBe(shown.version + 1);
  });

  it("sends a change still on its way before clearing, so the clear includes it", async () => {
    const api = new FakeApi([makeTask({ title: "Buy bread" }), makeTask({ title: "Call Alice" })]);
    api.delayMs = 300; // the toggle is still being sent when Clear completed is confirmed
    const user = openTaskList(api);
    await user.click(await screen.findByRole("checkbox", { name: "Buy bread" }));
    await user.click(screen.getByRole("button", { name: "Clear completed" }));
    await user.click(screen.getByRole("button", { name: "Delete 1 task" }));

    expect(await screen.findByText("Deleted 1 completed task")).toBeInTheDocument();
    expect(api.tasks.map((t) => t.title)).toEqual(["Call Alice"]);
    expect(screen.queryByRole("checkbox", { name: "Buy bread" })).not.toBeInTheDocument();
    expect(screen.getByRole("alert")).toBeEmptyDOMElement();
  });

  it("asks nothing of the server when the confirmation is cancelled", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    const user = openTaskList(api);
    await screen.findByRole("checkbox", { name: "Buy milk" });
    const button = screen.getByRole("button", { name: "Mark all complete" });
    await user.click(button);
    await user.keyboard("{Escape}");

    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(button).toHaveFocus();
    expect(api.calls("PATCH", /\/tasks$/)).toHaveLength(0);
    expect(screen.getByRole("checkbox", { name: "Buy milk" })).not.toBeChecked();
  });

  it("answers keyboard shortcuts, but not while typing", async () => {
    const api = new FakeApi([makeTask({ title: "First" }), makeTask({ title: "Second" })]);
    const user = openTaskList(api);
    await screen.findByRole("checkbox", { name: "Second" });

    await user.keyboard("n");
    const newTask = screen.getByRole("textbox", { name: "New task" });
    expect(newTask).toHaveFocus();
    await user.keyboard("jx");
    expect(newTask).toHaveValue("jx");

    await user.clear(newTask);
    await user.keyboard("{Escape}");
    expect(newTask).not.toHaveFocus();
    await user.keyboard("j");
    expect(screen.getByRole("checkbox", { name: "Second" })).toHaveFocus();
    await user.keyboard("j");
    expect(screen.getByRole("checkbox", { name: "First" })).toHaveFocus();
    await user.keyboard("x");
    expect(screen.getByRole("checkbox", { name: "First" })).toBeChecked();
    await user.keyboard("k");
    expect(screen.getByRole("checkbox", { name: "Second" })).toHaveFocus();
    await user.keyboard("/");
    expect(screen.getByRole("textbox", { name: "Search tasks" })).toHaveFocus();
  });

  it("lists the shortcuts on ?", async () => {
    const user = openTaskList(new FakeApi([makeTask({ title: "First" })]));
    await screen.findByRole("checkbox", { name: "First" });
    expect(screen.queryByRole("dialog", { name: "Keyboard shortcuts" })).not.toBeInTheDocument();
    await user.keyboard("?");
    const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(within(dialog).getByText("Edit the focused task")).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("dialog", { name: "Keyboard shortcuts" })).not.toBeInTheDocument();
  });

  describe("drafts", () => {
    const stored = () => Object.entries(sessionStorage).map(([key, value]) => ({ key, value: String(value) }));

    it("keeps the new task's title and description per user, and restores them with a note", async () => {
      const api = new FakeApi();
      const user = openTaskList(api);
      await user.type(await newTaskField(), "Write the report");
      await user.click(screen.getByRole("button", { name: "Details" }));
      await user.type(screen.getByRole("textbox", { name: "Description" }), "Figures from Q3");

      expect(stored()).toEqual([{ key: "brisk-drafts:user-1", value: expect.stringContaining("Figures from Q3") }]);
      expect(stored()[0]?.value).not.toMatch(/eyJ/); // never the token
      cleanup();

      const again = openTaskList(api);
      expect(await screen.findByText("Restored what you were typing")).toBeVisible();
      expect(screen.getByRole("textbox", { name: "New task" })).toHaveValue("Write the report");
      expect(screen.getByRole("textbox", { name: "Description" })).toHaveValue("Figures from Q3");

      await again.type(screen.getByRole("textbox", { name: "New task" }), "{Enter}");
      expect(await screen.findByText("Added “Write the report”")).toBeInTheDocument();
      expect(api.tasks[0]).toMatchObject({ title: "Write the report", description: "Figures from Q3" });
      expect(stored()).toEqual([]);
      expect(screen.queryByText("Restored what you were typing")).not.toBeInTheDocument();
    });

    it("keeps a task sent as the session ended in the queue, for after signing in again", async () => {
      const api = new FakeApi();
      const user = openTaskList(api);
      const field = await newTaskField();
      await screen.findByText("No tasks yet — add one above");
      await user.type(field, "Sent as the session ended");
      api.signedIn = false;
      api.override("POST", /\/tasks$/, () => problem(401, "invalid_token", "The token has expired"));
      await user.type(field, "{Enter}");

      await waitFor(() => expect(navigation.assign).toHaveBeenCalled());
      const queued = await storedChanges(userId);
      expect(queued.map((change) => `${change.kind} ${change.kind === "create" && change.task.title}`)).toEqual([
        "create Sent as the session ended",
      ]);
    });

    it("forgets a draft the person empties", async () => {
      const user = openTaskList(new FakeApi());
      const field = await newTaskField();
      await user.type(field, "Never mind");
      expect(stored()).toHaveLength(1);
      await user.clear(field);
      expect(stored()).toEqual([]);
    });

    it("keeps an open edit and reopens it after a reload; Escape discards it", async () => {
      const api = new FakeApi([makeTask({ title: "Call the plumber" })]);
      const user = openTaskList(api);
      await user.click(await screen.findByRole("button", { name: 'Edit "Call the plumber"' }));
      await user.type(screen.getByRole("textbox", { name: "Title" }), " about the boiler");
      cleanup();

      const again = openTaskList(api);
      expect(await screen.findByText("Restored what you were typing")).toBeVisible();
      const title = await screen.findByRole("textbox", { name: "Title" });
      expect(title).toHaveValue("Call the plumber about the boiler");
      await again.keyboard("{Escape}");
      expect(screen.getByRole("checkbox", { name: "Call the plumber" })).toBeInTheDocument();
      expect(stored()).toEqual([]);
    });

    it("forgets an edit draft the server refused, having said so, so a reload shows the list", async () => {
      const api = new FakeApi([makeTask({ title: "Call the plumber" })]);
      api.override("PATCH", /\/tasks\/[^/]+$/, () => problem(422, "validation_failed", "Refused"));
      const user = openTaskList(api);
      await user.click(await screen.findByRole("button", { name: 'Edit "Call the plumber"' }));
      await user.type(screen.getByRole("textbox", { name: "Title" }), " now{Enter}");
      const alert = await screen.findByRole("alert");
      await waitFor(() => expect(alert).toHaveTextContent("could not be saved"));
      await waitFor(() => expect(stored()).toEqual([]));
    });

    it("keeps an edit draft when the session ends as it is saved", async () => {
      const api = new FakeApi([makeTask({ title: "Call the plumber" })]);
      const user = openTaskList(api);
      await user.click(await screen.findByRole("button", { name: 'Edit "Call the plumber"' }));
      await user.type(screen.getByRole("textbox", { name: "Title" }), " now");
      api.signedIn = false;
      api.override("PATCH", /\/tasks\/[^/]+$/, () => problem(401, "invalid_token", "The token has expired"));
      await user.keyboard("{Enter}");
      await waitFor(() => expect(navigation.assign).toHaveBeenCalled());
      expect(stored()[0]?.value).toContain("Call the plumber now");
    });

    it("clears an edit draft once the change is saved", async () => {
      const api = new FakeApi([makeTask({ title: "Call the plumber" })]);
      const user = openTaskList(api);
      await user.click(await screen.findByRole("button", { name: 'Edit "Call the plumber"' }));
      await user.type(screen.getByRole("textbox", { name: "Title" }), " today{Enter}");
      await waitFor(() => expect(api.tasks[0]?.title).toBe("Call the plumber today"));
      await waitFor(() => expect(stored()).toEqual([]));
    });
  });
});
