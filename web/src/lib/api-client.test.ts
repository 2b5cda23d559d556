import { describe, expect, it, vi } from "vitest";
import { FakeApi, makeTask, problem, unavailable } from "../test/fake-api.ts";
import {
  ApiError,
  createTask,
  decodeClaims,
  deleteTask,
  describeError,
  holdsPatch,
  listTasks,
  nextLink,
  SessionEndedError,
  setCompletedWhere,
  setTaskCompleted,
  untrustedOriginMessage,
  updateTask,
} from "./api-client.ts";
import { navigation } from "./navigation.ts";

const query = { status: "all", sort: "created", order: "desc" } as const;

describe("the api client", () => {
  it("sends the access token as a bearer token and never a cookie", async () => {
    const api = new FakeApi().install();
    await listTasks(query);
    const [list] = api.calls("GET", /\/tasks$/);
    expect(list?.headers.get("Authorization")).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(api.calls("GET", /\/api\/auth\/token$/)).toHaveLength(1);
  });

  it("keeps one token while it is fresh", async () => {
    const api = new FakeApi().install();
    await listTasks(query);
    await listTasks(query);
    expect(api.tokensIssued).toBe(1);
  });

  it("renews a token that is about to expire before using it", async () => {
    const api = new FakeApi();
    api.tokenLifetimeSeconds = 120;
    api.install();
    const start = Date.now();
    await listTasks(query);
    vi.spyOn(Date, "now").mockReturnValue(start + 50_000);
    await listTasks(query);
    expect(api.tokensIssued).toBe(1);
    vi.spyOn(Date, "now").mockReturnValue(start + 70_000); // within a minute of expiry
    await listTasks(query);
    expect(api.tokensIssued).toBe(2);
  });

  it("retries once with a fresh token after a 401", async () => {
    const api = new FakeApi()
      .override("GET", /\/tasks$/, () => problem(401, "invalid_token", "Authentication required"))
      .install();
    const page = await listTasks(query);
    expect(page.tasks).toEqual([]);
    expect(api.tokensIssued).toBe(2);
    const [first, second] = api.calls("GET", /\/tasks$/);
    expect(first?.headers.get("Authorization")).not.toBe(second?.headers.get("Authorization"));
  });

  it("sends the person to sign in when the session has ended, and back afterwards", async () => {
    window.history.replaceState(null, "", "/tasks?status=active");
    const api = new FakeApi().install();
    await listTasks(query);
    api.signedIn = false;
    api.override("GET", /\/tasks$/, () => problem(401, "invalid_token", "Authentication required"));

    await expect(listTasks(query)).rejects.toBeInstanceOf(SessionEndedError);
    expect(navigation.assign).toHaveBeenCalledWith("/sign-in?next=%2Ftasks%3Fstatus%3Dactive&reason=session-ended");
  });

  it("notes an ended session found by a background renewal, and acts on it at the next request", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    window.history.replaceState(null, "", "/tasks");
    const api = new FakeApi();
    api.tokenLifetimeSeconds = 120;
    api.install();
    await listTasks(query);
    api.signedIn = false;

    await vi.advanceTimersByTimeAsync(61_000); // the renewal, a minute before expiry
    expect(api.calls("GET", /\/api\/auth\/token$/)).toHaveLength(2);
    expect(navigation.assign).not.toHaveBeenCalled();

    await expect(listTasks(query)).rejects.toBeInstanceOf(SessionEndedError);
    expect(navigation.assign).toHaveBeenCalledWith("/sign-in?next=%2Ftasks&reason=session-ended");
  });

  it("sends a visitor who never signed in to sign in without the session-ended message", async () => {
    window.history.replaceState(null, "", "/tasks");
    const api = new FakeApi();
    api.signedIn = false;
    api.install();
    await expect(listTasks(query)).rejects.toBeInstanceOf(SessionEndedError);
    expect(navigation.assign).toHaveBeenCalledWith("/sign-in?next=%2Ftasks");
  });

  it("turns problem+json into an ApiError with the field errors", async () => {
    new FakeApi()
      .override("PATCH", /\/tasks\/.+$/, () =>
        problem(422, "validation_failed", "The request breaks a rule", {
          errors: [{ path: "title", message: "Title cannot be empty" }],
        }),
      )
      .install();
    const error = await updateTask("5b0c7c1e-4d8e-4f7a-9a53-2f1f0b6f2d4e", { title: " " }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: "validation_failed", fieldErrors: [{ path: "title" }] });
    expect(describeError(error)).toBe("Title cannot be empty");
  });

  it("re-sends a create after a 503 with the same id and body, and never after a 4xx", async () => {
    const api = new FakeApi()
      .override("POST", /\/tasks$/, () => {
        const response = problem(503, "database_unavailable", "Try again shortly");
        response.headers.set("Retry-After", "0");
        return response;
      })
      .install();
    const id = "5b0c7c1e-4d8e-4f7a-9a53-2f1f0b6f2d4e";
    const task = await createTask({ id, title: "Buy milk", description: "", priority: "none", dueAt: null, tags: [] });
    expect(task.id).toBe(id);
    const creates = api.calls("POST", /\/tasks$/);
    expect(creates).toHaveLength(2);
    expect(creates[0]?.body).toEqual(creates[1]?.body);

    api.override("POST", /\/tasks$/, () => problem(409, "id_conflict", "The id is already in use"));
    await expect(
      createTask({ id, title: "Other", description: "", priority: "none", dueAt: null, tags: [] }),
    ).rejects.toMatchObject({ status: 409 });
    expect(api.calls("POST", /\/tasks$/)).toHaveLength(3);
  });

  it("asks the server after a write whose answer was lost, and takes a task holding the change as the answer", async () => {
    const task = makeTask({ title: "Buy milk" });
    const api = new FakeApi([task])
      .loseAnswer("PATCH", /\/complete$/)
      .loseAnswer("PATCH", /\/tasks\/[^/]+$/)
      .install();
    expect(await setTaskCompleted(task.id, true)).toMatchObject({ id: task.id, completed: true });
    expect(await updateTask(task.id, { title: "Buy oat milk", tags: ["shop"] })).toMatchObject({
      title: "Buy oat milk",
      tags: ["shop"],
    });
    api.loseAnswer("DELETE", /\/tasks\/[^/]+$/);
    await expect(deleteTask(task.id)).resolves.toBeUndefined();
    expect(api.calls("GET", /\/tasks\/[^/]+$/)).toHaveLength(3);
    expect(api.tasks).toEqual([]);

    // A create whose every try lost its answer: the task stored under its id is the answer.
    api.loseAnswer("POST", /\/tasks$/, 4);
    const id = "5b0c7c1e-4d8e-4f7a-9a53-2f1f0b6f2d4e";
    const created = await createTask({
      id,
      title: "Call Alice",
      description: "",
      priority: "none",
      dueAt: null,
      tags: [],
    });
    expect(created).toMatchObject({ id, title: "Call Alice" });
    expect(api.calls("POST", /\/tasks$/)).toHaveLength(4);
    expect(api.tasks).toHaveLength(1);
  });

  it("keeps a write's own error when the server does not hold the change, and asks only when the outcome is unknown", async () => {
    const task = makeTask({ title: "Buy milk" });
    const api = new FakeApi([task]).override("PATCH", /\/complete$/, unavailable).install();
    await expect(setTaskCompleted(task.id, true)).rejects.toMatchObject({ status: 503 });
    expect(api.calls("GET", /\/tasks\/[^/]+$/)).toHaveLength(1);

    // The server cannot say either: the write's error stands.
    api.override("PATCH", /\/tasks\/[^/]+$/, unavailable).override("GET", /\/tasks\/[^/]+$/, unavailable);
    await expect(updateTask(task.id, { title: "Buy oat milk" })).rejects.toMatchObject({ status: 503 });
    api.override("DELETE", /\/tasks\/[^/]+$/, unavailable);
    await expect(deleteTask(task.id)).rejects.toMatchObject({ status: 503 });
    expect(api.calls("GET", /\/tasks\/[^/]+$/)).toHaveLength(3);

    // A refusal is an answer: nothing to ask.
    api.override("PATCH", /\/complete$/, () => problem(412, "version_mismatch", "Changed elsewhere"));
    await expect(setTaskCompleted(task.id, true)).rejects.toMatchObject({ status: 412 });
    expect(api.calls("GET", /\/tasks\/[^/]+$/)).toHaveLength(3);
    expect(api.tasks[0]).toMatchObject({ title: "Buy milk", completed: false });
  });

  it("tells whether a task already holds a merge patch", () => {
    const task = makeTask({ title: "Buy milk", tags: ["shop", "home"], dueAt: "2026-12-01T17:00:00.000Z" });
    expect(holdsPatch(task, { title: "Buy milk", tags: ["shop", "home"] })).toBe(true);
    expect(holdsPatch(task, { dueAt: "2026-12-01T17:00:00Z" })).toBe(true);
    expect(holdsPatch(task, { tags: ["home", "shop"] })).toBe(false);
    expect(holdsPatch(task, { dueAt: null })).toBe(false);
    expect(holdsPatch(task, { title: "Buy oat milk" })).toBe(false);
    expect(holdsPatch({ ...task, dueAt: null }, { dueAt: null, priority: "none" })).toBe(true);
  });

  it("reads the next page's address from the Link header", () => {
    expect(nextLink('</api/u/tasks?cursor=abc&limit=50>; rel="next"')).toBe("/api/u/tasks?cursor=abc&limit=50");
    expect(nextLink('</a>; rel="prev", </b>; rel=next')).toBe("/b");
    expect(nextLink(null)).toBeNull();
  });

  it("decodes sub and exp from a token, and nothing from garbage", () => {
    expect(decodeClaims("x.eyJzdWIiOiJ1MSIsImV4cCI6MTB9.y")).toEqual({ sub: "u1", exp: 10 });
    expect(decodeClaims("not a token")).toBeNull();
  });

  it("names the address to open when a loopback name other than localhost is refused", () => {
    expect(untrustedOriginMessage("http://127.0.0.1:8787")).toBe(
      "This page's address (http://127.0.0.1:8787) is not one this server trusts — open it at http://localhost:8787, or add http://127.0.0.1:8787 to TRUSTED_ORIGINS.",
    );
    expect(untrustedOriginMessage("http://[::1]:8787")).toContain("open it at http://localhost:8787");
    expect(describeError(new ApiError(403, "INVALID_ORIGIN", "Invalid origin"))).toContain(
      `This page's address (${window.location.origin}) is not one this server trusts`,
    );
    expect(describeError(new ApiError(403, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin"))).toContain(
      "is not one this server trusts",
    );
  });

  it("sends an undo of many tasks in requests of at most 400 ids, with the list's filters", async () => {
    const tasks = Array.from({ length: 450 }, (_, i) => makeTask({ title: `Task ${i}`, completed: true }));
    const api = new FakeApi(tasks).install();
    const marked = await setCompletedWhere(
      false,
      { status: "all" },
      tasks.map((task) => task.id),
    );

    const requests = api.calls("PATCH", /\/tasks$/);
    expect(requests.map((r) => (r.body as { ids: string[] }).ids.length)).toEqual([400, 50]);
    expect(requests[0]?.search.get("status")).toBe("all");
    expect(marked.updated).toBe(450);
    expect(api.tasks.every((task) => !task.completed)).toBe(true);
  });
});
