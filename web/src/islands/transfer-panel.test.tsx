import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { set } from "idb-keyval";
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { outboxStorageKey } from "../lib/outbox-storage.ts";
import { FakeServer as FakeApi, json, makeTask, problem, server, userId } from "../test/fake-server.ts";
import { csvRecordCount, TransferPanel } from "./transfer-panel.tsx";

const count = (n: number) => new Intl.NumberFormat(undefined).format(n);

describe("the export and import panel", () => {
  it("says how many tasks it is importing, then the result and the rows imported with a change", async () => {
    let answer: (response: Response) => void = () => {};
    const sent: Request[] = [];
    new FakeApi().install();
    // The import is not among the fake's routes: answered here, when the test says.
    server.use(
      http.post("*/api/:userId/import", ({ request }) => {
        sent.push(request);
        return new Promise<Response>((resolve) => {
          answer = resolve;
        });
      }),
    );
    const user = userEvent.setup();
    render(<TransferPanel />);
    const tasks = Array.from({ length: 1200 }, (_, i) => ({ title: `Task ${i}` }));
    const file = new File([JSON.stringify({ format: "brisk", version: 1, tasks })], "brisk-export.json", {
      type: "application/json",
    });
    await user.upload(screen.getByLabelText("Import"), file);
    expect(await screen.findByText(`Importing ${count(1200)} tasks…`)).toBeInTheDocument();
    answer(json({ imported: 1197, skipped: 3, warnings: [{ path: "rows.9", message: "A repeating date" }] }));
    expect(await screen.findByText(`Imported ${count(1197)} tasks; 3 were already there.`)).toBeInTheDocument();
    expect(screen.getByRole("list", { name: "Imported with changes" })).toHaveTextContent("Row 9: A repeating date");
    const [request] = sent;
    expect(request?.headers.get("Content-Type")).toBe("application/json");
    expect(((await request?.json()) as { tasks?: unknown[] } | undefined)?.tasks).toHaveLength(1200);
  });

  it("after an export, says which changes made here are still queued and so not in the file", async () => {
    const task = makeTask({ title: "Buy milk" });
    const waiting = [
      { kind: "complete", opId: "op-1", taskId: task.id, at: task.createdAt, completed: true, version: 1 },
    ];
    await set(outboxStorageKey(userId), { "closed-tab": waiting });
    new FakeApi().install();
    server.use(http.get("*/api/:userId/export", () => json({ format: "brisk", version: 1, lists: [], tasks: [] })));
    URL.createObjectURL = () => "blob:export";
    URL.revokeObjectURL = () => {};
    const user = userEvent.setup();
    render(<TransferPanel />);
    const exportJson = screen.getByRole("button", { name: "Export (JSON)" });
    await waitFor(() => expect(exportJson).toBeEnabled());
    await user.click(exportJson);
    expect(
      await screen.findByText(
        "1 change made in this browser has not reached the server yet, so it is not in this file. Open Tasks while online to send it, then export again.",
      ),
    ).toBeInTheDocument();
  });

  it("lists the rows a refused file could not import", async () => {
    new FakeApi().install();
    server.use(
      http.post("*/api/:userId/import", () =>
        problem(422, "validation_failed", "A row could not be imported; nothing was imported.", {
          errors: [{ path: "rows.3.title", message: "Title cannot be empty" }],
        }),
      ),
    );
    const user = userEvent.setup();
    render(<TransferPanel />);
    const file = new File(["title\r\nFine\r\n\r\n"], "tasks.csv", { type: "text/csv" });
    await user.upload(screen.getByLabelText("Import"), file);
    expect(await screen.findByText("A row could not be imported; nothing was imported.")).toBeInTheDocument();
    expect(screen.getByRole("list", { name: "Rows that could not be imported" })).toHaveTextContent(
      "Row 3 (title): Title cannot be empty",
    );
  });

  it("counts a CSV's records outside quotes, without its header", () => {
    expect(csvRecordCount('title,description\r\nA,"one\r\ntwo"\r\nB,\r\n\r\n')).toBe(2);
    expect(csvRecordCount("title\nA\nB")).toBe(2);
    expect(csvRecordCount("title\r\n")).toBe(0);
  });
});
