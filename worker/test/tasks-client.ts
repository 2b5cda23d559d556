import type { ListOutput } from "../src/lists/lists.schemas.ts";
import type { Due } from "../src/tasks/due.ts";
import type { TaskOutput } from "../src/tasks/tasks.schemas.ts";
import { accessToken, call, type RequestOptions, signUp, type TestUser } from "./fixtures.ts";

/** A task and a list as the API answers them: the contract's own types (tasks.schemas.ts, lists.schemas.ts). */
export type TaskJson = TaskOutput;
export type ListJson = ListOutput;

/** A timed `due` at an instant (to the minute, rounded down), in UTC. */
export function dueAtInstant(ms: number): Due {
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16), timeZone: "UTC" };
}

/** A signed-up user with an access token and a small client for their task routes. */
export async function taskUser(profile: { timeZone?: string } = {}) {
  const user: TestUser = await signUp(profile);
  const token = await accessToken(user.cookie);
  const base = `/api/${user.id}/tasks`;
  const send = (path: string, options: RequestOptions = {}) => call(`${base}${path}`, { token, ...options });
  return {
    ...user,
    token,
    base,
    send,
    list: (query = "") => send(query ? `?${query}` : ""),
    create: (body: unknown, options: RequestOptions = {}) => send("", { method: "POST", body, ...options }),
    get: (id: string) => send(`/${id}`),
    put: (id: string, body: unknown, headers?: Record<string, string>) =>
      send(`/${id}`, { method: "PUT", body, ...(headers ? { headers } : {}) }),
    patch: (id: string, body: unknown, headers?: Record<string, string>) =>
      send(`/${id}`, { method: "PATCH", body, ...(headers ? { headers } : {}) }),
    complete: (id: string, body?: unknown, headers?: Record<string, string>) =>
      send(`/${id}/complete`, {
        method: "PATCH",
        ...(body === undefined ? {} : { body }),
        ...(headers ? { headers } : {}),
      }),
    remove: (id: string, headers?: Record<string, string>) =>
      send(`/${id}`, { method: "DELETE", ...(headers ? { headers } : {}) }),
    /** Bulk PATCH: `body` is `{completed, ids?}`; `filters` the list's query string (without `?`). */
    markAll: (completed: boolean, filters = "", ids?: string[]) =>
      send(filters ? `?${filters}` : "", { method: "PATCH", body: ids ? { completed, ids } : { completed } }),
    /** Bulk DELETE of the completed tasks matching `filters` (the list's query string, without `?`). */
    clearCompleted: (filters = "") => send(`?status=completed${filters ? `&${filters}` : ""}`, { method: "DELETE" }),
    restore: (undo: string) => send("/restore", { method: "POST", body: { undo } }),
    /** Creates a task and returns it, failing the test if the API refuses. */
    async add(body: Record<string, unknown> = {}): Promise<TaskJson> {
      const response = await send("", { method: "POST", body: { title: "A task", ...body } });
      if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as TaskJson;
    },
  };
}

export type TaskUser = Awaited<ReturnType<typeof taskUser>>;
