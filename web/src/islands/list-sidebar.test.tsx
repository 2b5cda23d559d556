import { onlineManager } from "@tanstack/react-query";
import { act, cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { List, Task } from "../lib/api-client.ts";
import { config } from "../lib/config.ts";
import { defaultView, type View } from "../lib/task-view.ts";
import { pendingChangesEvent } from "../pwa/connection-status.ts";
import { FakeServer, fakeInbox, makeTask, problem } from "../test/fake-server.ts";
import { openTaskList } from "../test/task-list-page.tsx";
import { ListSidebar, type ListSidebarProps } from "./list-sidebar.tsx";
import { TaskList } from "./task-list.tsx";

/** The task store's list writes (use-task-store.ts), which the sidebar calls. */
const actions = {
  addList: vi.fn<ListSidebarProps["addList"]>(),
  editList: vi.fn<ListSidebarProps["editList"]>(),
  deleteList: vi.fn<ListSidebarProps["deleteList"]>(),
};

const inbox: List = { ...fakeInbox };
const list = (name: string, position: string, colour: List["colour"] = "grey"): List => ({
  ...inbox,
  id: crypto.randomUUID(),
  name,
  position,
  colour,
  inbox: false,
});
const work = list("Work", "a2", "blue");
const home = list("Home", "a1", "green");
const lists = Object.fromEntries([work, inbox, home].map((l) => [l.id, l]));
const tasks: Task[] = [
  makeTask({ title: "Report", list: work.id }),
  makeTask({ title: "Slides", list: work.id }),
  makeTask({ title: "Done", list: work.id, completed: true, completedAt: "2026-11-20T09:00:00.000Z" }),
  makeTask({ title: "Milk", list: inbox.id }),
];

function renderSidebar(view: View = defaultView) {
  const onSelect = vi.fn();
  render(<ListSidebar userId="user-1" lists={lists} tasks={tasks} view={view} onSelect={onSelect} {...actions} />);
  return { onSelect, user: userEvent.setup() };
}

const linkNames = () =>
  within(screen.getByRole("navigation", { name: "Lists" }))
    .getAllByRole("link")
    .map((link) => link.textContent);

describe("the list sidebar", () => {
  beforeEach(() => {
    for (const action of Object.values(actions)) action.mockReset();
  });
  afterEach(cleanup);

  it("shows every list, Inbox first then by position, each with its active tasks counted", () => {
    renderSidebar();
    expect(linkNames()).toEqual(["Every list", "Inbox1 left", "Home0 left", "Work2 left"]);
    expect(screen.getByRole("link", { name: "Every list" })).toHaveAttribute("aria-current", "page");
  });

  it("marks the selected list and selects another by click, without leaving the page", async () => {
    const { onSelect, user } = renderSidebar({ ...defaultView, list: work.id });
    expect(screen.getByRole("link", { name: /^Work/ })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("link", { name: /^Work/ })).toHaveAttribute("href", `/tasks?list=${work.id}`);
    await user.click(screen.getByRole("link", { name: /^Home/ }));
    expect(onSelect).toHaveBeenCalledWith(home.id);
    await user.click(screen.getByRole("link", { name: "Every list" }));
    expect(onSelect).toHaveBeenLastCalledWith(null);
  });

  it("g then i opens the Inbox, g then a digit the nth list; never while typing", async () => {
    const { onSelect, user } = renderSidebar();
    await user.keyboard("gi");
    expect(onSelect).toHaveBeenLastCalledWith(inbox.id);
    await user.keyboard("g3");
    expect(onSelect).toHaveBeenLastCalledWith(work.id);
    await user.keyboard("g9");
    expect(onSelect).toHaveBeenCalledTimes(2);
    await user.click(screen.getByRole("textbox", { name: "New list" }));
    await user.keyboard("gi");
    expect(onSelect).toHaveBeenCalledTimes(2);
  });

  it("adds a list after the last one and selects it", async () => {
    const created = list("Garden", "a3");
    actions.addList.mockReturnValue(created.id);
    const { onSelect, user } = renderSidebar();
    await user.type(screen.getByRole("textbox", { name: "New list" }), "  Garden {Enter}");
    expect(actions.addList).toHaveBeenCalledWith({ name: "Garden", colour: "grey", position: "a3" });
    expect(onSelect).toHaveBeenCalledWith(created.id);
    expect(screen.getByRole("textbox", { name: "New list" })).toHaveValue("");
  });

  it("renames and recolours a list", async () => {
    const { user } = renderSidebar();
    await user.click(screen.getByRole("button", { name: "Edit list Work" }));
    const name = await screen.findByRole("textbox", { name: "List name" });
    expect(name).toHaveFocus();
    await user.clear(name);
    await user.type(name, "Job");
    await user.selectOptions(screen.getByRole("combobox", { name: "Colour" }), "Red");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(actions.editList).toHaveBeenCalledWith(work, { name: "Job", colour: "red" });
  });

  it("deleting a list asks whether its tasks move to the Inbox or are deleted", async () => {
    const { user, onSelect } = renderSidebar({ ...defaultView, list: work.id });
    await user.click(screen.getByRole("button", { name: "Edit list Work" }));
    await user.click(await screen.findByRole("button", { name: "Delete list" }));
    const question = screen.getByRole("alertdialog", {
      name: /Delete the list “Work”\? What becomes of its 3 tasks\?/,
    });
    await user.click(within(question).getByRole("button", { name: "Delete list, move tasks to Inbox" }));
    await waitFor(() => expect(onSelect).toHaveBeenCalledWith(null));
    expect(actions.deleteList).toHaveBeenCalledWith(work, "move");

    await user.click(await screen.findByRole("button", { name: "Edit list Home" }));
    await user.click(await screen.findByRole("button", { name: "Delete list" }));
    await user.click(screen.getByRole("button", { name: "Delete list and its tasks" }));
    await waitFor(() => expect(actions.deleteList).toHaveBeenLastCalledWith(home, "delete"));
  });

  it("a list in the URL that is not the person's shows every list; not before the lists and the queue are known", () => {
    const onSelect = vi.fn();
    const gone = { ...defaultView, list: crypto.randomUUID() };
    const { rerender } = render(
      <ListSidebar userId="user-1" lists={undefined} tasks={tasks} view={gone} onSelect={onSelect} {...actions} />,
    );
    expect(onSelect).not.toHaveBeenCalled();
    // The replica is there but the stored queue is not read yet: the list may be one made offline.
    rerender(
      <ListSidebar
        userId="user-1"
        lists={lists}
        listsSettled={false}
        tasks={tasks}
        view={gone}
        onSelect={onSelect}
        {...actions}
      />,
    );
    expect(onSelect).not.toHaveBeenCalled();
    rerender(<ListSidebar userId="user-1" lists={lists} tasks={tasks} view={gone} onSelect={onSelect} {...actions} />);
    expect(onSelect).toHaveBeenCalledWith(null);
  });

  it("the Inbox offers no Delete", async () => {
    const { user } = renderSidebar();
    await user.click(screen.getByRole("button", { name: "Edit list Inbox" }));
    await screen.findByRole("textbox", { name: "List name" });
    expect(screen.queryByRole("button", { name: "Delete list" })).not.toBeInTheDocument();
  });

  it("the Lists button opens and closes the drawer (phone widths), Escape closes it", async () => {
    const { user } = renderSidebar();
    const toggle = screen.getByRole("button", { name: "Lists" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    await user.click(screen.getByRole("textbox", { name: "New list" }));
    await user.keyboard("{Escape}");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(toggle).toHaveFocus();
  });
});

describe("the list sidebar on /tasks", () => {
  afterEach(async () => {
    cleanup();
    localStorage.clear();
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it("shows the Inbox from the replica with its count, and choosing it filters the list in the URL", async () => {
    window.history.replaceState(null, "", "/tasks");
    const other = "00000000-0000-4000-8000-0000000000aa";
    const api = new FakeServer([makeTask({ title: "In the inbox" }), makeTask({ title: "Elsewhere", list: other })]);
    api.install();
    const user = userEvent.setup();
    render(<TaskList />);
    await screen.findByRole("checkbox", { name: "In the inbox" });
    const link = await screen.findByRole("link", { name: /^Inbox/ });
    expect(link).toHaveTextContent("Inbox1 left");
    await user.click(link);
    expect(window.location.search).toBe(`?list=${fakeInbox.id}`);
    expect(screen.queryAllByRole("checkbox").map((box) => box.getAttribute("aria-label"))).toEqual(["In the inbox"]);
  });
});

/** List writes through the task store's queue (lib/outbox.ts) against the fake server's list routes. */
describe("list writes on /tasks", () => {
  afterEach(async () => {
    cleanup();
    onlineManager.setOnline(true);
    localStorage.clear();
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  const start = (api: FakeServer, options: Parameters<typeof userEvent.setup>[0] = {}) =>
    openTaskList(api, "/tasks", options);
  const sidebar = () => within(screen.getByRole("navigation", { name: "Lists" }));
  const trip = (): List => ({ ...inbox, id: crypto.randomUUID(), name: "Trip", position: "a5", inbox: false });

  it("adds a list offline: shown at once, counted as waiting, sent once under its id when back online", async () => {
    const counts: number[] = [];
    const record = (event: Event) => counts.push((event as CustomEvent<{ count: number }>).detail.count);
    window.addEventListener(pendingChangesEvent, record);
    try {
      const api = new FakeServer([makeTask({ title: "Milk" })]);
      const user = start(api);
      await screen.findByRole("checkbox", { name: "Milk" });
      onlineManager.setOnline(false);
      await user.type(sidebar().getByRole("textbox", { name: "New list" }), "Garden{Enter}");

      const link = await sidebar().findByRole("link", { name: /^Garden/ });
      expect(link).toHaveAttribute("aria-current", "page");
      await waitFor(() => expect(counts.at(-1)).toBe(1));
      expect(api.calls("POST", /\/lists$/)).toEqual([]);

      onlineManager.setOnline(true);
      await waitFor(() => expect(api.lists.map((l) => l.name)).toEqual(["Inbox", "Garden"]));
      await waitFor(() => expect(counts.at(-1)).toBe(0));
      const posts = api.calls("POST", /\/lists$/);
      expect(posts).toHaveLength(1);
      const [post] = posts;
      expect(link.getAttribute("href")).toBe(`/tasks?list=${(post?.body as { id: string } | undefined)?.id}`);
    } finally {
      window.removeEventListener(pendingChangesEvent, record);
    }
  });

  it("deleting a list and its tasks takes both away at once with Undo; Undo brings them back, nothing sent", async () => {
    const list = trip();
    const api = new FakeServer(
      [makeTask({ title: "Tickets", list: list.id }), makeTask({ title: "Hotel", list: list.id })],
      [list],
    );
    const user = start(api);
    await screen.findByRole("checkbox", { name: "Tickets" });
    await user.click(sidebar().getByRole("button", { name: "Edit list Trip" }));
    await user.click(await screen.findByRole("button", { name: "Delete list" }));
    await user.click(screen.getByRole("button", { name: "Delete list and its tasks" }));

    expect(sidebar().queryByRole("link", { name: /^Trip/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("checkbox", { name: "Tickets" })).not.toBeInTheDocument();
    const toast = screen.getByText("Deleted list “Trip” and its 2 tasks");
    expect(toast.closest("[role=status]")).not.toBeNull();

    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(await sidebar().findByRole("link", { name: /^Trip/ })).toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Tickets" })).toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Hotel" })).toBeInTheDocument();
    expect(api.calls("DELETE", /\/lists\//)).toEqual([]);
    expect(api.findList(list.id)).toBeDefined();
  });

  it("without Undo the deletion is sent once the offer goes: the tasks are in the Inbox", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const list = trip();
    const api = new FakeServer([makeTask({ title: "Tickets", list: list.id })], [list]);
    const user = start(api, { advanceTimers: vi.advanceTimersByTime });
    await screen.findByRole("checkbox", { name: "Tickets" });
    await user.click(sidebar().getByRole("button", { name: "Edit list Trip" }));
    await user.click(await screen.findByRole("button", { name: "Delete list" }));
    await user.click(screen.getByRole("button", { name: "Delete list, move tasks to Inbox" }));
    expect(screen.getByText("Deleted list “Trip” — 1 task moved to Inbox")).toBeInTheDocument();
    expect(await sidebar().findByRole("link", { name: /^Inbox/ })).toHaveTextContent("Inbox1 left");
    expect(api.calls("DELETE", /\/lists\//)).toEqual([]);

    await act(() => vi.advanceTimersByTimeAsync(config.undoWindowMs + 100));
    await waitFor(() => expect(api.findList(list.id)).toBeUndefined());
    expect(api.calls("DELETE", /\/lists\//).map((call) => call.search.get("tasks"))).toEqual(["move"]);
    expect(api.tasks[0]?.list).toBe(fakeInbox.id);
    expect(screen.getByRole("checkbox", { name: "Tickets" })).toBeInTheDocument();
  });

  it("a list the server refuses is handed back in the alert", async () => {
    const api = new FakeServer([makeTask({ title: "Milk" })]);
    api.override("POST", /\/lists$/, () =>
      problem(422, "validation_failed", "The request breaks a rule", {
        errors: [{ path: "name", message: "That name is not allowed" }],
      }),
    );
    const user = start(api);
    await screen.findByRole("checkbox", { name: "Milk" });
    await user.type(sidebar().getByRole("textbox", { name: "New list" }), "Garden{Enter}");
    const alert = await screen.findByText(/The list “Garden” could not be added/);
    expect(alert).toHaveTextContent("That name is not allowed");
    await waitFor(() => expect(sidebar().queryByRole("link", { name: /^Garden/ })).not.toBeInTheDocument());
  });
});
