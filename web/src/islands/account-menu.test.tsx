import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { get, set } from "idb-keyval";
import { describe, expect, it, vi } from "vitest";
import { config } from "../lib/config.ts";
import { navigation } from "../lib/navigation.ts";
import { outboxStorageKey } from "../lib/outbox-storage.ts";
import { FakeServer, json, makeTask, userId } from "../test/fake-server.ts";
import { AccountMenu, ConfirmDialog } from "./account-menu.tsx";

/** Sign-out forgets the person's data in this browser; changes not yet on the server are not dropped unasked. */
describe("the account menu's Sign out", () => {
  function setUp() {
    const api = new FakeServer().install();
    api.override("POST", /\/api\/auth\/sign-out$/, () => json({ success: true }), 10);
    localStorage.setItem(config.lastUserKey, userId);
    render(<AccountMenu />);
    return { api, user: userEvent.setup() };
  }

  it("asks before deleting changes not yet saved, and Cancel keeps everything", async () => {
    const task = makeTask({ title: "Buy milk" });
    const waiting = [
      { kind: "complete", opId: "op-1", taskId: task.id, at: task.createdAt, completed: true, version: 1 },
      { kind: "delete", opId: "op-2", taskId: task.id, at: task.createdAt, version: 1 },
    ];
    await set(outboxStorageKey(userId), { "closed-tab": waiting });
    await set(config.replicaStorageKey, "stored replica");
    const { api, user } = setUp();
    const signOut = await screen.findByRole("button", { name: "Sign out" });
    await waitFor(() => expect(signOut).toBeEnabled());

    await user.click(signOut);
    const question = await screen.findByRole("alertdialog", { name: "2 changes not yet saved — sign out anyway?" });
    expect(api.calls("POST", /sign-out$/)).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(question).not.toBeInTheDocument();
    expect(signOut).toHaveFocus();
    expect(await get(outboxStorageKey(userId))).toEqual({ "closed-tab": waiting });

    await user.click(signOut);
    await user.click(await screen.findByRole("button", { name: "Sign out anyway" }));
    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/sign-in"));
    expect(api.calls("POST", /sign-out$/)).toHaveLength(1);
    expect(await get(outboxStorageKey(userId))).toBeUndefined();
    expect(await get(config.replicaStorageKey)).toBeUndefined();
  });

  it("signs out at once when nothing waits", async () => {
    const { api, user } = setUp();
    const signOut = await screen.findByRole("button", { name: "Sign out" });
    await waitFor(() => expect(signOut).toBeEnabled());
    await user.click(signOut);
    await waitFor(() => expect(navigation.assign).toHaveBeenCalledWith("/sign-in"));
    expect(api.calls("POST", /sign-out$/)).toHaveLength(1);
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  });
});

/** The one confirmation the task list, a task's editor, a list's editor and Sign out ask with. */
describe("a confirmation", () => {
  it("is an alert dialog named by its question and described by its reason, its first action focused", () => {
    render(
      <ConfirmDialog
        className="confirm-bulk"
        question={<strong>Delete 3 tasks?</strong>}
        description="You can undo it."
        onCancel={() => {}}
      >
        <button type="button">Delete 3 tasks</button>
      </ConfirmDialog>,
    );
    const dialog = screen.getByRole("alertdialog", { name: "Delete 3 tasks?" });
    expect(dialog).toHaveAccessibleDescription("You can undo it.");
    expect(screen.getByRole("button", { name: "Delete 3 tasks" })).toHaveFocus();
  });

  it("is cancelled by its Cancel button or by Escape, which goes no further", async () => {
    const user = userEvent.setup();
    const onCancel = vi.fn();
    const outside = vi.fn();
    render(
      // biome-ignore lint/a11y/noStaticElementInteractions: only listens, as a page's shortcuts do
      <div onKeyDown={outside}>
        <ConfirmDialog className="list-confirm" question="Delete the list?" cancelLabel="Keep it" onCancel={onCancel}>
          <button type="button">Delete list</button>
        </ConfirmDialog>
      </div>,
    );
    expect(screen.getByRole("alertdialog", { name: "Delete the list?" })).not.toHaveAttribute("aria-describedby");
    await user.click(screen.getByRole("button", { name: "Keep it" }));
    await user.keyboard("{Escape}");
    expect(onCancel).toHaveBeenCalledTimes(2);
    expect(outside).not.toHaveBeenCalled();
  });
});
