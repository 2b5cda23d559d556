import { vi } from "vitest";
import type { Cleared, Marked, Restored, Task } from "../lib/api-client.ts";

/**
 * An in-memory stand-in for the Worker, installed as `fetch` — the only boundary the tests
 * fake. It answers like the real API (problem+json, Link, X-Total-Count, idempotent
 * creates) and can be told to refuse or lose the next matching request.
 */

export const userId = "user-1";

export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  body: unknown;
  headers: Headers;
}

type Responder = (request: RecordedRequest) => Response | Promise<Response> | "network-error";

interface Override {
  method: string;
  path: RegExp;
  respond: Responder;
  times: number;
}

export function jwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "RS256", kid: "k1" })}.${encode(claims)}.signature`;
}

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Response {
  return new Response(
    JSON.stringify({ type: `urn:brisk:problem:${code}`, title: code, status, detail, code, ...extra }),
    {
      status,
      headers: { "Content-Type": "application/problem+json" },
    },
  );
}

/** The Worker's answer when the database did not answer; `Retry-After: 0` so tests need not wait. */
export function unavailable(): Response {
  const response = problem(503, "database_unavailable", "The database did not answer in time; try again shortly.");
  response.headers.set("Retry-After", "0");
  return response;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

let clock = Date.parse("2026-11-20T09:00:00.000Z");
function tick(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

export function makeTask(fields: Partial<Task> & { title: string }): Task {
  const now = tick();
  return {
    id: crypto.randomUUID(),
    userId,
    description: "",
    completed: false,
    completedAt: null,
    priority: "none",
    dueAt: null,
    tags: [],
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...fields,
  };
}

export class FakeApi {
  tasks: Task[] = [];
  requests: RecordedRequest[] = [];
  signedIn = true;
  tokenLifetimeSeconds = 900;
  tokensIssued = 0;
  pageSize: number | null = null;
  private overrides: Override[] = [];
  /** What each bulk delete removed, by its undo token. */
  private cleared = new Map<string, Task[]>();

  constructor(tasks: Task[] = []) {
    this.tasks = tasks;
  }

  /** Installs this fake as the global fetch. */
  install(): this {
    vi.stubGlobal(
      "fetch",
      vi.fn((input: RequestInfo | URL, init?: RequestInit) => this.handle(input, init)),
    );
    return this;
  }

  /** The next `times` requests matching method and path get this answer instead. */
  override(method: string, path: RegExp, respond: Responder, times = 1): this {
    this.overrides.push({ method, path, respond, times });
    return this;
  }

  /** The next `times` matching requests are applied, but their answer is lost: a 503 comes back instead. */
  loseAnswer(method: string, path: RegExp, times = 1): this {
    return this.override(
      method,
      path,
      (request) => {
        this.route(request);
        return unavailable();
      },
      times,
    );
  }

  calls(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  private async handle(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request ? input : null;
    const url = new URL(request ? request.url : String(input), "http://localhost:4321");
    const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
    const rawBody = init?.body ?? (request ? await request.text() : undefined);
    const body = typeof rawBody === "string" && rawBody ? JSON.parse(rawBody) : undefined;
    const headers = new Headers(init?.headers ?? request?.headers);
    const recorded: RecordedRequest = { method, path: url.pathname, search: url.searchParams, body, headers };
    this.requests.push(recorded);

    const override = this.overrides.find((o) => o.method === method && o.path.test(url.pathname));
    if (override) {
      override.times -= 1;
      if (override.times <= 0) this.overrides.splice(this.overrides.indexOf(override), 1);
      const answer = await override.respond(recorded);
      if (answer === "network-error") throw new TypeError("Failed to fetch");
      return answer;
    }
    return this.route(recorded);
  }

  private route(r: RecordedRequest): Response {
    if (r.path === "/api/auth/token") {
      if (!this.signedIn) return json({ code: "UNAUTHORIZED", message: "Unauthorized" }, 401);
      this.tokensIssued += 1;
      const now = Math.floor(Date.now() / 1000);
      return json({
        token: jwt({ sub: userId, iat: now, exp: now + this.tokenLifetimeSeconds, n: this.tokensIssued }),
      });
    }
    if (r.path === "/api/auth/get-session") {
      return json(
        this.signedIn ? { user: { id: userId, name: "Ada Lovelace", email: "ada@example.com" }, session: {} } : null,
      );
    }
    const base = `/api/${userId}/tasks`;
    if (!r.path.startsWith(base)) return problem(404, "not_found", `Nothing at ${r.path}`);
    const auth = r.headers.get("Authorization");
    if (!auth?.startsWith("Bearer ")) return problem(401, "invalid_token", "Authentication required");
    const rest = r.path.slice(base.length);

    if (rest === "" && r.method === "GET") return this.list(r);
    if (rest === "" && r.method === "POST") return this.create(r.body as Partial<Task> & { id: string; title: string });
    if (rest === "" && r.method === "PATCH") {
      const { completed, ids } = r.body as { completed: boolean; ids?: string[] };
      const changed = this.matching(r.search)
        .filter((t) => t.completed !== completed && (!ids || ids.includes(t.id)))
        .map((t) => t.id);
      this.tasks = this.tasks.map((t) =>
        changed.includes(t.id)
          ? { ...t, completed, completedAt: completed ? tick() : null, version: t.version + 1, updatedAt: tick() }
          : t,
      );
      return json({ updated: changed.length, ids: changed } satisfies Marked);
    }
    if (rest === "" && r.method === "DELETE") {
      if (r.search.get("status") !== "completed") return problem(400, "invalid_parameter", "Add ?status=completed");
      const removed = this.matching(r.search);
      const undo = crypto.randomUUID();
      this.cleared.set(undo, removed);
      this.tasks = this.tasks.filter((t) => !removed.includes(t));
      return json({ deleted: removed.length, ids: removed.map((t) => t.id), undo } satisfies Cleared);
    }
    if (rest === "/restore" && r.method === "POST") {
      const { undo } = r.body as { undo: string };
      const back = (this.cleared.get(undo) ?? []).map((t) => ({ ...t, version: t.version + 1, updatedAt: tick() }));
      this.cleared.delete(undo);
      this.tasks.push(...back);
      return json({ restored: back.length, tasks: back } satisfies Restored);
    }
    const match = /^\/([^/]+)(\/complete)?$/.exec(rest);
    const task = this.tasks.find((t) => t.id === match?.[1]);
    if (!match || !task) return problem(404, "task_not_found", "Task not found");
    if (r.method === "GET" && !match[2]) return json(task);
    if (r.method === "DELETE") {
      this.tasks = this.tasks.filter((t) => t !== task);
      return new Response(null, { status: 204 });
    }
    if (r.method === "PATCH") {
      const patch = r.body as Partial<Task>;
      const changed: Task = { ...task, ...patch, version: task.version + 1, updatedAt: tick() };
      if (match[2] || "completed" in patch) changed.completedAt = changed.completed ? tick() : null;
      this.tasks = this.tasks.map((t) => (t === task ? changed : t));
      return json(changed);
    }
    return problem(405, "method_not_allowed", "Not allowed");
  }

  private create(body: Partial<Task> & { id: string; title: string }): Response {
    const existing = this.tasks.find((t) => t.id === body.id);
    if (existing) return json(existing, 200);
    const title = body.title.trim();
    if (!title)
      return problem(422, "validation_failed", "The request breaks a rule", {
        errors: [{ path: "title", message: "Title cannot be empty" }],
      });
    const task = makeTask({ ...body, title, tags: (body.tags ?? []).map((t) => t.toLowerCase()) });
    this.tasks.push(task);
    return json(task, 201, { Location: `/api/${userId}/tasks/${task.id}`, ETag: `"1"` });
  }

  /** The tasks the list's filters (`status`, `q`) select — for the listing and the bulk changes alike. */
  private matching(search: URLSearchParams): Task[] {
    const status = search.get("status") ?? "all";
    const q = (search.get("q") ?? "").toLowerCase();
    return this.tasks.filter(
      (t) =>
        (status === "all" || (status === "completed") === t.completed) &&
        (!q || t.title.toLowerCase().includes(q) || t.description.toLowerCase().includes(q)),
    );
  }

  private list(r: RecordedRequest): Response {
    const order = r.search.get("order") ?? "desc";
    const limit = Number(r.search.get("limit") ?? 50);
    const rows = [...this.matching(r.search)].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    if (order === "desc") rows.reverse();
    const offset = Number(r.search.get("cursor") ?? 0);
    const size = Math.min(limit, this.pageSize ?? limit);
    const page = rows.slice(offset, offset + size);
    const headers: Record<string, string> = { "X-Total-Count": String(rows.length) };
    if (offset + size < rows.length) {
      const next = new URLSearchParams(r.search);
      next.set("cursor", String(offset + size));
      headers.Link = `<${r.path}?${next.toString()}>; rel="next"`;
    }
    return json(page, 200, headers);
  }
}
