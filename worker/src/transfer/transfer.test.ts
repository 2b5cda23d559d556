import { describe, expect, it } from "vitest";
import { call } from "../../test/fixtures.ts";
import { type ListJson, type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";
import todoistSample from "./samples/todoist-sample.csv?raw";

type Task = TaskJson & { list: string };

interface ExportJson {
  format: string;
  version: number;
  exportedAt: string;
  lists: ListJson[];
  tasks: Task[];
}

const exportOf = (user: TaskUser, format = "json") =>
  call(`/api/${user.id}/export?format=${format}`, { token: user.token });

async function exported(user: TaskUser): Promise<ExportJson> {
  const response = await exportOf(user);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ExportJson;
}

const importInto = (user: TaskUser, body: string, contentType = "application/json") =>
  call(`/api/${user.id}/import`, {
    token: user.token,
    method: "POST",
    rawBody: body,
    headers: { "Content-Type": contentType },
  });

async function imported(user: TaskUser, body: string, contentType?: string) {
  const response = await importInto(user, body, contentType);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as {
    imported: number;
    skipped: number;
    warnings: { path: string; message: string }[];
  };
}

const withoutOwner = ({ userId: _, ...task }: TaskJson) => task;

const listsOf = (user: TaskUser) => `/api/${user.id}/lists`;

async function addList(user: TaskUser, body: Record<string, unknown>): Promise<ListJson> {
  const response = await call(listsOf(user), { token: user.token, method: "POST", body });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as ListJson;
}

const inboxOf = (file: ExportJson) => file.lists.find((list) => list.inbox)?.id;

/** A file's content apart from its owner and the Inbox's id and times (each account's Inbox is its own). */
function comparable(file: ExportJson) {
  const inbox = inboxOf(file);
  return {
    lists: file.lists.map((list) => (list.inbox ? { ...list, id: "inbox", createdAt: "", updatedAt: "" } : list)),
    tasks: file.tasks.map((task) => ({ ...withoutOwner(task), list: task.list === inbox ? "inbox" : task.list })),
  };
}

async function someTasks(user: TaskUser): Promise<TaskJson[]> {
  const plain = await user.add({ title: "Plain" });
  const rich = await user.add({
    title: 'Café «rent» — pay, "now"',
    description: "Line one\nLine two, with a comma",
    priority: "high",
    tags: ["home", "money"],
    due: { date: "2030-12-05", time: "17:00", timeZone: "Europe/Berlin" },
  });
  const allDay = await user.add({ title: "All day", due: { date: "2030-01-31" }, completed: true });
  const edited = (await (await user.patch(plain.id, { title: "Plain, edited" })).json()) as TaskJson;
  return [edited, rich, allDay];
}

describe("export and import keep repeats, their history and reminders", () => {
  it("a recurring task with completions and reminders comes back exactly; old reminders are not mailed again", async () => {
    const ada = await taskUser();
    const task = await ada.add({
      title: "Water plants",
      due: { date: "2030-12-02", time: "09:00", timeZone: "Europe/Berlin" },
      recurrence: { rule: "FREQ=WEEKLY;BYDAY=MO", from: "due" },
      reminders: [{ before: "PT15M" }, { at: "2030-12-01T08:00:00.000Z" }],
    });
    const completed = await call(`/api/${ada.id}/tasks/${task.id}/complete`, {
      token: ada.token,
      method: "PATCH",
      headers: { "If-Match": `"${task.version}"` },
    });
    expect(completed.status, await completed.clone().text()).toBe(200);
    const file = await exported(ada);
    const [original] = file.tasks;
    expect((original as (Task & { completions: unknown[] }) | undefined)?.completions).toHaveLength(1);

    const bob = await taskUser();
    expect(await imported(bob, JSON.stringify(file))).toMatchObject({ imported: 1, skipped: 0 });
    const again = await exported(bob);
    // Another person's id on this server: the copy takes a derived one (decision 028); the rest is equal.
    const withoutId = ({ id: _, ...rest }: Record<string, unknown>) => rest;
    expect(comparable(again).tasks.map(withoutId)).toEqual(comparable(file).tasks.map(withoutId));
  });
});

describe("GET /api/{userId}/export", () => {
  it("answers every task as the task API does, in a JSON file to download", async () => {
    const user = await taskUser();
    const tasks = await someTasks(user);
    const response = await exportOf(user);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(response.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="brisk-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const file = (await response.json()) as ExportJson;
    expect(file).toMatchObject({ format: "brisk", version: 1 });
    const lists = (await (await call(listsOf(user), { token: user.token })).json()) as ListJson[];
    expect(file.lists).toEqual(lists);
    expect(file.lists.filter((list) => list.inbox)).toHaveLength(1);
    expect(Date.parse(file.exportedAt)).not.toBeNaN();
    const byId = new Map(file.tasks.map((task) => [task.id, task]));
    for (const task of tasks) expect(byId.get(task.id)).toEqual(task);
    expect(file.tasks).toHaveLength(3);
  });

  it("answers 403 for another person's userId, 401 without a token, 400 for an unknown format", async () => {
    const [ada, bob] = [await taskUser(), await taskUser()];
    expect((await call(`/api/${bob.id}/export`, { token: ada.token })).status).toBe(403);
    expect((await call(`/api/${ada.id}/export`)).status).toBe(401);
    expect((await call(`/api/${ada.id}/export?format=xml`, { token: ada.token })).status).toBe(400);
  });
});

describe("POST /api/{userId}/import (Brisk JSON)", () => {
  it("export → import into a fresh account → export gives the same tasks, ids and content", async () => {
    const ada = await taskUser();
    await someTasks(ada);
    const before = await exported(ada);
    // The ids are free again once Ada's tasks are gone (another person's ids are kept apart: next test).
    for (const task of before.tasks) expect((await ada.remove(task.id)).status).toBe(204);
    const fresh = await taskUser();
    expect(await imported(fresh, JSON.stringify(before))).toEqual({ imported: 3, skipped: 0, warnings: [] });
    const after = await exported(fresh);
    expect(comparable(after)).toEqual(comparable(before));
    expect(after.tasks.every((task) => task.userId === fresh.id)).toBe(true);
  });

  it("imports nothing new the second time, and the import reaches the change feed", async () => {
    const ada = await taskUser();
    await someTasks(ada);
    const file = JSON.stringify(await exported(ada));
    const bob = await taskUser();
    const start = (await (await bob.send("/changes")).json()) as { cursor: string };
    expect(await imported(bob, file)).toMatchObject({ imported: 3, skipped: 0 });
    // Ada still has her tasks: Bob's copies have ids of their own, content alike.
    const copies = (await exported(bob)).tasks;
    const originals = (await exported(ada)).tasks;
    expect(copies.map((task) => task.id).filter((id) => originals.some((task) => task.id === id))).toEqual([]);
    expect(copies.map(({ id: _, userId: __, list: ___, ...rest }) => rest)).toEqual(
      originals.map(({ id: _, userId: __, list: ___, ...rest }) => rest),
    );
    const feed = (await (await bob.send(`/changes?since=${encodeURIComponent(start.cursor)}`)).json()) as {
      changes: TaskJson[];
    };
    expect(feed.changes.map((task) => task.id).sort()).toEqual(copies.map((task) => task.id).sort());

    expect(await imported(bob, file)).toEqual({ imported: 0, skipped: 3, warnings: [] });
    expect(await imported(ada, file)).toEqual({ imported: 0, skipped: 3, warnings: [] });
    expect((await exported(bob)).tasks).toEqual(copies);
  });

  it("reports every bad row and imports nothing of the file", async () => {
    const user = await taskUser();
    const file = {
      format: "brisk",
      version: 1,
      tasks: [
        { title: "Fine" },
        { title: "   " },
        { title: "Due badly", due: { date: "2026-02-30" } },
        { title: "Fine too", priority: "urgent" },
      ],
    };
    const response = await importInto(user, JSON.stringify(file));
    expect(response.status).toBe(422);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    const body = (await response.json()) as { code: string; errors: { path: string; message: string }[] };
    expect(body.code).toBe("validation_failed");
    expect(body.errors.map((error) => error.path)).toEqual(["rows.2.title", "rows.3.due.date", "rows.4.priority"]);
    expect(body.errors[0]?.message).toBe("Title cannot be empty");
    expect((await exported(user)).tasks).toEqual([]);
  });

  it("refuses what is not a Brisk file: malformed JSON 400, another format 422, another media type 415", async () => {
    const user = await taskUser();
    expect((await importInto(user, "{not json")).status).toBe(400);
    const other = await importInto(user, JSON.stringify({ format: "trello", version: 1, tasks: [] }));
    expect(other.status).toBe(422);
    expect(((await other.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("format");
    expect((await importInto(user, "<tasks/>", "application/xml")).status).toBe(415);
  });

  it("answers 413 past 2 MiB or 5 000 tasks — the task routes' 16 KiB does not apply — and 403 for another person", async () => {
    const user = await taskUser();
    const many = { format: "brisk", version: 1, tasks: Array.from({ length: 5001 }, (_, i) => ({ title: `T${i}` })) };
    const tooMany = await importInto(user, JSON.stringify(many));
    expect(tooMany.status).toBe(413);
    expect(((await tooMany.json()) as { code: string }).code).toBe("payload_too_large");
    const big = { format: "brisk", version: 1, tasks: [{ title: "Big", description: "x".repeat(2 * 1024 * 1024) }] };
    expect((await importInto(user, JSON.stringify(big))).status).toBe(413);
    const medium = {
      format: "brisk",
      version: 1,
      tasks: Array.from({ length: 60 }, (_, i) => ({ title: `Medium ${i}`, description: "y".repeat(900) })),
    };
    expect(JSON.stringify(medium).length).toBeGreaterThan(16 * 1024);
    expect(await imported(user, JSON.stringify(medium))).toMatchObject({ imported: 60, skipped: 0 });
    const other = await taskUser();
    expect((await call(`/api/${other.id}/import`, { token: user.token, body: medium })).status).toBe(403);
  });
});

describe("a file at the limit", () => {
  it("imports 5 000 tasks in one batch, all or nothing, and again adds nothing", async () => {
    const user = await taskUser();
    const rows = Array.from(
      { length: 5000 },
      (_, i) => `Task ${i},low,2030-01-${String((i % 28) + 1).padStart(2, "0")},bulk`,
    );
    const csv = `title,priority,dueDate,tags\r\n${rows.join("\r\n")}\r\n`;
    const started = performance.now();
    expect(await imported(user, csv, "text/csv")).toEqual({ imported: 5000, skipped: 0, warnings: [] });
    const took = performance.now() - started;
    console.info(`[transfer] 5 000-task CSV (${csv.length} bytes) imported in ${Math.round(took)} ms`);
    expect((await exported(user)).tasks).toHaveLength(5000);
    expect(await imported(user, csv, "text/csv")).toEqual({ imported: 0, skipped: 5000, warnings: [] });
  });
});

describe("CSV", () => {
  it("exports Brisk CSV safe for spreadsheets, and imports it back", async () => {
    const user = await taskUser();
    const tasks = await someTasks(user);
    // Moved by hand: a position no create at its createdAt would give it back (docs/decisions/030-manual-task-order.md).
    expect((await user.patch(tasks[2]?.id ?? "", { position: "Zz" })).status).toBe(200);
    const formula = await user.add({ title: '=HYPERLINK("http://evil.example","Click")', tags: ["+sum", "@me"] });
    await user.add({ title: "-2+3", description: "@SUM(A1)" });
    const response = await exportOf(user, "csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(/filename="brisk-export-[\d-]+\.csv"$/);
    const bytes = new Uint8Array(await response.clone().arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // Decoded with its BOM kept, as a spreadsheet would save it back.
    const csv = new TextDecoder("utf-8", { ignoreBOM: true, fatal: false }).decode(bytes);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const lines = csv.slice(1).split("\r\n");
    expect(lines[0]).toBe(
      "id,title,description,completed,completedAt,priority,dueDate,dueTime,dueTimeZone,tags,createdAt,updatedAt,version,position,list",
    );
    expect(csv).toContain(`${formula.id},"'=HYPERLINK(""http://evil.example"",""Click"")"`);
    expect(csv).toContain(`"'+sum,@me"`);
    expect(csv).toContain(`"'-2+3","'@SUM(A1)",`);
    expect(csv).toContain(`"Café «rent» — pay, ""now"""`);
    expect(csv).toContain(`"Line one\nLine two, with a comma"`);
    expect(csv).toContain(`${tasks[1]?.id},`);

    // Back into a fresh account once the ids are free: the same tasks, formulas unguarded.
    const before = await exported(user);
    for (const task of before.tasks) expect((await user.remove(task.id)).status).toBe(204);
    const fresh = await taskUser();
    expect(await imported(fresh, csv, "text/csv")).toEqual({ imported: 5, skipped: 0, warnings: [] });
    expect(comparable(await exported(fresh)).tasks).toEqual(comparable(before).tasks);
    expect(await imported(fresh, csv, "text/csv")).toMatchObject({ imported: 0, skipped: 5 });
  });

  it("reads a CSV without ids and reports a bad row by its spreadsheet row", async () => {
    const user = await taskUser();
    const good = "title,priority,dueDate,tags\r\nFirst,low,2030-03-01,a\r\nSecond,,,\r\n";
    expect(await imported(user, good, "text/csv")).toMatchObject({ imported: 2, skipped: 0 });
    expect(await imported(user, good, "text/csv")).toMatchObject({ imported: 0, skipped: 2 });
    const bad = "title,priority,dueDate\r\nFine,low,\r\nAlso fine,,\r\nBroken,,2030-13-01\r\n";
    const response = await importInto(user, bad, "text/csv");
    expect(response.status).toBe(422);
    const body = (await response.json()) as { errors: { path: string }[] };
    expect(body.errors.map((error) => error.path)).toEqual(["rows.4.dueDate"]);
    expect((await exported(user)).tasks).toHaveLength(2);
    // A short file with a blank last line (papaparse's delimiter guess fails on those; we never guess).
    const short = await importInto(user, "title,priority\r\nFine,low\r\n,high\r\n", "text/csv");
    expect(((await short.json()) as { errors: { path: string }[] }).errors.map((error) => error.path)).toEqual([
      "rows.3.title",
    ]);
    const unknown = await importInto(user, "name,when\r\nx,y\r\n", "text/csv");
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("rows.1");
  });

  it("maps Todoist's CSV export as documented", async () => {
    const user = await taskUser({ timeZone: "Europe/Berlin" });
    const result = await imported(user, todoistSample, "text/csv");
    expect(result.imported).toBe(5);
    expect(result.warnings).toEqual([{ path: "rows.9", message: expect.stringContaining("repeats") }]);
    const tasks = (await exported(user)).tasks;
    const byTitle = Object.fromEntries(tasks.map((task) => [task.title, task]));
    expect(Object.keys(byTitle).sort()).toEqual(
      ["Buy milk", "Call the bank", "Plan the trip, finally", "Read a book", "Water the plants"].sort(),
    );
    expect(byTitle["Buy milk"]).toMatchObject({
      description: "Semi-skimmed\n\nTwo litres",
      priority: "high",
      tags: ["errands", "home"],
      due: { date: "2030-12-05", time: null, timeZone: null },
      completed: false,
    });
    expect(byTitle["Call the bank"]).toMatchObject({
      priority: "medium",
      due: { date: "2030-01-15", time: "09:30", timeZone: "Europe/Berlin" },
    });
    expect(byTitle["Plan the trip, finally"]).toMatchObject({
      priority: "low",
      due: { date: "2031-03-05", time: "17:00", timeZone: "America/New_York" },
    });
    expect(byTitle["Water the plants"]).toMatchObject({
      priority: "none",
      due: null,
      description: "Todoist date: every monday",
    });
    expect(byTitle["Read a book"]).toMatchObject({ tags: ["leisure"], due: null });
    expect(await imported(user, todoistSample, "text/csv")).toMatchObject({ imported: 0, skipped: 5 });
  });

  it("reports a Todoist row it cannot read, and imports nothing", async () => {
    const user = await taskUser();
    const file = `${todoistSample.trimEnd()}\r\ntask,@only-labels,,9,1,,,,en,\r\n`;
    const response = await importInto(user, file, "text/csv");
    expect(response.status).toBe(422);
    const body = (await response.json()) as { errors: { path: string; message: string }[] };
    expect(body.errors.map((error) => error.path)).toEqual(["rows.11.CONTENT", "rows.11.PRIORITY"]);
    expect((await exported(user)).tasks).toEqual([]);
  });
});

describe("manual order in export and import", () => {
  it("a JSON file keeps each task's position; a file without positions puts its newest task at the top", async () => {
    const ada = await taskUser();
    await someTasks(ada);
    const moved = await ada.add({ title: "Moved", position: "Zz" });
    const before = await exported(ada);
    expect(before.tasks.find((task) => task.id === moved.id)).toMatchObject({ position: "Zz" });
    for (const task of before.tasks) expect((await ada.remove(task.id)).status).toBe(204);
    const fresh = await taskUser();
    await imported(fresh, JSON.stringify(before));
    expect(comparable(await exported(fresh))).toEqual(comparable(before));

    const csv =
      "title,createdAt\r\nOldest,2020-01-01T00:00:00.000Z\r\nNewest,2024-01-01T00:00:00.000Z\r\nMiddle,2022-01-01T00:00:00.000Z\r\n";
    const other = await taskUser();
    await imported(other, csv, "text/csv");
    const ordered = (await (await other.list("sort=manual")).json()) as Task[];
    expect(ordered.map((task) => task.title)).toEqual(["Newest", "Middle", "Oldest"]);
  });
});

describe("lists in export and import", () => {
  /** Two lists besides the Inbox, and a task in each of the three. */
  async function withLists(user: TaskUser) {
    const errands = await addList(user, { name: "Errands", colour: "green" });
    const work = await addList(user, { name: "Work", colour: "blue", position: "a5" });
    await user.add({ title: "Buy milk", list: errands.id, tags: ["shop"] });
    await user.add({ title: "Write report", list: work.id, due: { date: "2030-02-01" } });
    await user.add({ title: "Somewhere" });
    return { errands, work };
  }

  it("export → import into a fresh account → export: the same lists and tasks, the Inbox mapped onto the importer's", async () => {
    const ada = await taskUser();
    const { errands, work } = await withLists(ada);
    const before = await exported(ada);
    expect(before.lists.map((list) => list.name)).toEqual(["Inbox", "Errands", "Work"]);
    // The ids are free again once Ada's lists and tasks are gone.
    for (const list of [errands, work])
      expect(
        (await call(`${listsOf(ada)}/${list.id}?tasks=delete`, { token: ada.token, method: "DELETE" })).status,
      ).toBe(200);
    for (const task of (await exported(ada)).tasks) expect((await ada.remove(task.id)).status).toBe(204);

    const fresh = await taskUser();
    expect(await imported(fresh, JSON.stringify(before))).toEqual({ imported: 3, skipped: 0, warnings: [] });
    const after = await exported(fresh);
    expect(comparable(after)).toEqual(comparable(before));
    expect(after.lists.filter((list) => list.inbox)).toHaveLength(1);
    expect(after.tasks.find((task) => task.title === "Somewhere")?.list).toBe(inboxOf(after));
    // Again: nothing more, lists included.
    expect(await imported(fresh, JSON.stringify(before))).toEqual({ imported: 0, skipped: 3, warnings: [] });
    expect(await exported(fresh)).toEqual({ ...after, exportedAt: expect.any(String) });
  });

  it("copies another person's lists under ids of the importer's own, tasks in each, and a replay adds nothing", async () => {
    const ada = await taskUser();
    await withLists(ada);
    const file = await exported(ada);
    const bob = await taskUser();
    const start = (await (await bob.send("/changes")).json()) as { cursor: string };
    expect(await imported(bob, JSON.stringify(file))).toMatchObject({ imported: 3, skipped: 0 });
    const copy = await exported(bob);
    expect(copy.lists.map(({ name, colour, position, inbox }) => ({ name, colour, position, inbox }))).toEqual(
      file.lists.map(({ name, colour, position, inbox }) => ({ name, colour, position, inbox })),
    );
    const adaIds = new Set(file.lists.map((list) => list.id));
    expect(copy.lists.filter((list) => adaIds.has(list.id))).toEqual([]);
    const nameOf = (export_: ExportJson, task: Task) => export_.lists.find((list) => list.id === task.list)?.name;
    expect(Object.fromEntries(copy.tasks.map((task) => [task.title, nameOf(copy, task)]))).toEqual({
      "Buy milk": "Errands",
      "Write report": "Work",
      Somewhere: "Inbox",
    });
    // The lists reach the change feed with the tasks.
    const feed = (await (await bob.send(`/changes?since=${encodeURIComponent(start.cursor)}`)).json()) as {
      lists?: ListJson[];
    };
    expect(feed.lists?.map((list) => list.name).sort()).toEqual(["Errands", "Work"]);

    expect(await imported(bob, JSON.stringify(file))).toEqual({ imported: 0, skipped: 3, warnings: [] });
    expect(await imported(ada, JSON.stringify(file))).toEqual({ imported: 0, skipped: 3, warnings: [] });
    expect(await exported(bob)).toEqual({ ...copy, exportedAt: expect.any(String) });
    expect((await exported(ada)).lists).toEqual(file.lists);
  });

  it("refuses a task naming a list neither in the file nor the importer's: a row error, nothing imported", async () => {
    const ada = await taskUser();
    const { errands } = await withLists(ada);
    const bob = await taskUser();
    const mine = await addList(bob, { name: "Mine" });
    const file = {
      format: "brisk",
      version: 1,
      lists: [{ id: "5d0f3c1e-2b7a-4c1e-9f3a-0c4b5a6d7e8f", name: "In the file" }],
      tasks: [
        { title: "Into the file's list", list: "5d0f3c1e-2b7a-4c1e-9f3a-0c4b5a6d7e8f" },
        { title: "Into Bob's own", list: mine.id },
        { title: "Into Ada's", list: errands.id },
        { title: "Nowhere", list: "not-a-uuid" },
      ],
    };
    const response = await importInto(bob, JSON.stringify(file));
    expect(response.status).toBe(422);
    const body = (await response.json()) as { errors: { path: string; message: string }[] };
    expect(body.errors.map((error) => error.path)).toEqual(["rows.3.list", "rows.4.list"]);
    const after = await exported(bob);
    expect(after.tasks).toEqual([]);
    expect(after.lists.map((list) => list.name)).toEqual(["Inbox", "Mine"]);

    const badList = await importInto(bob, JSON.stringify({ ...file, lists: [{ id: "x", name: "" }], tasks: [] }));
    expect(badList.status).toBe(422);
    const errors = ((await badList.json()) as { errors: { path: string }[] }).errors.map((error) => error.path);
    expect(errors).toEqual(["lists.1.id", "lists.1.name"]);
  });

  it("reads a Brisk CSV's list column by name: an existing list in any case, else one list created once", async () => {
    const user = await taskUser();
    const work = await addList(user, { name: "Work" });
    const csv = "title,list\r\nBuy milk,Errands\r\nBuy bread,ERRANDS \r\nReport,work\r\nLoose,\r\nTriage,inbox\r\n";
    expect(await imported(user, csv, "text/csv")).toEqual({ imported: 5, skipped: 0, warnings: [] });
    const file = await exported(user);
    expect(file.lists.map((list) => list.name)).toEqual(["Inbox", "Work", "Errands"]);
    const nameOf = (task: Task) => file.lists.find((list) => list.id === task.list)?.name;
    expect(Object.fromEntries(file.tasks.map((task) => [task.title, nameOf(task)]))).toEqual({
      "Buy milk": "Errands",
      "Buy bread": "Errands",
      Report: "Work",
      Loose: "Inbox",
      Triage: "Inbox",
    });
    expect(file.tasks.find((task) => task.title === "Report")?.list).toBe(work.id);
    expect(await imported(user, csv, "text/csv")).toEqual({ imported: 0, skipped: 5, warnings: [] });
    expect((await exported(user)).lists).toEqual(file.lists);

    // The export names each task's list; an overlong name is a row error.
    const exportedCsv = await (await exportOf(user, "csv")).text();
    expect(exportedCsv).toContain(",Errands\r\n");
    const long = await importInto(user, `title,list\r\nX,${"n".repeat(101)}\r\n`, "text/csv");
    expect(long.status).toBe(422);
    expect(((await long.json()) as { errors: { path: string }[] }).errors.map((error) => error.path)).toEqual([
      "rows.2.list",
    ]);
  });
});
