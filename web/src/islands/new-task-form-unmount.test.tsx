import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createRef } from "react";
import { describe, expect, it, vi } from "vitest";
import { NewTaskForm } from "./new-task-form.tsx";

describe("New task when its add settles after the form is gone", () => {
  it("calls back nobody: the page (or a test) that left it is not touched", async () => {
    let settle: (added: boolean) => void = () => {};
    const onAdd = vi.fn(() => new Promise<boolean>((resolve) => (settle = resolve)));
    const onDraftGone = vi.fn();
    const view = render(
      <NewTaskForm
        disabled={false}
        inputRef={createRef()}
        userId={null}
        onAdd={onAdd}
        onRestored={() => {}}
        onDraftGone={onDraftGone}
      />,
    );
    await userEvent.setup().type(screen.getByRole("textbox", { name: "New task" }), "Buy milk{Enter}");
    await waitFor(() => expect(onAdd).toHaveBeenCalledTimes(1));

    view.unmount();
    settle(true);
    await Promise.resolve(onAdd.mock.results[0]?.value);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(onDraftGone).not.toHaveBeenCalled();
  });
});
