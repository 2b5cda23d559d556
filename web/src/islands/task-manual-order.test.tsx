import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { FakeServer as FakeApi, makeTask, problem } from "../test/fake-server.ts";
import { openTaskList } from "../test/task-list-page.tsx";

/** Manual order (Sort by Manual, decision 030): a drag handle per task, and Alt+↑/↓ on the focused one. */

const titles = () => screen.getAllByRole("checkbox").map((box) => box.getAttribute("aria-label"));

const threeTasks = () => [
  makeTask({ title: "Alpha", position: "a0" }),
  makeTask({ title: "Bravo", position: "a1" }),
  makeTask({ title: "Charlie", position: "a2" }),
];

describe("manual order", () => {
  afterEach(async () => {
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it("moves the focused task down on Alt+↓ with one PATCH of its position, keeping focus, announced", async () => {
    const api = new FakeApi(threeTasks());
    const user = openTaskList(api, "/tasks?sort=manual");
    const alpha = await screen.findByRole("checkbox", { name: "Alpha" });
    expect(titles()).toEqual(["Alpha", "Bravo", "Charlie"]);
    expect(screen.getByRole("combobox", { name: "Sort by" })).toHaveValue("manual");
    expect(screen.getByRole("button", { name: "Move “Alpha”" })).toHaveAccessibleDescription(
      "Drag to another place, or press Alt+Up or Alt+Down to move one place.",
    );

    alpha.focus();
    await user.keyboard("{Alt>}{ArrowDown}{/Alt}");

    expect(titles()).toEqual(["Bravo", "Alpha", "Charlie"]);
    await waitFor(() => expect(alpha).toHaveFocus());
    expect(await screen.findByText("Moved “Alpha” to position 2 of 3")).toBeInTheDocument();
    await waitFor(() => expect(api.calls("PATCH", /\/tasks\/[^/]+$/)).toHaveLength(1));
    const [patch] = api.calls("PATCH", /\/tasks\/[^/]+$/);
    expect(patch?.body).toEqual({ position: "a1V" });
    expect(patch?.headers.get("If-Match")).toBe('"1"');
    // Only the moved task changed.
    expect(api.tasks.map((task) => [task.title, task.position, task.version])).toEqual(
      expect.arrayContaining([
        ["Alpha", "a1V", 2],
        ["Bravo", "a1", 1],
        ["Charlie", "a2", 1],
      ]),
    );

    await user.keyboard("{Alt>}{ArrowUp}{/Alt}");
    expect(titles()).toEqual(["Alpha", "Bravo", "Charlie"]);
    await user.keyboard("{Alt>}{ArrowUp}{/Alt}");
    // Already first: nothing more is sent.
    await waitFor(() => expect(api.calls("PATCH", /\/tasks\/[^/]+$/)).toHaveLength(2));
    expect(titles()).toEqual(["Alpha", "Bravo", "Charlie"]);
  });

  it("drops a dragged task before the task it lands on the upper half of, with one PATCH", async () => {
    const api = new FakeApi(threeTasks());
    openTaskList(api, "/tasks?sort=manual");
    const handle = await screen.findByRole("button", { name: "Move “Charlie”" });
    const alpha = screen.getByRole("checkbox", { name: "Alpha" }).closest("li") as HTMLElement;
    const data = new Map<string, string>();
    const dataTransfer = {
      setData: (k: string, v: string) => data.set(k, v),
      getData: (k: string) => data.get(k) ?? "",
    };
    fireEvent.dragStart(handle, { dataTransfer });
    fireEvent.dragOver(alpha, { dataTransfer });
    // jsdom lays nothing out: the box is 0 high at 0, so a point above it is its upper half.
    fireEvent.drop(alpha, { dataTransfer, clientY: -1 });
    await waitFor(() => expect(titles()).toEqual(["Charlie", "Alpha", "Bravo"]));
    await waitFor(() => expect(api.calls("PATCH", /\/tasks\/[^/]+$/)).toHaveLength(1));
    const [patch] = api.calls("PATCH", /\/tasks\/[^/]+$/);
    const position = (patch?.body as { position?: string } | undefined)?.position ?? "";
    expect(position > "" && position < "a0").toBe(true);
  });

  it("re-spaces the neighbours of a move whose key would grow too long, each with its own If-Match PATCH", async () => {
    // Alpha and Bravo hold keys one step apart at 24 and 25 characters: a key between them would be longer still.
    const alpha = `a0${"V".repeat(22)}`;
    const api = new FakeApi([
      makeTask({ title: "Alpha", position: alpha }),
      makeTask({ title: "Bravo", position: `${alpha}V` }),
      makeTask({ title: "Charlie", position: "a1" }),
    ]);
    const user = openTaskList(api, "/tasks?sort=manual");
    (await screen.findByRole("checkbox", { name: "Charlie" })).focus();
    await user.keyboard("{Alt>}{ArrowUp}{/Alt}");

    expect(titles()).toEqual(["Alpha", "Charlie", "Bravo"]);
    await waitFor(() => expect(api.calls("PATCH", /\/tasks\/[^/]+$/)).toHaveLength(3));
    for (const patch of api.calls("PATCH", /\/tasks\/[^/]+$/)) expect(patch.headers.get("If-Match")).toBe('"1"');
    const stored = [...api.tasks].sort((a, b) => (a.position < b.position ? -1 : 1));
    expect(stored.map((task) => [task.title, task.version])).toEqual([
      ["Alpha", 2],
      ["Charlie", 2],
      ["Bravo", 2],
    ]);
    for (const task of stored) expect(task.position.length).toBeLessThanOrEqual(24);
    expect(titles()).toEqual(["Alpha", "Charlie", "Bravo"]);
  });

  it("puts a refused move back and says so", async () => {
    const api = new FakeApi(threeTasks()).override("PATCH", /\/tasks\/[^/]+$/, () =>
      problem(422, "validation_failed", "The request breaks a rule", {
        errors: [{ path: "position", message: "The position must be at most 100 characters" }],
      }),
    );
    const user = openTaskList(api, "/tasks?sort=manual");
    (await screen.findByRole("checkbox", { name: "Charlie" })).focus();
    await user.keyboard("{Alt>}{ArrowUp}{/Alt}");
    expect(await screen.findByText(/Your changes to “Charlie” could not be saved/)).toBeInTheDocument();
    await waitFor(() => expect(titles()).toEqual(["Alpha", "Bravo", "Charlie"]));
    expect(api.find(api.tasks[2]?.id ?? "")?.position).toBe("a2");
  });

  it("shows no handle and moves nothing in another sort", async () => {
    const api = new FakeApi(threeTasks());
    const user = openTaskList(api, "/tasks?sort=title");
    const alpha = await screen.findByRole("checkbox", { name: "Alpha" });
    expect(screen.queryByRole("button", { name: "Move “Alpha”" })).not.toBeInTheDocument();
    alpha.focus();
    await user.keyboard("{Alt>}{ArrowDown}{/Alt}");
    expect(titles()).toEqual(["Alpha", "Bravo", "Charlie"]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(api.calls("PATCH", /\/tasks\/[^/]+$/)).toHaveLength(0);
  });
});
