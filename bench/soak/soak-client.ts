import { randomUUID } from "node:crypto";
import { cookiesOf } from "../../worker/test/accounts.ts";
import {
  applyPatch,
  chance,
  differences,
  draw,
  expectedPage,
  fieldsArbitrary,
  type ListParams,
  listParamsArbitrary,
  listQueryString,
  type ModelTask,
  modelOf,
  patchArbitrary,
  pick,
  type ServerTask,
  type TaskFields,
} from "../../worker/test/acknowledged-model.ts";
import { benchPassword, newIp } from "../lib/client.ts";
import type { Outcome, Recorder } from "./recorder.ts";

/**
 * One simulated person: signs up from their own address, takes an access token, then
 * works through a random mix of task operations, one request at a time, for as long
 * as the run lasts. Every acknowledged write goes into the model (worker/test/acknowledged-model.ts) and every
 * answer is compared with it. A write whose outcome is unknown (a 5xx, a timeout) is
 * settled the way a careful client would — a create is repeated with the same id,
 * anything else is read back — and the task must then be as before or as after.
 */

interface Answer {
  outcome: Outcome;
  /** The outcome was one of those expected. */
  ok: boolean;
  status: number;
  json: unknown;
  text: string;
  headers: Headers;
}

interface SendOptions {
  body?: unknown;
  ifMatch?: number;
  auth?: "token" | "cookie" | "none";
  expect: number[];
}

/** Method, path, body and the status expected of a request touching another person's tasks. */
type Probe = [string, string, unknown, number];

/** A state the server may hold for a task after a write of unknown outcome; undefined: no task. */
type Candidate = ModelTask | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const etag = (version: number) => `"${version}"`;
/** Renewed well before the access token's lifetime (15 minutes in wrangler.jsonc) runs out. */
const tokenRenewalMs = 5 * 60_000;

export class SoakClient {
  readonly index: number;
  readonly ip = newIp();
  readonly email: string;
  userId = "";
  peers: SoakClient[] = [];
  /** The model: every task this client owns, as its acknowledged writes left it (worker/test/acknowledged-model.ts). */
  readonly tasks = new Map<string, ModelTask>();
  /** Tasks whose state could not be settled after a failed write; left out of every comparison. */
  readonly unresolved = new Set<string>();
  private readonly base: string;
  private readonly recorder: Recorder;
  private readonly timeoutMs: number;
  private cookie = "";
  private token = "";
  private tokenAt = 0;
  private writes = 0;

  constructor(options: { base: string; index: number; recorder: Recorder; timeoutMs: number; runId: string }) {
    this.base = options.base;
    this.index = options.index;
    this.recorder = options.recorder;
    this.timeoutMs = options.timeoutMs;
    this.email = `soak-${options.runId}-${options.index}@example.com`;
  }

  private get tasksPath() {
    return `/api/${this.userId}/tasks`;
  }

  /** A label that makes each written title unique to this client and write. */
  private label() {
    this.writes += 1;
    return `c${this.index}-${this.writes}`;
  }

  private async send(operation: string, method: string, path: string, options: SendOptions): Promise<Answer> {
    const headers: Record<string, string> = { Origin: this.base, "CF-Connecting-IP": this.ip };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const auth = options.auth ?? "token";
    if (auth === "token") headers.Authorization = `Bearer ${this.token}`;
    if (auth === "cookie") headers.Cookie = this.cookie;
    if (options.ifMatch !== undefined) headers["If-Match"] = etag(options.ifMatch);
    const started = performance.now();
    let outcome: Outcome;
    let text = "";
    let responseHeaders = new Headers();
    try {
      const response = await fetch(new URL(path, this.base), {
        method,
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
      outcome = response.status;
      responseHeaders = response.headers;
    } catch (error) {
      outcome = (error as Error).name === "TimeoutError" ? "timeout" : "network error";
      text = String((error as Error).cause ?? error);
    }
    this.recorder.answer(operation, outcome, performance.now() - started);
    const ok = typeof outcome === "number" && options.expect.includes(outcome);
    if (!ok) this.recorder.unexpectedAnswer(operation, `${method} ${path}`, outcome, options.expect, text);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { outcome, ok, status: typeof outcome === "number" ? outcome : 0, json, text, headers: responseHeaders };
  }

  /** Compares an answer's task with the model's expectation; on a difference, records it and adopts the server's. */
  private accept(operation: string, request: string, expected: ModelTask, answer: Answer): void {
    const actual = answer.json as ServerTask;
    const diff = differences(expected, actual);
    const tag = answer.headers.get("ETag");
    if (tag !== null && tag !== etag(actual.version)) diff.push(`ETag ${tag} for version ${actual.version}`);
    if (diff.length > 0) this.recorder.violation("answer differs from the model", operation, request, diff.join("; "));
    this.tasks.set(actual.id, modelOf(actual));
  }

  /* ---------- setting up ---------- */

  async signUp(): Promise<boolean> {
    for (let attempt = 0; attempt < 3 && this.userId === ""; attempt++) {
      const answer = await this.send("sign-up", "POST", "/api/auth/sign-up/email", {
        body: { name: `Soak ${this.index}`, email: this.email, password: benchPassword },
        auth: "none",
        expect: [200],
      });
      if (!answer.ok) {
        await sleep(1000);
        continue;
      }
      // Sign-up answers a new and a taken address alike and starts no session (decision 016): sign in.
      const signedIn = await this.send("sign-in", "POST", "/api/auth/sign-in/email", {
        body: { email: this.email, password: benchPassword },
        auth: "none",
        expect: [200],
      });
      if (!signedIn.ok) {
        await sleep(1000);
        continue;
      }
      this.userId = (signedIn.json as { user: { id: string } }).user.id;
      this.cookie = cookiesOf(signedIn);
    }
    return this.userId !== "" && (await this.renewToken());
  }

  private async renewToken(): Promise<boolean> {
    const answer = await this.send("token", "GET", "/api/auth/token", { auth: "cookie", expect: [200] });
    if (!answer.ok) return false;
    this.token = (answer.json as { token: string }).token;
    this.tokenAt = Date.now();
    return true;
  }

  /* ---------- the mix ---------- */

  async run(keepGoing: () => boolean): Promise<void> {
    while (keepGoing()) await this.step();
  }

  async step(): Promise<void> {
    if (Date.now() - this.tokenAt > tokenRenewalMs) {
      await this.renewToken();
      return;
    }
    const n = this.tasks.size;
    const has = n > 0 ? 1 : 0;
    const weights: [() => Promise<void>, number][] = [
      [() => this.create(), n < 8 ? 40 : n >= 60 ? 0 : 16],
      [() => this.list(), 20],
      [() => this.get(), 8 * has],
      [() => this.toggle(), 14 * has],
      [() => this.patch(), 12 * has],
      [() => this.put(), 6 * has],
      [() => this.remove(), (n >= 60 ? 30 : 9) * has],
      [() => this.staleWrite(), 2 * has],
      [() => this.markAll(), 1],
      [() => this.clearCompleted(), 1],
      [() => this.crossUser(), 3],
      [() => this.renewToken().then(() => undefined), 1],
    ];
    let roll = Math.random() * weights.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [operation, weight] of weights) {
      roll -= weight;
      if (roll < 0) return operation();
    }
  }

  private someTask(): ModelTask {
    return pick([...this.tasks.values()]);
  }

  async create(): Promise<void> {
    const id = randomUUID();
    const fields = draw(fieldsArbitrary(this.label()));
    const body = { id, ...fields };
    const answer = await this.send("create", "POST", this.tasksPath, { body, expect: [201] });
    if (!answer.ok) return this.settleCreate(id, fields);
    const task = answer.json as ServerTask;
    const expected: ModelTask = {
      id,
      userId: this.userId,
      ...fields,
      version: 1,
      createdAt: task.createdAt,
      updatedAt: task.createdAt,
    };
    this.accept("create", `POST ${this.tasksPath}`, expected, answer);
    const location = answer.headers.get("Location");
    if (location !== `${this.tasksPath}/${id}`) {
      this.recorder.violation("header", "create", `POST ${this.tasksPath}`, `Location ${location}`);
    }
    // A client that lost the answer sends the same create again: it must find the task, not make a second.
    if (chance(0.05)) {
      const replay = await this.send("create (replay)", "POST", this.tasksPath, { body, expect: [200] });
      if (replay.ok) this.accept("create (replay)", `POST ${this.tasksPath}`, expected, replay);
    }
  }

  /** A create whose outcome is unknown is repeated with the same id and body until it has an answer. */
  private async settleCreate(id: string, fields: TaskFields): Promise<void> {
    for (let attempt = 0; attempt < 6; attempt++) {
      await sleep(250 * 2 ** attempt);
      const answer = await this.send("create (retry)", "POST", this.tasksPath, {
        body: { id, ...fields },
        expect: [200, 201],
      });
      if (!answer.ok) continue;
      const task = answer.json as ServerTask;
      const expected = {
        id,
        userId: this.userId,
        ...fields,
        version: 1,
        createdAt: task.createdAt,
        updatedAt: undefined,
      };
      this.accept("create (retry)", `POST ${this.tasksPath}`, expected, answer);
      return;
    }
    this.unresolved.add(id);
  }

  async get(): Promise<void> {
    const task = this.someTask();
    const path = `${this.tasksPath}/${task.id}`;
    const answer = await this.send("get", "GET", path, { expect: [200] });
    if (answer.ok) this.accept("get", `GET ${path}`, task, answer);
  }

  async toggle(): Promise<void> {
    const task = this.someTask();
    const path = `${this.tasksPath}/${task.id}/complete`;
    const answer = await this.send("toggle", "PATCH", path, {
      ...(chance(0.5) ? { ifMatch: task.version } : {}),
      expect: [200],
    });
    const expected = { ...task, completed: !task.completed, version: task.version + 1, updatedAt: undefined };
    if (answer.ok) this.accept("toggle", `PATCH ${path}`, expected, answer);
    else await this.settle(task.id, [task, expected]);
  }

  async patch(): Promise<void> {
    const task = this.someTask();
    const path = `${this.tasksPath}/${task.id}`;
    const patch = draw(patchArbitrary(this.label()));
    const answer = await this.send("patch", "PATCH", path, {
      body: patch,
      ...(chance(0.9) ? { ifMatch: task.version } : {}),
      expect: [200],
    });
    const expected = { ...task, ...applyPatch(task, patch), version: task.version + 1, updatedAt: undefined };
    if (answer.ok) this.accept("patch", `PATCH ${path}`, expected, answer);
    else await this.settle(task.id, [task, expected]);
  }

  async put(): Promise<void> {
    const task = this.someTask();
    const path = `${this.tasksPath}/${task.id}`;
    const fields = draw(fieldsArbitrary(this.label()));
    const answer = await this.send("put", "PUT", path, {
      body: fields,
      ...(chance(0.9) ? { ifMatch: task.version } : {}),
      expect: [200],
    });
    const expected = { ...task, ...fields, version: task.version + 1, updatedAt: undefined };
    if (answer.ok) this.accept("put", `PUT ${path}`, expected, answer);
    else await this.settle(task.id, [task, expected]);
  }

  async remove(): Promise<void> {
    const task = this.someTask();
    const path = `${this.tasksPath}/${task.id}`;
    const answer = await this.send("delete", "DELETE", path, {
      ...(chance(0.8) ? { ifMatch: task.version } : {}),
      expect: [204],
    });
    if (answer.ok) this.tasks.delete(task.id);
    else await this.settle(task.id, [task, undefined]);
  }

  /** A change based on a version that is not the current one: 412, and nothing changes. */
  async staleWrite(): Promise<void> {
    const task = this.someTask();
    const path = `${this.tasksPath}/${task.id}`;
    const answer = await this.send("stale If-Match (412 expected)", "PATCH", path, {
      body: { title: `never stored ${this.label()}` },
      ifMatch: task.version > 1 ? task.version - 1 : task.version + 1000,
      expect: [412],
    });
    if (answer.ok && answer.headers.get("ETag") !== etag(task.version)) {
      const detail = `ETag ${answer.headers.get("ETag")}, model version ${task.version}`;
      this.recorder.violation("412 names another version", "stale If-Match", `PATCH ${path}`, detail);
    }
    // It wrote after all: the model follows the server, the violation is already recorded.
    if (answer.status === 200) this.tasks.set(task.id, modelOf(answer.json as ServerTask));
  }

  async markAll(): Promise<void> {
    const completed = chance(0.5);
    const before = [...this.tasks.values()];
    const answer = await this.send("mark all", "PATCH", this.tasksPath, { body: { completed }, expect: [200] });
    const changing = before.filter((task) => task.completed !== completed);
    const after = (task: ModelTask): ModelTask => ({
      ...task,
      completed,
      version: task.version + 1,
      updatedAt: undefined,
    });
    if (!answer.ok) {
      await this.settleAll(new Map(changing.map((task) => [task.id, [task, after(task)]])));
      return;
    }
    const { updated } = answer.json as { updated: number };
    if (updated !== changing.length) {
      const detail = `updated ${updated}, the model has ${changing.length} to change`;
      this.recorder.violation("count differs from the model", "mark all", `PATCH ${this.tasksPath}`, detail);
    }
    for (const task of changing) this.tasks.set(task.id, after(task));
  }

  async clearCompleted(): Promise<void> {
    const path = `${this.tasksPath}?status=completed`;
    const completed = [...this.tasks.values()].filter((task) => task.completed);
    const answer = await this.send("clear completed", "DELETE", path, { expect: [200] });
    if (!answer.ok) {
      await this.settleAll(new Map(completed.map((task) => [task.id, [task, undefined]])));
      return;
    }
    const { deleted } = answer.json as { deleted: number };
    if (deleted !== completed.length) {
      const detail = `deleted ${deleted}, the model has ${completed.length} completed`;
      this.recorder.violation("count differs from the model", "clear completed", `DELETE ${path}`, detail);
    }
    for (const task of completed) this.tasks.delete(task.id);
  }

  async list(): Promise<void> {
    const params = draw(listParamsArbitrary);
    const path = `${this.tasksPath}${listQueryString(params)}`;
    const answer = await this.send("list", "GET", path, { expect: [200] });
    if (answer.ok) this.checkPage("list", path, params, answer);
  }

  private checkPage(operation: string, path: string, params: ListParams, answer: Answer): void {
    const page = answer.json as ServerTask[];
    const expected = expectedPage(this.tasks.values(), params);
    const problems: string[] = [];
    // Exact up to 1 000, "1000+" beyond (docs/tasks-api.md).
    const total = answer.headers.get("X-Total-Count");
    const expectedTotal = expected.total > 1000 ? "1000+" : String(expected.total);
    if (total !== expectedTotal) problems.push(`X-Total-Count ${total}, the model has ${expected.total}`);
    const ids = page.map((task) => task.id);
    if (expected.ids && ids.join() !== expected.ids.join()) {
      problems.push(`ids [${ids.join(", ")}], the model has [${expected.ids.join(", ")}]`);
    }
    const hasNext = answer.headers.get("Link")?.includes('rel="next"') ?? false;
    if (hasNext !== expected.total > (params.limit ?? 50)) problems.push(`Link ${answer.headers.get("Link")}`);
    for (const task of page) {
      const model = this.tasks.get(task.id);
      if (!model) {
        if (!this.unresolved.has(task.id)) problems.push(`phantom task ${task.id}`);
        continue;
      }
      const diff = differences(model, task);
      if (diff.length > 0) problems.push(`${task.id}: ${diff.join("; ")}`);
      this.tasks.set(task.id, modelOf(task));
    }
    if (problems.length > 0) {
      this.recorder.violation("listing differs from the model", operation, `GET ${path}`, problems.join(" | "));
    }
  }

  /** Probes another person's tasks: each must answer as if they did not exist (404), or 403 on their path. */
  async crossUser(): Promise<void> {
    const peer = pick(this.peers.filter((other) => other !== this && other.userId !== ""));
    if (peer) await this.probe(pick(this.probesOf(peer)));
  }

  /** Every probe once, against one other person (the end of a run). */
  async probeAll(peer: SoakClient): Promise<void> {
    for (const probe of this.probesOf(peer)) await this.probe(probe);
  }

  private probesOf(peer: SoakClient): Probe[] {
    const theirs = peer.tasks.size > 0 ? pick([...peer.tasks.keys()]) : randomUUID();
    const mine = `${this.tasksPath}/${theirs}`;
    return [
      ["GET", `/api/${peer.userId}/tasks`, undefined, 403],
      ["PATCH", `/api/${peer.userId}/tasks/${theirs}`, { title: "not yours" }, 403],
      ["GET", mine, undefined, 404],
      ["PATCH", mine, { title: "not yours" }, 404],
      ["PUT", mine, { title: "not yours" }, 404],
      ["PATCH", `${mine}/complete`, undefined, 404],
      ["DELETE", mine, undefined, 404],
    ];
  }

  private async probe([method, path, body, status]: Probe): Promise<void> {
    await this.send(`cross-user (${status} expected)`, method, path, {
      ...(body === undefined ? {} : { body }),
      expect: [status],
    });
  }

  /* ---------- settling unknown outcomes, and the final comparison ---------- */

  /** Reads a task back after a write of unknown outcome; it must be in one of the candidate states. */
  private async settle(id: string, candidates: Candidate[]): Promise<void> {
    const path = `${this.tasksPath}/${id}`;
    for (let attempt = 0; attempt < 6; attempt++) {
      await sleep(250 * 2 ** attempt);
      const answer = await this.send("read back", "GET", path, { expect: [200, 404] });
      if (!answer.ok) continue;
      const server = answer.status === 200 ? (answer.json as ServerTask) : undefined;
      this.adopt(id, server, candidates, `GET ${path}`);
      return;
    }
    this.tasks.delete(id);
    this.unresolved.add(id);
  }

  private async settleAll(candidates: Map<string, Candidate[]>): Promise<void> {
    for (let attempt = 0; attempt < 6; attempt++) {
      await sleep(250 * 2 ** attempt);
      const listed = await this.listAll("read back");
      if (!listed) continue;
      for (const id of new Set([...this.tasks.keys(), ...listed.tasks.keys()])) {
        this.adopt(id, listed.tasks.get(id), candidates.get(id) ?? [this.tasks.get(id)], `GET ${this.tasksPath}`);
      }
      return;
    }
    for (const id of candidates.keys()) {
      this.tasks.delete(id);
      this.unresolved.add(id);
    }
  }

  /** Takes the server's state of a task into the model, after checking it is one the client could expect. */
  private adopt(id: string, server: ServerTask | undefined, candidates: Candidate[], request: string): void {
    const possible = server
      ? candidates.some(
          (candidate) => candidate && differences({ ...candidate, updatedAt: undefined }, server).length === 0,
        )
      : candidates.includes(undefined);
    if (!possible) {
      const detail = `task ${id} is ${server ? JSON.stringify(server) : "gone"}; expected one of ${JSON.stringify(candidates)}`;
      this.recorder.violation(server ? "unexpected state" : "lost write", "read back", request, detail);
    }
    if (server) this.tasks.set(id, modelOf(server));
    else this.tasks.delete(id);
  }

  /** Every task of this user through the API, page by page along `Link: rel="next"`. */
  async listAll(operation: string): Promise<{ tasks: Map<string, ServerTask>; duplicates: string[] } | undefined> {
    const tasks = new Map<string, ServerTask>();
    const duplicates: string[] = [];
    let path: string | undefined = `${this.tasksPath}?limit=100`;
    while (path) {
      const answer = await this.send(operation, "GET", path, { expect: [200] });
      if (!answer.ok) return undefined;
      for (const task of answer.json as ServerTask[]) {
        if (tasks.has(task.id)) duplicates.push(task.id);
        tasks.set(task.id, task);
      }
      path = /<([^>]+)>;\s*rel="next"/.exec(answer.headers.get("Link") ?? "")?.[1];
    }
    return { tasks, duplicates };
  }

  /** The end of the run: what the API lists must be the model — nothing lost, nothing twice, nothing extra. */
  async verifyThroughApi(): Promise<void> {
    const request = `GET ${this.tasksPath} (every page)`;
    const listed = await this.listAll("final listing");
    if (!listed) {
      this.recorder.violation("not checked", "final listing", request, "the listing failed");
      return;
    }
    for (const id of listed.duplicates) this.recorder.violation("duplicate", "final listing", request, `task ${id}`);
    this.compare(listed.tasks, "final listing", request);
  }

  /** Compares a full set of this user's tasks (from the API or the database) with the model. */
  compare(actual: Map<string, ServerTask>, operation: string, request: string): void {
    for (const [id, model] of this.tasks) {
      const task = actual.get(id);
      if (!task) {
        this.recorder.violation("lost write", operation, request, `task ${id} (${model.title}) is missing`);
        continue;
      }
      const diff = differences(model, task);
      if (diff.length > 0) this.recorder.violation("differs", operation, request, `${id}: ${diff.join("; ")}`);
    }
    for (const id of actual.keys()) {
      if (!this.tasks.has(id) && !this.unresolved.has(id)) {
        this.recorder.violation("phantom", operation, request, `task ${id} is not in the model`);
      }
    }
  }
}
