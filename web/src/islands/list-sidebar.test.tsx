import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { List, Task } from "../lib/api-client.ts";
import { defaultView, type View } from "../lib/task-view.ts";
import { FakeServer, fakeInbox, makeTask } from "../test/fake-server.ts";
import { ListSidebar } from "./list-sidebar.tsx";
import { TaskList } from "./task-list.tsx";

const actions = vi.hoisted(() => ({
  createList: vi.fn(),
  updateList: vi.fn(),
  deleteList: vi.fn(),
}));
vi.mock("../lib/list-actions.ts", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../lib/list-actions.ts")>()),
  ...actions,
}));

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
  render(<ListSidebar userId="user-1" lists={lists} tasks={tasks} view={view} onSelect={onSelect} />);
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
    actions.createList.mockResolvedValue(created);
    const { onSelect, user } = renderSidebar();
    await user.type(screen.getByRole("textbox", { name: "New list" }), "  Garden {Enter}");
    await waitFor(() =>
      expect(actions.createList).toHaveBeenCalledWith("user-1", { name: "Garden", colour: "grey", position: "a3" }),
    );
    await waitFor(() => expect(onSelect).toHaveBeenCalledWith(created.id));
    expect(screen.getByRole("textbox", { name: "New list" })).toHaveValue("");
  });

  it("renames and recolours a list", async () => {
    actions.updateList.mockResolvedValue({ ...work, name: "Job", colour: "red", version: 2 });
    const { user } = renderSidebar();
    await user.click(screen.getByRole("button", { name: "Edit list Work" }));
    const name = await screen.findByRole("textbox", { name: "List name" });
    expect(name).toHaveFocus();
    await user.clear(name);
    await user.type(name, "Job");
    await user.selectOptions(screen.getByRole("combobox", { name: "Colour" }), "Red");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(actions.updateList).toHaveBeenCalledWith("user-1", work, { name: "Job", colour: "red" });
  });

  it("deleting a list asks whether its tasks move to the Inbox or are deleted", async () => {
    actions.deleteList.mockResolvedValue(undefined);
    const { user, onSelect } = renderSidebar({ ...defaultView, list: work.id });
    await user.click(screen.getByRole("button", { name: "Edit list Work" }));
    await user.click(await screen.findByRole("button", { name: "Delete list" }));
    const question = screen.getByRole("alertdialog", {
      name: /Delete the list “Work”\? What becomes of its 3 tasks\?/,
    });
    await user.click(within(question).getByRole("button", { name: "Delete list, move tasks to Inbox" }));
    await waitFor(() => expect(onSelect).toHaveBeenCalledWith(null));
    expect(actions.deleteList).toHaveBeenCalledWith("user-1", work, "move");

    await user.click(await screen.findByRole("button", { name: "Edit list Home" }));
    await user.click(await screen.findByRole("button", { name: "Delete list" }));
    await user.click(screen.getByRole("button", { name: "Delete list and its tasks" }));
    await waitFor(() => expect(actions.deleteList).toHaveBeenLastCalledWith("user-1", home, "delete"));
  });

  it("a list in the URL that is not the person's shows every list; not before the lists are known", () => {
    const onSelect = vi.fn();
    const gone = { ...defaultView, list: crypto.randomUUID() };
    const { rerender } = render(
      <ListSidebar userId="user-1" lists={undefined} tasks={tasks} view={gone} onSelect={onSelect} />,
    );
    expect(onSelect).not.toHaveBeenCalled();
    rerender(<ListSidebar userId="user-1" lists={lists} tasks={tasks} view={gone} onSelect={onSelect} />);
    expect(onSelect).toHaveBeenCalledWith(null);
  });

  it("the Inbox offers no Delete", async () => {
    const { user } = renderSidebar();
    await user.click(screen.getByRole("button", { name: "Edit list Inbox" }));
    await screen.findByRole("textbox", { name: "List name" });
    expect(screen.queryByRole("button", { name: "Delete list" })).not.toBeInTheDocument();
  });

  it("a refused write says why in an alert", async () => {
    actions.createList.mockRejectedValue(new Error("boom"));
    const { user } = renderSidebar();
    await user.type(screen.getByRole("textbox", { name: "New list" }), "X{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("The list could not be added.");
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
