import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { get } from "idb-keyval";
import { afterEach, describe, expect, it } from "vitest";
import { resetApiClientForTests } from "../lib/api-client.ts";
import { config } from "../lib/config.ts";
import { navigation } from "../lib/navigation.ts";
import { storedChanges } from "../lib/outbox.ts";
import { queryClient } from "../lib/replica.ts";
import { FakeServer, makeTask, problem, userId } from "../test/fake-server.ts";
import { TaskList } from "./task-list.tsx";

/**
 * Issue 14's "nothing a person does is lost": the queue of unsent changes (lib/outbox.ts) kept
 * through a session that changed under the page, two tabs, an Undo racing its delete, sign-out.
 */

function setUp(api: FakeServer, url = "/tasks") {
  window.history.replaceState(null, "", url);
  api.install();
  const user = userEvent.setup();
  render(<TaskList />);
  return user;
}

/** A new page in the same browser: nothing in memory, IndexedDB as the last page left it. */
function reload(api: FakeServer) {
  cleanup();
  queryClient.clear();
  resetApiClientForTests();
  return setUp(api);
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
    const user = setUp(api);
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
});
