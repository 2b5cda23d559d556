import { HttpResponse, http as untyped, ws } from "msw";
import { setupServer } from "msw/node";
import { createOpenApiHttp } from "openapi-msw";
import { isPositionKey } from "../../../worker/src/lists/lists.schemas.ts";
import { newTaskPosition, positionKeyCap } from "../../../worker/src/tasks/position.ts";
import { completionsKept, nextDue } from "../../../worker/src/tasks/recurrence.ts";
import type { Changes, List, paths, Task } from "../lib/api/schema.d.ts";
import { matchesNarrowing, viewFromSearch } from "../lib/task-view.ts";
import { browserZone } from "../lib/time-zone.ts";

/**
 * The Worker, faked at the HTTP boundary with MSW: handlers typed from the OpenAPI document
 * (openapi-msw over the generated `paths`), so a request or answer the contract does not allow
 * fails to compile. It keeps tasks in memory with a change sequence like the real feed,
 * honours `If-Match`, and can be told to refuse, fail or lose the next matching request.
 * Lists follow the server's rules too (docs/tasks-api.md "Lists"): a create is idempotent on
 * its id, `If-Match` → 412, a deletion moves its tasks to the Inbox or deletes them.
 */

export const userId = "user-1";
const origin = "http://localhost:4321";
const http = createOpenApiHttp<paths>({ baseUrl: origin });

export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  body: unknown;
  headers: Headers;
}

/** `{ applyThenWait }`: the request is applied at once, its answer waits for the promise (a slow network back). */
type Answer = Response | "network-error" | "apply-then-lose" | { applyThenWait: Promise<unknown> };

interface Override {
  method: string;
  path: RegExp;
  respond: (request: RecordedRequest) => Answer | Promise<Answer>;
  times: number;
}

export function jwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "RS256", kid: "k1" })}.${encode(claims)}.signature`;
}

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Response {
  return HttpResponse.json(
    { type: `urn:brisk:problem:${code}`, title: code, status, detail, code, ...extra },
    { status, headers: { "Content-Type": "application/problem+json" } },
  );
}

/** A refusal of Better Auth's as the Worker renders it: problem+json keeping Better Auth's `code` and `message`. */
export function authRefusal(status: number, code: string, message: string): Response {
  return problem(status, code, message, { message });
}

/** The Worker's answer when the database did not answer; `Retry-After: 0` so tests need not wait. */
export function unavailable(): Response {
  const response = problem(
    503,
    "database_unavailable",
    "The database did not answer in time; try again shortly. Nothing was half-written.",
  );
  response.headers.set("Retry-After", "0");
  return response;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return HttpResponse.json(body as Record<string, unknown>, { status, headers });
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
    due: null,
    list: fakeInbox.id,
    // As the server places a new task: at the top (worker/src/tasks/position.ts).
    position: newTaskPosition(Date.parse(now)),
    reminders: [],
    recurrence: null,
    completions: [],
    tags: [],
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...fields,
  };
}

/** The person's Inbox, as the server's feed has it on a full sync (decision 025). */
export const fakeInbox = {
  id: "00000000-0000-4000-8000-00000000b0c5",
  name: "Inbox",
  colour: "grey",
  position: "a0",
  inbox: true,
  createdAt: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
  version: 1,
} as const;

export class FakeServer {
  tasks: Task[] = [];
  requests: RecordedRequest[] = [];
  signedIn = true;
  tokenLifetimeSeconds = 900;
  /** How long each task-API answer takes (a far-away database). */
  delayMs = 0;
  /** Change sequence: each task's last change, and deletions (tombstones). */
  private seq = 0;
  private changedAt = new Map<string, number>();
  private deletedAt = new Map<string, number>();
  private overrides: Override[] = [];
  /** What a bulk delete, or a single delete given `?undo=`, kept under each undo token (the server's `deleted_tasks`). */
  private cleared = new Map<string, Task[]>();
  /** The person's lists, the Inbox first; each list's last change and deletions, on the same sequence. */
  lists: List[] = [{ ...fakeInbox }];
  private listChangedAt = new Map<string, number>();
  private listDeletedAt = new Map<string, number>();

  constructor(tasks: Task[] = [], lists: List[] = []) {
    for (const list of lists) this.putList(list);
    for (const task of tasks) this.put(task);
  }

  /** Starts answering (the MSW server is started once, in the test setup). */
  install(): this {
    server.resetHandlers(...this.handlers(), this.liveHandler());
    return this;
  }

  /** The live channel's open sockets: `announce()` tells them a write committed. */
  private sockets = new Set<{ send: (data: string) => void }>();

  announce(message: Record<string, unknown> = { type: "changed", cursor: String(this.seq) }): void {
    for (const socket of this.sockets) socket.send(JSON.stringify(message));
  }

  private liveHandler() {
    return live.addEventListener("connection", ({ client, info }) => {
      this.liveProtocols.push(info.protocols ?? []);
      this.sockets.add(client);
      client.addEventListener("close", () => this.sockets.delete(client));
    });
  }

  /** The subprotocols each live connection offered. */
  liveProtocols: (string | string[])[] = [];

  /** Another device changed a task: the server holds it, one version later. */
  changeElsewhere(id: string, patch: Partial<Task>): Task {
    const task = this.find(id);
    if (!task) throw new Error(`no task ${id}`);
    return this.put({ ...task, ...patch, version: task.version + 1, updatedAt: tick() });
  }

  /** The next `times` requests matching method and path get this answer instead. */
  override(method: string, path: RegExp, respond: Override["respond"], times = 1): this {
    this.overrides.push({ method, path, respond, times });
    return this;
  }

  /** The next `times` matching requests are applied, but their answer is lost: a 503 comes back instead. */
  loseAnswer(method: string, path: RegExp, times = 1): this {
    return this.override(method, path, () => "apply-then-lose", times);
  }

  /** The next matching request is applied at once, but its answer comes only once `until` settles. */
  slowAnswer(method: string, path: RegExp, until: Promise<unknown>): this {
    return this.override(method, path, () => ({ applyThenWait: until }));
  }

  calls(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  find(id: string): Task | undefined {
    return this.tasks.find((task) => task.id === id);
  }

  findList(id: string): List | undefined {
    return this.lists.find((list) => list.id === id);
  }

  /** Another device changed a list: the server holds it, one version later. */
  changeListElsewhere(id: string, patch: Partial<List>): List {
    const list = this.findList(id);
    if (!list) throw new Error(`no list ${id}`);
    return this.putList({ ...list, ...patch, version: list.version + 1, updatedAt: tick() });
  }

  private putList(list: List): List {
    this.seq += 1;
    this.lists = [...this.lists.filter((l) => l.id !== list.id), list];
    this.listChangedAt.set(list.id, this.seq);
    this.listDeletedAt.delete(list.id);
    return list;
  }

  private dropList(id: string): void {
    this.seq += 1;
    this.lists = this.lists.filter((l) => l.id !== id);
    this.listChangedAt.delete(id);
    this.listDeletedAt.set(id, this.seq);
  }

  /** Occurrences completed per recurring task (the server's `recurrence_done`, which COUNT counts; not in the API). */
  private recurrenceDone = new Map<string, number>();

  /**
   * A recurring task's complete or its undo, as the server's statement does it (decision 024,
   * worker/src/tasks/tasks-completion.repo.ts) with the shared rules (recurrence.ts): completing an
   * active one records `{at, due}` first in `completions` (`at` its `updatedAt`) and moves `due` to
   * the next occurrence, or completes the last; `completed: false` takes the latest completion back.
   * Undefined for any other complete (a plain task's, a finished series' set again).
   */
  private occurrenceWrite(task: Task, completed: boolean): Task | undefined {
    if (!task.recurrence || !task.due) return undefined;
    const done = this.recurrenceDone.get(task.id) ?? task.completions.length;
    if (completed && !task.completed) {
      const at = tick();
      const next = nextDue(task.recurrence, task.due, done, { now: Date.parse(at), personZone: browserZone() });
      this.recurrenceDone.set(task.id, done + 1);
      return {
        ...task,
        due: next ?? task.due,
        completed: next === null,
        completedAt: next === null ? at : null,
        completions: [{ at, due: task.due }, ...task.completions].slice(0, completionsKept),
        updatedAt: at,
        version: task.version + 1,
      };
    }
    const [latest, ...earlier] = task.completions;
    if (completed || !latest) return undefined;
    this.recurrenceDone.set(task.id, Math.max(done - 1, 0));
    return {
      ...task,
      due: latest.due,
      completed: false,
      completedAt: null,
      completions: earlier,
      updatedAt: tick(),
      version: task.version + 1,
    };
  }

  private put(task: Task): Task {
    this.seq += 1;
    this.tasks = [...this.tasks.filter((t) => t.id !== task.id), task];
    this.changedAt.set(task.id, this.seq);
    this.deletedAt.delete(task.id);
    return task;
  }

  private drop(id: string): void {
    this.seq += 1;
    this.tasks = this.tasks.filter((t) => t.id !== id);
    this.changedAt.delete(id);
    this.deletedAt.set(id, this.seq);
  }

  /** Records the request and applies an override, if one matches; null means "answer normally". */
  private async intercept(
    request: Request,
  ): Promise<{ answer: Response | null; lose: boolean; wait?: Promise<unknown> | undefined }> {
    const url = new URL(request.url);
    const text = await request.clone().text();
    const recorded: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      search: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
      headers: request.headers,
    };
    this.requests.push(recorded);
    const override = this.overrides.find((o) => o.method === request.method && o.path.test(url.pathname));
    if (!override) return { answer: null, lose: false };
    override.times -= 1;
    if (override.times <= 0) this.overrides.splice(this.overrides.indexOf(override), 1);
    const answer = await override.respond(recorded);
    if (answer === "network-error") return { answer: HttpResponse.error(), lose: false };
    if (answer === "apply-then-lose") return { answer: null, lose: true };
    if ("applyThenWait" in answer) return { answer: null, lose: false, wait: answer.applyThenWait };
    return { answer, lose: false };
  }

  private authorised(request: Request): Response | null {
    if (!request.headers.get("Authorization")?.startsWith("Bearer ")) {
      return problem(401, "invalid_token", "Authentication required");
    }
    return null;
  }

  /** Wraps a resolver: records, applies overrides and the bearer check, and loses the answer when told. */
  private answer<A extends { request: Request }>(resolve: (args: A) => Response | Promise<Response>) {
    return async (args: A): Promise<Response> => {
      const { answer, lose, wait } = await this.intercept(args.request);
      if (answer) return answer;
      const refused = this.authorised(args.request);
      if (refused) return refused;
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const response = await resolve(args);
      await wait;
      return lose ? unavailable() : response;
    };
  }

  private stale(request: Request, task: Task): Response | null {
    const expected = request.headers.get("If-Match");
    if (expected && expected !== `"${task.version}"`) {
      return problem(412, "version_mismatch", "The task was changed since that version.");
    }
    return null;
  }

  /** The list's filters, by the client's own rules (lib/task-view.ts; the real server's are checked end to end). */
  private matching(query: URLSearchParams): Task[] {
    const status = query.get("status") ?? "all";
    const view = viewFromSearch(`?${query.toString()}`);
    return this.tasks.filter(
      (t) => (status === "all" || (status === "completed") === t.completed) && matchesNarrowing(t, view),
    );
  }

  handlers() {
    const notFound = () => problem(404, "task_not_found", "Task not found");
    return [
      untyped.get(`${origin}/api/auth/token`, async ({ request }) => {
        const { answer } = await this.intercept(request);
        if (answer) return answer;
        if (!this.signedIn) return authRefusal(401, "UNAUTHORIZED", "Unauthorized");
        const now = Math.floor(Date.now() / 1000);
        return HttpResponse.json({ token: jwt({ sub: userId, iat: now, exp: now + this.tokenLifetimeSeconds }) });
      }),
      untyped.get(`${origin}/api/auth/get-session`, async ({ request }) => {
        const { answer } = await this.intercept(request);
        if (answer) return answer;
        return HttpResponse.json(
          this.signedIn ? { user: { id: userId, name: "Ada Lovelace", email: "ada@example.com" }, session: {} } : null,
        );
      }),
      // Better Auth's other endpoints are not in the task API's contract: answered by overrides.
      untyped.all(`${origin}/api/auth/*`, async ({ request }) => {
        const { answer } = await this.intercept(request);
        return answer ?? authRefusal(404, "NOT_FOUND", "Not found");
      }),
      http.get(
        "/api/{userId}/tasks/changes",
        this.answer(({ query, response }) => {
          const since = query.get("since");
          const from = since === null ? 0 : Number(since);
          const changes = this.tasks.filter((t) => (this.changedAt.get(t.id) ?? 0) > from);
          changes.sort((a, b) => (this.changedAt.get(a.id) ?? 0) - (this.changedAt.get(b.id) ?? 0));
          const deleted = since === null ? [] : [...this.deletedAt].filter(([, at]) => at > from).map(([id]) => id);
          const lists =
            since === null
              ? { lists: this.lists }
              : {
                  lists: this.lists.filter((l) => (this.listChangedAt.get(l.id) ?? 0) > from),
                  deletedLists: [...this.listDeletedAt].filter(([, at]) => at > from).map(([id]) => id),
                };
          const body: Changes = { changes, deleted, ...lists, cursor: String(this.seq), more: false };
          return response(200).json(body);
        }),
      ),
      http.post(
        "/api/{userId}/tasks",
        this.answer(async ({ request, response }) => {
          const body = await request.json();
          const existing = body.id ? this.find(body.id) : undefined;
          // A replayed create answers the stored task; another body under the same id is 409, as the server says.
          if (existing && existing.title === body.title.trim()) return response(200).json(existing);
          if (existing) return problem(409, "conflict", "Another task has this id");
          const title = body.title.trim();
          if (!title) {
            return problem(422, "validation_failed", "The request breaks a rule", {
              errors: [{ path: "title", message: "Title cannot be empty" }],
            });
          }
          // A task sent into a list deleted meanwhile lands in the Inbox, as the server does.
          const list = body.list && this.listDeletedAt.has(body.list) ? fakeInbox.id : (body.list ?? fakeInbox.id);
          const created = this.put(
            makeTask({
              ...body,
              list,
              id: body.id ?? crypto.randomUUID(),
              title,
              tags: (body.tags ?? []).map((t) => t.toLowerCase()),
              reminders: (body.reminders ?? []) as Task["reminders"],
              recurrence: body.recurrence ? { rule: body.recurrence.rule, from: body.recurrence.from ?? "due" } : null,
              due: body.due
                ? { date: body.due.date, time: body.due.time ?? null, timeZone: body.due.timeZone ?? null }
                : null,
            }),
          );
          return response(201).json(created);
        }),
      ),
      http.patch(
        "/api/{userId}/tasks",
        this.answer(async ({ request, response }) => {
          const { completed, ids } = await request.json();
          const changed = this.matching(new URL(request.url).searchParams)
            // Recurring tasks are left as they are, as the server's bulk complete does.
            .filter((t) => t.completed !== completed && !(t.recurrence && t.due) && (!ids || ids.includes(t.id)))
            .map((t) => t.id);
          for (const id of changed) {
            const t = this.find(id) as Task;
            this.put({ ...t, completed, completedAt: completed ? tick() : null, version: t.version + 1 });
          }
          return response(200).json({ updated: changed.length, ids: changed });
        }),
      ),
      http.delete(
        "/api/{userId}/tasks",
        this.answer(({ request, response }) => {
          const removed = this.matching(new URL(request.url).searchParams);
          const undo = crypto.randomUUID();
          this.cleared.set(undo, removed);
          for (const t of removed) this.drop(t.id);
          return response(200).json({ deleted: removed.length, ids: removed.map((t) => t.id), undo });
        }),
      ),
      http.post(
        "/api/{userId}/tasks/restore",
        this.answer(async ({ request, response }) => {
          const { undo } = await request.json();
          const kept = this.cleared.get(undo) ?? [];
          this.cleared.delete(undo);
          // An id taken again since is left as it is; a list deleted meanwhile gives way to the Inbox, as the server does.
          const back = kept
            .filter((t) => !this.find(t.id))
            .map((t) =>
              this.put({ ...t, list: this.listDeletedAt.has(t.list) ? fakeInbox.id : t.list, version: t.version + 1 }),
            );
          const now = kept.flatMap((t) => this.find(t.id) ?? []);
          return response(200).json({ restored: back.length, tasks: now });
        }),
      ),
      http.get(
        "/api/{userId}/tasks/{id}",
        this.answer(({ params, response }) => {
          const task = this.find(params.id);
          return task ? response(200).json(task) : notFound();
        }),
      ),
      http.patch(
        "/api/{userId}/tasks/{id}",
        this.answer(async ({ params, request, response }) => {
          const task = this.find(params.id);
          if (!task) return notFound();
          const refused = this.stale(request, task);
          if (refused) return refused;
          const patch = await request.json();
          // A position the key library refuses is refused, as the server does (decision 030).
          if (
            typeof patch.position === "string" &&
            !(patch.position.length <= positionKeyCap && isPositionKey(patch.position))
          ) {
            return problem(422, "validation_failed", "The request breaks a rule", {
              errors: [
                { path: "position", message: "The position must be a fractional-indexing key such as a0 or a0V" },
              ],
            });
          }
          // JSON merge patch: `null` resets a field to its default (the Inbox for `list`), as the server does.
          const defaults: Partial<Task> = {
            description: "",
            priority: "none",
            tags: [],
            reminders: [],
            list: fakeInbox.id,
            // Back to the top, as a new task (worker/src/tasks/position.ts).
            position: newTaskPosition(clock),
          };
          const reset = Object.fromEntries(
            Object.entries(patch).map(([field, value]) => [
              field,
              value === null ? (defaults[field as keyof Task] ?? null) : value,
            ]),
          );
          const changed = { ...task, ...reset, version: task.version + 1, updatedAt: tick() } as Task;
          if ("completed" in patch) changed.completedAt = changed.completed ? tick() : null;
          return response(200).json(this.put(changed));
        }),
      ),
      http.patch(
        "/api/{userId}/tasks/{id}/complete",
        this.answer(async ({ params, request, response }) => {
          const task = this.find(params.id);
          if (!task) return notFound();
          const refused = this.stale(request, task);
          if (refused) return refused;
          const { completed } = (await request.json()) as { completed: boolean };
          const occurrence = this.occurrenceWrite(task, completed);
          if (occurrence) return response(200).json(this.put(occurrence));
          const changed = { ...task, completed, completedAt: completed ? tick() : null, version: task.version + 1 };
          return response(200).json(this.put(changed));
        }),
      ),
      http.delete(
        "/api/{userId}/tasks/{id}",
        this.answer(({ params, request }) => {
          const task = this.find(params.id);
          if (!task) return notFound();
          const refused = this.stale(request, task);
          if (refused) return refused;
          // An undo token keeps the task for `POST …/tasks/restore` (decision 034).
          const undo = new URL(request.url).searchParams.get("undo");
          if (undo) this.cleared.set(undo, [...(this.cleared.get(undo) ?? []), task]);
          this.drop(task.id);
          return new HttpResponse(null, { status: 204 });
        }),
      ),
      ...this.listHandlers(),
    ];
  }

  private listHandlers() {
    const notFound = () => problem(404, "list_not_found", "There is no such list among yours.");
    const stale = (request: Request, list: List) => {
      const expected = request.headers.get("If-Match");
      return expected && expected !== `"${list.version}"`
        ? problem(412, "list_version_mismatch", "The list changed since you last read it; nothing was changed.")
        : null;
    };
    const emptyName = () =>
      problem(422, "validation_failed", "The request breaks a rule", {
        errors: [{ path: "name", message: "A list needs a name" }],
      });
    return [
      http.get(
        "/api/{userId}/lists",
        this.answer(({ response }) => response(200).json(this.lists)),
      ),
      http.post(
        "/api/{userId}/lists",
        this.answer(async ({ request, response }) => {
          const body = await request.json();
          const name = body.name.trim();
          if (!name) return emptyName();
          const colour = body.colour ?? "grey";
          const existing = body.id ? this.findList(body.id) : undefined;
          // A replayed create answers the stored list; another body under the same id is 409.
          if (existing) {
            const same =
              !existing.inbox &&
              existing.name === name &&
              existing.colour === colour &&
              (body.position === undefined || existing.position === body.position);
            return same
              ? response(200).json(existing)
              : problem(409, "id_conflict", "A different list already uses this id; choose another id.");
          }
          const now = tick();
          const created = this.putList({
            id: body.id ?? crypto.randomUUID(),
            name,
            colour,
            position:
              body.position ??
              `${[...this.lists].sort((a, b) => (a.position < b.position ? 1 : -1))[0]?.position ?? "a0"}V`,
            inbox: false,
            createdAt: now,
            updatedAt: now,
            version: 1,
          });
          return response(201).json(created);
        }),
      ),
      http.get(
        "/api/{userId}/lists/{id}",
        this.answer(({ params, response }) => {
          const list = this.findList(params.id);
          return list ? response(200).json(list) : notFound();
        }),
      ),
      http.patch(
        "/api/{userId}/lists/{id}",
        this.answer(async ({ params, request, response }) => {
          const list = this.findList(params.id);
          if (!list) return notFound();
          const refused = stale(request, list);
          if (refused) return refused;
          const patch = await request.json();
          if (patch.name !== undefined && !patch.name.trim()) return emptyName();
          const name = patch.name?.trim() ?? list.name;
          const changed = { ...list, ...patch, name, version: list.version + 1, updatedAt: tick() };
          return response(200).json(this.putList(changed));
        }),
      ),
      http.delete(
        "/api/{userId}/lists/{id}",
        this.answer(({ params, query, request, response }) => {
          const list = this.findList(params.id);
          if (!list) return notFound();
          if (list.inbox) return problem(409, "inbox_undeletable", "The Inbox cannot be deleted.");
          const refused = stale(request, list);
          if (refused) return refused;
          const mode = query.get("tasks");
          if (mode !== "move" && mode !== "delete") {
            return problem(422, "validation_failed", "The request breaks a rule", {
              errors: [{ path: "tasks", message: "Say what becomes of the list's tasks" }],
            });
          }
          const held = this.tasks.filter((t) => t.list === list.id);
          for (const t of held) {
            if (mode === "delete") this.drop(t.id);
            else this.put({ ...t, list: fakeInbox.id, version: t.version + 1, updatedAt: tick() });
          }
          this.dropList(list.id);
          const moved = mode === "move" ? held.length : 0;
          return response(200).json({ moved, deleted: held.length - moved });
        }),
      ),
    ];
  }
}

const live = ws.link("ws://localhost:4321/api/:userId/live");

/** One MSW server for the test run; each test installs its own fake's handlers. */
export const server = setupServer();
