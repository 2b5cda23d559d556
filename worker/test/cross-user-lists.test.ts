import { beforeAll, describe, expect, it } from "vitest";
import { accessToken, call, signUp } from "./fixtures.ts";
import { sql } from "./stand-in-control.ts";

/**
 * The cross-user rule for lists (docs/decisions/025-lists.md): whatever B sends with one
 * of A's list ids — under B's path — the answer is the one for an id nobody has (404, or
 * 422 on `list` for a task write), and A's lists and tasks stay exactly as they were.
 */

interface Actor {
  id: string;
  token: string;
}

async function newActor(): Promise<Actor> {
  const user = await signUp();
  return { id: user.id, token: await accessToken(user.cookie) };
}

/** A's lists and tasks, as Postgres prints them: a byte-exact snapshot. */
async function rowsOfA(): Promise<string[]> {
  const rows = await sql<{ row: string }>(
    `select row_to_json(l)::text as row from lists l where user_id = $1
     union all select row_to_json(t)::text from tasks t where user_id = $1 order by 1`,
    [a.id],
  );
  return rows.map(({ row }) => row);
}

let a: Actor;
let b: Actor;
let aList: { id: string; name: string };
let aInbox: { id: string };
let bTask: { id: string };
let snapshot: string[];

beforeAll(async () => {
  [a, b] = await Promise.all([newActor(), newActor()]);
  const created = await call(`/api/${a.id}/lists`, { token: a.token, body: { name: "A's secret plans" } });
  aList = (await created.json()) as typeof aList;
  await call(`/api/${a.id}/tasks`, { token: a.token, body: { title: "In A's list", list: aList.id } });
  const lists = (await (await call(`/api/${a.id}/lists`, { token: a.token })).json()) as {
    id: string;
    inbox: boolean;
  }[];
  aInbox = lists.find((list) => list.inbox) as { id: string };
  bTask = (await (await call(`/api/${b.id}/tasks`, { token: b.token, body: { title: "B's" } })).json()) as {
    id: string;
  };
  snapshot = await rowsOfA();
});

const itemCalls: { label: string; method: string; query?: string; body?: unknown }[] = [
  { label: "GET", method: "GET" },
  { label: "PATCH a rename", method: "PATCH", body: { name: "Hijacked" } },
  { label: "PATCH a recolour", method: "PATCH", body: { colour: "red" } },
  { label: "PATCH empty", method: "PATCH", body: {} },
  { label: "DELETE moving tasks", method: "DELETE", query: "?tasks=move" },
  { label: "DELETE deleting tasks", method: "DELETE", query: "?tasks=delete" },
];
const ifMatches = [undefined, "*", '"1"', '"99"'];
const targets = ["list", "inbox"] as const;

const cells = targets.flatMap((target) =>
  itemCalls.flatMap((item) =>
    (item.method === "GET" ? [undefined] : ifMatches).map((ifMatch) => ({ ...item, target, ifMatch })),
  ),
);

describe("B with A's list ids under B's own path", () => {
  it.each(cells)("$label on A's $target with If-Match $ifMatch answers 404 like an unknown id", async (cell) => {
    const id = cell.target === "list" ? aList.id : aInbox.id;
    const send = (listId: string) =>
      call(`/api/${b.id}/lists/${listId}${cell.query ?? ""}`, {
        method: cell.method,
        token: b.token,
        body: cell.body,
        headers: cell.ifMatch === undefined ? {} : { "If-Match": cell.ifMatch },
      });
    const response = await send(id);
    const unknown = await send(crypto.randomUUID());
    expect(response.status).toBe(404);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: 404, code: "list_not_found" });
    expect(text).toBe(await unknown.text());
    expect(response.headers.get("etag")).toBeNull();
    expect(await rowsOfA()).toEqual(snapshot);
  });

  it.each(targets)("a task cannot be created in, moved to or replaced into A's %s (422 on list)", async (target) => {
    const id = target === "list" ? aList.id : aInbox.id;
    const attempts = [
      () => call(`/api/${b.id}/tasks`, { token: b.token, body: { title: "Planted", list: id } }),
      () => call(`/api/${b.id}/tasks/${bTask.id}`, { method: "PATCH", token: b.token, body: { list: id } }),
      () => call(`/api/${b.id}/tasks/${bTask.id}`, { method: "PUT", token: b.token, body: { title: "x", list: id } }),
    ];
    for (const attempt of attempts) {
      const response = await attempt();
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ errors: [{ path: "list" }] });
    }
    expect(await rowsOfA()).toEqual(snapshot);
  });

  it.each(targets)("filtering by A's %s finds none of A's tasks and changes none", async (target) => {
    const id = target === "list" ? aList.id : aInbox.id;
    const listed = await call(`/api/${b.id}/tasks?list=${id}`, { token: b.token });
    expect(await listed.json()).toEqual([]);
    const marked = await call(`/api/${b.id}/tasks?list=${id}`, {
      method: "PATCH",
      token: b.token,
      body: { completed: true },
    });
    expect(await marked.json()).toMatchObject({ updated: 0 });
    const cleared = await call(`/api/${b.id}/tasks?status=completed&list=${id}`, { method: "DELETE", token: b.token });
    expect(await cleared.json()).toMatchObject({ deleted: 0 });
    expect(await rowsOfA()).toEqual(snapshot);
  });
});

describe("B under A's path", () => {
  const routes = [
    { method: "GET", path: () => `/api/${a.id}/lists` },
    { method: "POST", path: () => `/api/${a.id}/lists`, body: { name: "Planted" } },
    { method: "GET", path: () => `/api/${a.id}/lists/${aList.id}` },
    { method: "PATCH", path: () => `/api/${a.id}/lists/${aList.id}`, body: { name: "Hijacked" } },
    { method: "DELETE", path: () => `/api/${a.id}/lists/${aList.id}?tasks=delete` },
  ];
  it.each(routes)("$method is refused and changes nothing", async (route) => {
    const response = await call(route.path(), { method: route.method, token: b.token, body: route.body });
    expect(response.status).toBe(403);
    expect(await rowsOfA()).toEqual(snapshot);
  });
  it("without a token every list route answers 401", async () => {
    for (const route of routes) {
      const response = await call(route.path(), { method: route.method, body: route.body });
      expect(response.status).toBe(401);
    }
    expect(await rowsOfA()).toEqual(snapshot);
  });
});
