import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyPatch,
  differences,
  fieldsArbitrary,
  type ModelTask,
  modelOf,
  patchArbitrary,
  type ServerTask,
  type StoredTaskRow,
  storedTask,
  storedTaskColumns,
  type TaskFields,
} from "./acknowledged-model.ts";
import { clearFaults, type Fault, injectFault, sql } from "./stand-in-control.ts";
import { type TaskUser, taskUser } from "./tasks-client.ts";

/**
 * "Nothing lost", as a model-based test (fast-check commands): random sequences of creates,
 * patches, completes and deletes, each exposed to a random database fault, driven by a client
 * that keeps a careful client's rules for a repeat — it retries with the same client-chosen id
 * and the same If-Match, and takes a 404 after a retried delete or an already-applied change
 * after a retried write as done. (The web app's own queue, outbox.ts, has tests of its own.)
 * Every answer must agree with the model of acknowledged writes (acknowledged-model.ts, the
 * soak's model too), and after each sequence the database must equal it: no lost write, no
 * duplicate, no phantom. A failing sequence is shrunk and printed with its seed.
 */

type ArmedFault = Omit<Fault, "match">;

const faults: (ArmedFault | undefined)[] = [
  undefined,
  undefined,
  { action: "fail", status: 503 },
  { action: "fail", status: 502 },
  { action: "sqlstate", code: "40001" },
  { action: "sqlstate", code: "40P01" },
  { action: "sqlstate", code: "57P01" },
  { action: "sqlstate", code: "08006" },
  { action: "lose-response" },
];
const faultArbitrary = fc.constantFrom(...faults);

/** The part of each write's SQL a fault is armed on (the create is one statement with the insert in it). */
const statementOf = {
  create: 'insert into "tasks"',
  patch: 'update "tasks"',
  complete: 'update "tasks"',
  delete: 'delete from "tasks"',
} as const;

interface Model {
  tasks: Map<string, ModelTask>;
}
interface Real {
  user: TaskUser;
}

const json = async (response: Response) => (await response.json()) as ServerTask;

/** Sends a request until it is acknowledged (a client keeps a change queued until then). */
async function untilAcknowledged(send: () => Promise<Response>, acceptAfterRetry: number[] = []): Promise<Response> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const response = await send();
    if (response.status < 400) return response;
    if (attempt > 1 && acceptAfterRetry.includes(response.status)) return response;
    if (response.status !== 503) return response;
  }
  throw new Error("never acknowledged");
}

/** Arms `fault` on the write's statement, runs it, and checks the fault was met (the sequence tests what it says). */
async function underFault<T>(fault: ArmedFault | undefined, match: string, write: () => Promise<T>): Promise<T> {
  if (fault) await injectFault({ ...fault, match });
  const result = await write();
  const unmet = await clearFaults();
  expect(unmet, `the fault on ${match} was never met`).toEqual([]);
  return result;
}

/** A write on the server's task `known` that the model expects to leave it as `expected`, one version on. */
async function conditionalWrite(real: Real, known: ModelTask, expected: ModelTask, send: () => Promise<Response>) {
  const response = await untilAcknowledged(send, [412]);
  // A retried write that finds the task one version on with its own change has succeeded.
  const answer = response.status === 412 ? await json(await real.user.get(known.id)) : await json(response);
  if (response.status !== 412) expect(response.status).toBe(200);
  expect(differences(expected, answer)).toEqual([]);
  return modelOf(answer);
}

const pickTask = (model: Model, index: number) => [...model.tasks.values()][index % model.tasks.size] as ModelTask;

class Create implements fc.AsyncCommand<Model, Real> {
  readonly fields;
  readonly fault;
  constructor(fields: TaskFields, fault?: ArmedFault) {
    this.fields = fields;
    this.fault = fault;
  }
  check = () => true;
  async run(model: Model, real: Real) {
    const id = crypto.randomUUID();
    const response = await underFault(this.fault, statementOf.create, () =>
      untilAcknowledged(() => real.user.create({ id, ...this.fields })),
    );
    expect([200, 201]).toContain(response.status);
    const answer = await json(response);
    const expected = { ...this.fields, id, userId: real.user.id, version: 1, createdAt: answer.createdAt };
    expect(differences({ ...expected, updatedAt: undefined }, answer)).toEqual([]);
    model.tasks.set(id, modelOf(answer));
  }
  toString = () => `create ${JSON.stringify(this.fields)} under ${JSON.stringify(this.fault ?? "no fault")}`;
}

/** A command on one of the model's tasks (the `index`-th, modulo their number), behind `fault`. */
abstract class OnTask implements fc.AsyncCommand<Model, Real> {
  readonly index: number;
  readonly fault: ArmedFault | undefined;
  constructor(index: number, fault?: ArmedFault) {
    this.index = index;
    this.fault = fault;
  }
  check = (model: Readonly<Model>) => model.tasks.size > 0;
  abstract run(model: Model, real: Real): Promise<void>;
  protected under = () => `#${this.index} under ${JSON.stringify(this.fault ?? "no fault")}`;

  /** A conditional write of `change` on the task, one version on, sent with `If-Match` of the version it knew. */
  protected async write(
    model: Model,
    real: Real,
    match: string,
    change: (known: ModelTask) => Record<string, unknown>,
    send: (known: ModelTask, body: Record<string, unknown>, headers: Record<string, string>) => Promise<Response>,
  ) {
    const known = pickTask(model, this.index);
    const body = change(known);
    const expected = { ...known, ...applyPatch(known, body), version: known.version + 1, updatedAt: undefined };
    const headers = { "If-Match": `"${known.version}"` };
    const task = await underFault(this.fault, match, () =>
      conditionalWrite(real, known, expected, () => send(known, body, headers)),
    );
    model.tasks.set(known.id, task);
  }
}

class Patch extends OnTask {
  readonly patch: Record<string, unknown>;
  constructor(index: number, patch: Record<string, unknown>, fault?: ArmedFault) {
    super(index, fault);
    this.patch = patch;
  }
  override run = (model: Model, real: Real) =>
    this.write(
      model,
      real,
      statementOf.patch,
      () => this.patch,
      (known, body, headers) => real.user.patch(known.id, body, headers),
    );
  override toString = () => `patch ${this.under()} ${JSON.stringify(this.patch)}`;
}

class Complete extends OnTask {
  override run = (model: Model, real: Real) =>
    this.write(
      model,
      real,
      statementOf.complete,
      (known) => ({ completed: !known.completed }),
      (known, body, headers) => real.user.complete(known.id, body, headers),
    );
  override toString = () => `toggle ${this.under()}`;
}

class Delete extends OnTask {
  override async run(model: Model, real: Real) {
    const known = pickTask(model, this.index);
    const response = await underFault(this.fault, statementOf.delete, () =>
      untilAcknowledged(() => real.user.remove(known.id), [404]),
    );
    expect([204, 404]).toContain(response.status);
    model.tasks.delete(known.id);
  }
  override toString = () => `delete ${this.under()}`;
}

const commands = [
  fc.tuple(fieldsArbitrary("model"), faultArbitrary).map(([fields, fault]) => new Create(fields, fault)),
  fc.tuple(fc.nat(), patchArbitrary("renamed"), faultArbitrary).map(([i, patch, fault]) => new Patch(i, patch, fault)),
  fc.tuple(fc.nat(), faultArbitrary).map(([i, fault]) => new Complete(i, fault)),
  fc.tuple(fc.nat(), faultArbitrary).map(([i, fault]) => new Delete(i, fault)),
];

const sequences = 20;
const operationsPerSequence = 50;

describe("the model of acknowledged operations", () => {
  it(`holds over ${sequences} sequences of up to ${operationsPerSequence} writes under random faults`, {
    timeout: 600_000,
  }, async () => {
    let writes = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: operationsPerSequence, size: "max" }), async (sequence) => {
        const user = await taskUser();
        const model: Model = { tasks: new Map() };
        await fc.asyncModelRun(() => ({ model, real: { user } }), sequence);
        writes += [...sequence].length;

        const rows = await sql<StoredTaskRow>(`SELECT ${storedTaskColumns} FROM tasks WHERE user_id = $1`, [user.id]);
        const stored = new Map(rows.map((row) => [row.id, storedTask(row)]));
        expect([...stored.keys()].sort(), "no task lost, duplicated or invented").toEqual(
          [...model.tasks.keys()].sort(),
        );
        for (const [id, task] of model.tasks) expect(differences(task, stored.get(id) as ServerTask), id).toEqual([]);
      }),
      { numRuns: sequences, endOnFailure: true },
    );
    // Enough writes ran for the faults to have met every kind of write (each one is checked as met).
    expect(writes).toBeGreaterThanOrEqual(sequences * 10);
  });
});
