import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeServer as FakeApi } from "../test/fake-server.ts";
import { TaskList } from "./task-list.tsx";

// The quick-add parser arrives late, then not at all: the form must lose nothing either way.
const parser = vi.hoisted(() => {
  let release: (ok: boolean) => void = () => {};
  const gate = new Promise<boolean>((resolve) => {
    release = resolve;
  });
  return { gate, release: (ok: boolean) => release(ok) };
});

vi.mock("../lib/quick-add.ts", async (importOriginal) => {
  const ok = await parser.gate;
  if (!ok) throw new Error("Failed to fetch dynamically imported module");
  return importOriginal();
});

afterEach(async () => {
  cleanup();
  await new Promise((resolve) => setTimeout(resolve, 400));
});

describe("New task while the quick-add parser cannot be had", () => {
  it("adds the task as typed when the parser fails to load, and keeps what is typed next", async () => {
    const api = new FakeApi();
    window.history.replaceState(null, "", "/tasks");
    api.install();
    const user = userEvent.setup();
    render(<TaskList />);
    const field = screen.getByRole("textbox", { name: "New task" });
    await waitFor(() => expect(field).toBeEnabled());

    await user.type(field, "Buy milk #home{Enter}");
    await user.type(field, "Call");
    parser.release(false);

    await waitFor(() => expect(api.tasks).toHaveLength(1));
    expect(api.calls("POST", /\/tasks$/)[0]?.body).toMatchObject({ title: "Buy milk #home" });
    expect(field).toHaveValue("Call");
  });
});
