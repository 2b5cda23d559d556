import { act, cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { config } from "../lib/config.ts";
import { FakeServer as FakeApi, makeTask } from "../test/fake-server.ts";
import { openTaskList } from "../test/task-list-page.tsx";

/** The back button: the browser moves in its history and tells the page. */
async function goBack() {
  await act(async () => {
    const popped = new Promise((resolve) => window.addEventListener("popstate", resolve, { once: true }));
    window.history.back();
    await popped;
  });
}

const shownTitles = () => screen.queryAllByRole("checkbox").map((box) => box.getAttribute("aria-label"));

describe("filters a person can click", () => {
  beforeEach(() => window.history.replaceState(null, "", "/tasks"));
  afterEach(async () => {
    cleanup();
    localStorage.clear();
    delete document.documentElement.dataset.density;
    // Let the persister's last write land before the next test empties IndexedDB.
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it("filters by a task's tag, shows the filter as a removable chip in the URL, and the back button returns", async () => {
    const api = new FakeApi([
      makeTask({ title: "Write report", tags: ["work", "q4"] }),
      makeTask({ title: "Buy milk", tags: ["home"] }),
      makeTask({ title: "Plan offsite", tags: ["work"] }),
    ]);
    const user = openTaskList(api);
    await screen.findByRole("checkbox", { name: "Write report" });

    const item = screen.getByRole("checkbox", { name: "Write report" }).closest("li") as HTMLElement;
    await user.click(within(item).getByRole("link", { name: "Tag: work" }));

    expect(window.location.search).toBe("?tag=work");
    expect(shownTitles().sort()).toEqual(["Plan offsite", "Write report"]);
    expect(screen.getByRole("button", { name: 'Remove filter "tag: work"' })).toBeInTheDocument();
    expect(screen.getByText("2 tasks left")).toBeInTheDocument();
    // The replica holds every task: filtering asks nothing of the server.
    expect(api.calls("GET", /\/tasks$/)).toHaveLength(0);

    await goBack();
    expect(window.location.search).toBe("");
    expect(shownTitles()).toHaveLength(3);
    expect(screen.queryByRole("button", { name: 'Remove filter "tag: work"' })).not.toBeInTheDocument();
  });

  it("removes a filter with its chip, keeping the others", async () => {
    const api = new FakeApi([
      makeTask({ title: "Write report", tags: ["work"], priority: "high" }),
      makeTask({ title: "Plan offsite", tags: ["work"], priority: "low" }),
      makeTask({ title: "Buy milk", priority: "high" }),
    ]);
    const user = openTaskList(api, "/tasks?tag=work&priority=high");
    await screen.findByRole("checkbox", { name: "Write report" });
    expect(shownTitles()).toEqual(["Write report"]);

    await user.click(screen.getByRole("button", { name: 'Remove filter "tag: work"' }));

    expect(window.location.search).toBe("?priority=high");
    expect(shownTitles().sort()).toEqual(["Buy milk", "Write report"]);
    // Focus is not lost with the chip: it moves to the next chip.
    expect(screen.getByRole("button", { name: 'Remove filter "priority: high"' })).toHaveFocus();
  });

  it("filters by a task's priority and by its due label", async () => {
    const today = new Date();
    const pad = (n: number) => String(n).padStart(2, "0");
    // All day today, in this browser's calendar.
    const tonight = {
      date: `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`,
      time: null,
      timeZone: null,
    };
    const api = new FakeApi([
      makeTask({ title: "Pay rent", priority: "high", due: tonight }),
      makeTask({ title: "Buy milk", priority: "high" }),
      makeTask({ title: "Call mum", priority: "low", due: tonight }),
    ]);
    const user = openTaskList(api);
    await screen.findByRole("checkbox", { name: "Pay rent" });
    const item = () => screen.getByRole("checkbox", { name: "Pay rent" }).closest("li") as HTMLElement;

    await user.click(within(item()).getByRole("link", { name: /High priority/ }));
    expect(window.location.search).toBe("?priority=high");
    expect(shownTitles().sort()).toEqual(["Buy milk", "Pay rent"]);

    await user.click(within(item()).getByRole("link", { name: /^Due / }));
    expect(window.location.search).toBe("?priority=high&due=today");
    expect(shownTitles()).toEqual(["Pay rent"]);
    expect(screen.getByRole("button", { name: 'Remove filter "due: today"' })).toBeInTheDocument();
  });

  it("marks complete and clears exactly the tasks the filters show, sending the filters to the server", async () => {
    const api = new FakeApi([
      makeTask({ title: "Write report", tags: ["work"] }),
      makeTask({ title: "Plan offsite", tags: ["work"] }),
      makeTask({ title: "Buy milk", tags: ["home"] }),
      makeTask({ title: "Old home chore", tags: ["home"], completed: true }),
    ]);
    const user = openTaskList(api, "/tasks?tag=work");
    await screen.findByRole("checkbox", { name: "Write report" });

    await user.click(screen.getByRole("button", { name: "Mark all complete" }));
    await user.click(screen.getByRole("button", { name: "Complete 2 tasks" }));

    await waitFor(() => expect(api.tasks.filter((t) => t.completed).map((t) => t.title)).toHaveLength(3));
    const [patch] = api.calls("PATCH", /\/tasks$/);
    expect(patch?.search.get("tag")).toBe("work");
    expect(patch?.search.get("status")).toBe("pending");
    expect(api.find(api.tasks.find((t) => t.title === "Buy milk")?.id ?? "")?.completed).toBe(false);

    await user.click(await screen.findByRole("button", { name: "Clear completed" }));
    await user.click(screen.getByRole("button", { name: "Delete 2 tasks" }));

    await waitFor(() => expect(api.tasks.map((t) => t.title).sort()).toEqual(["Buy milk", "Old home chore"]));
    const [clear] = api.calls("DELETE", /\/tasks$/);
    expect(clear?.search.get("tag")).toBe("work");
  });
});

describe("undo for completing a task", () => {
  beforeEach(() => window.history.replaceState(null, "", "/tasks"));
  afterEach(async () => {
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it("says a task was completed, with Undo that reopens it on the version it was completed on", async () => {
    const task = makeTask({ title: "Buy milk" });
    const api = new FakeApi([task]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("checkbox", { name: "Buy milk" }));

    expect(within(toast()).getByText("Completed “Buy milk”")).toBeInTheDocument();
    await waitFor(() => expect(api.find(task.id)?.completed).toBe(true));
    const completedVersion = api.find(task.id)?.version;

    await user.click(within(toast()).getByRole("button", { name: "Undo" }));

    expect(screen.getByRole("checkbox", { name: "Buy milk" })).not.toBeChecked();
    await waitFor(() => expect(api.find(task.id)?.completed).toBe(false));
    const reopen = api.calls("PATCH", /\/complete$/).at(-1);
    expect(reopen?.body).toEqual({ completed: false });
    expect(reopen?.headers.get("If-Match")).toBe(`"${completedVersion}"`);
    expect(screen.getByRole("checkbox", { name: "Buy milk" })).toHaveFocus();
  });

  it("takes back a completion not sent yet without asking the server anything", async () => {
    const task = makeTask({ title: "Buy milk" });
    const api = new FakeApi([task]);
    api.delayMs = 400;
    const user = openTaskList(api);
    await screen.findByRole("checkbox", { name: "Buy milk" });
    // Something else is on its way first, so the completion waits in the queue.
    await user.click(screen.getByRole("button", { name: 'Edit "Buy milk"' }));
    await user.keyboard("{Control>}a{/Control}Buy oat milk{Enter}");
    await user.click(screen.getByRole("checkbox", { name: "Buy oat milk" }));
    await user.click(within(toast()).getByRole("button", { name: "Undo" }));

    expect(screen.getByRole("checkbox", { name: "Buy oat milk" })).not.toBeChecked();
    await waitFor(() => expect(api.find(task.id)?.title).toBe("Buy oat milk"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(api.calls("PATCH", /\/complete$/)).toHaveLength(0);
    expect(api.find(task.id)?.completed).toBe(false);
  });

  it("does not overwrite a task reopened on another device meanwhile", async () => {
    const task = makeTask({ title: "Buy milk" });
    const api = new FakeApi([task]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("checkbox", { name: "Buy milk" }));
    await waitFor(() => expect(api.find(task.id)?.completed).toBe(true));
    await waitFor(() => expect(api.liveProtocols).toHaveLength(1));

    api.changeElsewhere(task.id, { completed: false, title: "Buy oat milk" });
    act(() => api.announce());
    await screen.findByRole("checkbox", { name: "Buy oat milk" });
    const sent = api.calls("PATCH", /\/complete$/).length;

    await user.click(within(toast()).getByRole("button", { name: "Undo" }));

    expect(await screen.findByText("“Buy oat milk” was already reopened on another device")).toBeInTheDocument();
    expect(api.calls("PATCH", /\/complete$/)).toHaveLength(sent);
    expect(api.find(task.id)).toMatchObject({ completed: false, title: "Buy oat milk" });
  });
});

describe("compact density", () => {
  afterEach(async () => {
    cleanup();
    localStorage.clear();
    delete document.documentElement.dataset.density;
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it("is a toggle that is remembered and applied to the page", async () => {
    const api = new FakeApi([makeTask({ title: "Buy milk" })]);
    const user = openTaskList(api);
    await screen.findByRole("checkbox", { name: "Buy milk" });
    const toggle = screen.getByRole("button", { name: "Compact list" });
    expect(toggle).toHaveAttribute("aria-pressed", "false");

    await user.click(toggle);

    expect(toggle).toHaveAttribute("aria-pressed", "true");
    expect(document.documentElement.dataset.density).toBe("compact");
    expect(localStorage.getItem(config.densityStorageKey)).toBe("compact");

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    expect(document.documentElement.dataset.density).toBeUndefined();
    expect(localStorage.getItem(config.densityStorageKey)).toBeNull();
  });

  it("starts pressed when the page was opened compact", async () => {
    document.documentElement.dataset.density = "compact";
    openTaskList(new FakeApi([makeTask({ title: "Buy milk" })]));
    await screen.findByRole("checkbox", { name: "Buy milk" });
    expect(screen.getByRole("button", { name: "Compact list" })).toHaveAttribute("aria-pressed", "true");
  });
});

/** The task list's toast (Undo); reminders have a region of their own. */
function toast(): HTMLElement {
  return document.querySelector(".toast-region:not(.toast-region-reminders)") as HTMLElement;
}
