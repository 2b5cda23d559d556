import { describe, expect, it, vi } from "vitest";
import { FakeApi, problem } from "../test/fake-api.ts";
import {
  ApiError,
  createTask,
  decodeClaims,
  describeError,
  listTasks,
  nextLink,
  SessionEndedError,
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

  it("reads the next page's address from the Link header", () => {
    expect(nextLink('</api/u/tasks?cursor=abc&limit=50>; rel="next"')).toBe("/api/u/tasks?cursor=abc&limit=50");
    expect(nextLink('</a>; rel="prev", </b>; rel=next')).toBe("/b");
    expect(nextLink(null)).toBeNull();
  });

  it("decodes sub and exp from a token, and nothing from garbage", () => {
    expect(decodeClaims("x.eyJzdWIiOiJ1MSIsImV4cCI6MTB9.y")).toEqual({ sub: "u1", exp: 10 });
    expect(decodeClaims("not a token")).toBeNull();
  });
});
