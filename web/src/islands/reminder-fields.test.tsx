import { cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { FakeServer as FakeApi, makeTask } from "../test/fake-server.ts";
import { openTaskList } from "../test/task-list-page.tsx";

describe("reminders in the editor", () => {
  afterEach(async () => {
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 400));
  });

  it("adds reminders from the presets only with a due time, saves them, and shows a bell with the count", async () => {
    const api = new FakeApi([makeTask({ title: "Renew passport" })]);
    const user = openTaskList(api);
    await user.click(await screen.findByRole("button", { name: 'Edit "Renew passport"' }));
    const editor = screen.getByRole("form", { name: 'Editing "Renew passport"' });
    await user.click(within(editor).getByRole("button", { name: "Details" }));
    const preset = within(editor).getByRole("button", { name: "Remind 1 hour before" });
    expect(preset).toBeDisabled();
    expect(within(editor).getByText("Set a due date and time to add reminders")).toBeInTheDocument();

    await user.type(within(editor).getByLabelText("Due date"), "2030-12-05");
    await user.type(within(editor).getByLabelText("Due time"), "17:30");
    await user.click(preset);
    await user.click(within(editor).getByRole("button", { name: "Remind 1 day before" }));
    expect(preset).toBeDisabled(); // one of each
    await user.click(within(editor).getByRole("button", { name: "Remove reminder 1 day before" }));
    await user.click(within(editor).getByRole("button", { name: "Remind at due time" }));
    await user.click(within(editor).getByRole("button", { name: "Save" }));

    await waitFor(() =>
      expect(api.calls("PATCH", /\/tasks\/[^/]+$/)[0]?.body).toMatchObject({
        reminders: [{ before: "PT1H" }, { before: "PT0M" }],
      }),
    );
    expect(await screen.findByText("2 reminders,")).toBeInTheDocument();
  });

  it("sets reminders in the New task form too, sent with the create, and starts the next task without them", async () => {
    const api = new FakeApi();
    const user = openTaskList(api);
    const field = screen.getByRole("textbox", { name: "New task" });
    await waitFor(() => expect(field).toBeEnabled());
    await user.type(field, "Dentist");
    await user.click(screen.getByRole("button", { name: "Details" }));
    expect(screen.getByRole("button", { name: "Remind 15 minutes before" })).toBeDisabled();
    await user.type(screen.getByLabelText("Due date"), "2030-12-05");
    await user.type(screen.getByLabelText("Due time"), "0930");
    await user.click(screen.getByRole("button", { name: "Remind 15 minutes before" }));
    await user.type(field, "{Enter}");

    await waitFor(() => expect(api.tasks).toHaveLength(1));
    expect(api.calls("POST", /\/tasks$/)[0]?.body).toMatchObject({ reminders: [{ before: "PT15M" }] });
    expect(await screen.findByText("1 reminder,")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove reminder 15 minutes before" })).toBeNull();
  });

  it("drops `before` reminders when the due time is removed, keeping `at` ones", async () => {
    const api = new FakeApi([
      makeTask({
        title: "Call Ana",
        due: { date: "2030-12-05", time: "09:00", timeZone: "UTC" },
        reminders: [{ before: "PT15M" }, { at: "2030-12-04T08:00:00.000Z" }],
      }),
    ]);
    const user = openTaskList(api);
    expect(await screen.findByText("2 reminders,")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: 'Edit "Call Ana"' }));
    const editor = screen.getByRole("form", { name: 'Editing "Call Ana"' });
    await user.click(within(editor).getByRole("button", { name: "Details" }));
    await user.clear(within(editor).getByLabelText("Due time"));
    expect(within(editor).getByText(/removed on save/)).toBeInTheDocument();
    await user.click(within(editor).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(api.calls("PATCH", /\/tasks\/[^/]+$/)[0]?.body).toMatchObject({
        reminders: [{ at: "2030-12-04T08:00:00.000Z" }],
      }),
    );
  });
});
