import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { get } from "idb-keyval";
import { afterEach, describe, expect, it } from "vitest";
import { resetApiClientForTests } from "../lib/api-client.ts";
import { config } from "../lib/config.ts";
import { navigation } from "../lib/navigation.ts";
import { storedChanges } from "../lib/outbox-storage.ts";
import { queryClient, replicaKey } from "../lib/replica.ts";
import { FakeServer, json, makeTask, problem, userId } from "../test/fake-server.ts";
import { openTaskList } from "../test/task-list-page.tsx";
import { AccountMenu } from "./account-menu.tsx";
import { TaskList } from "./task-list.tsx";

/**
 * Issue 14's "nothing a person does is lost": the queue of unsent changes (lib/outbox.ts) kept
 * through a session that changed under the page, two tabs, an Undo racing its delete, sign-out.
 */

/** A new page in the same browser: nothing in memory, IndexedDB as the last page left it. */
function reload(api: FakeServer) {
  cleanup();
  queryClient.clear();
  resetApiClientForTests();
  return openTaskList(api);
}

const outboxKey = `${config.outboxStorageKeyPrefix}${userId}`;

describe("the queue of unsent changes", () => {
  afterEach(async () => {
    cleanup();
    // A replica write still due (the persister throttles) lands before the next test empties IndexedDB.
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it("keeps every queued change when the task API answers 403 (the session changed), and replays them after signing in", async () => {
    const api = new FakeServer([makeTask({ title: "Buy milk" }), makeTask({ title: "Walk the dog" })]);
    api.override("PATCH", /\/complete$/, () => problem(403, "forbidden", "The token belongs to another user"));
    const user = openTaskList(api);
    await user.click(await screen.findByRole("checkbox", { name: "Buy milk" }));
    await user.click(screen.getByRole("checkbox", { name: "Walk the dog" }));

    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/sign-in?next=%2Ftasks&reason=session-ended"));
    // Nothing rolled back, nothing refused, and nothing sent after the 403.
    expect(screen.getByRole("alert")).toBeEmptyDOMElement();
    expect(screen.getByRole("checkbox", { name: "Buy milk" })).toBeChecked();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.calls("PATCH", /\/complete$/)).toHaveLength(1);
    const queued = await storedChanges(userId);
    expect(queued.map((change) => `${change.kind} ${change.kind === "complete" && change.completed}`)).toEqual([
      "complete true",
      "complete true",
    ]);

    // Signed in again as the same person: the queue is sent.
    reload(api);
    await waitFor(() => expect(api.tasks.every((task) => task.completed)).toBe(true));
    await waitFor(async () => expect(await get(outboxKey)).toBeUndefined());
  });

  it("brings a deleted task back exactly with Undo while the delete is still on its way, and sends nothing twice", async () => {
    const task = makeTask({
      title: "Call the bank",
      description: "About the card",
      priority: "high",
      tags: ["money"],
      createdAt: "2026-11-02T09:30:00.000Z",
      version: 3,
    });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const api = new FakeServer([task]);
    // The delete reaches the server and is applied, but its answer is slow.
    api.slowAnswer("DELETE", /\/tasks\/[^/]+$/, gate);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Delete "Call the bank"' }));
    // Sent at once, while its Undo is offered.
    await waitFor(() => expect(api.find(task.id)).toBeUndefined());
    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(await screen.findByRole("checkbox", { name: "Call the bank" })).toBeInTheDocument();
    release();

    await waitFor(() => expect(api.find(task.id)).toEqual({ ...task, version: 4 }));
    await waitFor(() => expect(screen.getByRole("listitem")).not.toHaveAttribute("aria-busy"));
    expect(api.calls("DELETE", /\/tasks\/[^/]+$/)).toHaveLength(1);
    expect(api.calls("POST", /\/tasks\/restore$/)).toHaveLength(1);
    expect(api.calls("POST", /\/tasks$/)).toHaveLength(0);
    expect(screen.getAllByRole("checkbox", { name: "Call the bank" })).toHaveLength(1);
    expect(screen.getByRole("alert")).toBeEmptyDOMElement();
  });

  it("brings a deleted task back exactly, once, with Undo when the delete lost its answer", async () => {
    const task = makeTask({
      title: "Call the bank",
      completed: true,
      completedAt: "2026-11-20T10:00:00.000Z",
      createdAt: "2026-11-02T09:30:00.000Z",
    });
    const api = new FakeServer([task]);
    api.loseAnswer("DELETE", /\/tasks\/[^/]+$/);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Delete "Call the bank"' }));
    // Applied, its answer lost: sent again, it finds the task gone (404) — and the kept copy stays.
    await waitFor(() => expect(api.calls("DELETE", /\/tasks\/[^/]+$/).length).toBeGreaterThan(1));
    await user.click(screen.getByRole("button", { name: "Undo" }));

    await waitFor(() => expect(api.find(task.id)).toEqual({ ...task, version: task.version + 1 }));
    await waitFor(() => expect(screen.getByRole("listitem")).not.toHaveAttribute("aria-busy"));
    const tokens = new Set(api.calls("DELETE", /\/tasks\/[^/]+$/).map((call) => call.search.get("undo")));
    expect(tokens.size).toBe(1);
    expect(api.calls("POST", /\/tasks\/restore$/).map((call) => call.body)).toEqual([{ undo: [...tokens][0] }]);
    expect(api.calls("POST", /\/tasks$/)).toHaveLength(0);
    expect(screen.getAllByRole("checkbox", { name: "Call the bank" })).toHaveLength(1);
    expect(screen.getByRole("checkbox", { name: "Call the bank" })).toBeChecked();
    expect(screen.getByRole("alert")).toBeEmptyDOMElement();
  });

  it("signs out from the account menu only when asked about a change still unsent, then stops sending and forgets the replica", async () => {
    const api = new FakeServer([makeTask({ title: "Buy milk" })]);
    api.override("PATCH", /\/complete$/, () => "network-error", 1000);
    api.override("POST", /\/api\/auth\/sign-out$/, () => json({ success: true }));
    window.history.replaceState(null, "", "/tasks");
    api.install();
    const user = userEvent.setup();
    render(
      <>
        <AccountMenu />
        <TaskList />
      </>,
    );
    await user.click(await screen.findByRole("checkbox", { name: "Buy milk" }));
    await waitFor(() => expect(api.calls("PATCH", /\/complete$/).length).toBeGreaterThan(0));

    await user.click(screen.getByRole("button", { name: "Sign out" }));
    await user.click(await screen.findByRole("button", { name: "Sign out anyway" }, { timeout: 15_000 }));
    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/sign-in"));
    const sent = api.calls("PATCH", /\/complete$/).length;
    expect(queryClient.getQueryData(replicaKey(userId))).toBeUndefined();
    expect(await storedChanges(userId)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(api.calls("PATCH", /\/complete$/)).toHaveLength(sent);
  }, 60_000);
});
