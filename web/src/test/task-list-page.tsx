import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { TaskList } from "../islands/task-list.tsx";
import type { FakeServer } from "./fake-server.ts";

/**
 * The tasks page as a person opens it: at `url`, against the fake server, with a user to act.
 * `userOptions` for a test that moves the clock (`advanceTimers`).
 */
export function openTaskList(api: FakeServer, url = "/tasks", userOptions: Parameters<typeof userEvent.setup>[0] = {}) {
  window.history.replaceState(null, "", url);
  api.install();
  const user = userEvent.setup(userOptions);
  render(<TaskList />);
  return user;
}
