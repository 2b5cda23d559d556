import { beforeAll, describe, expect, it } from "vitest";
import type { TaskOutput } from "../src/tasks/tasks.schemas.ts";
import { accessToken, call, signUp } from "./fixtures.ts";
import { sql } from "./stand-in-control.ts";

/**
 * Races between requests for the same task. PGlite runs one statement at a time, so
 * requests that overlap in the Worker still reach the database one after another; only
 * the PostgreSQL server (BRISK_DB=postgres) runs their transactions at once, with real
 * row locks. These tests therefore run only there.
 *
 * Which backend serves the stand-in is read from the database itself: PGlite's
 * `version()` names it ("PostgreSQL 18.6 (PGlite 0.5.16) on wasm32-unknown-emscripten, …"),
 * the server's does not ("PostgreSQL 15.20 (Debian …) on x86_64-pc-linux-gnu, …").
 */
const [server] = await sql<{ version: string }>("select version() as version");
const isPostgres = server !== undefined && !/pglite|wasm32/i.test(server.version);

interface Actor {
  id: string;
  token: string;
}

let user: Actor;
const tasksPath = () => `/api/${user.id}/tasks`;

async function create(body: Record<string, unknown> = {}): Promise<TaskOutput> {
  const response = await call(tasksPath(), { token: user.token, body: { title: "Contended", ...body } });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as TaskOutput;
}

interface StoredTask {
  version: number;
  title: string;
  completed: boolean;
  has_completed_at: boolean;
}

async function stored(id: string): Promise<StoredTask[]> {
  return sql<StoredTask>(
    "select version, title, completed, completed_at is not null as has_completed_at from tasks where id = $1",
    [id],
  );
}

/**
 * One request of a race: each sends the same `If-Match` and changes the task in its own
 * way — `label` makes every value one no earlier write has stored, so a write that
 * lost can never look as if it had already been applied.
 */
type WriteKind = "PATCH" | "PUT" | "PATCH /complete";
const writes: Record<WriteKind, (id: string, ifMatch: string, label: string) => Promise<Response>> = {
  PATCH: (id, ifMatch, label) =>
    call(`${tasksPath()}/${id}`, {
      method: "PATCH",
      token: user.token,
      body: { title: `Patched by ${label}` },
      headers: { "If-Match": ifMatch },
    }),
  PUT: (id, ifMatch, label) =>
    call(`${tasksPath()}/${id}`, {
      method: "PUT",
      token: user.token,
      body: { title: `Replaced by ${label}`, priority: "high" },
      headers: { "If-Match": ifMatch },
    }),
  "PATCH /complete": (id, ifMatch) =>
    call(`${tasksPath()}/${id}/complete`, { method: "PATCH", token: user.token, headers: { "If-Match": ifMatch } }),
};

const rounds = 20;

describe.runIf(isPostgres)("concurrent requests for one task (PostgreSQL server only)", () => {
  beforeAll(async () => {
    const signedUp = await signUp();
    user = { id: signedUp.id, token: await accessToken(signedUp.cookie) };
  });

  it("runs statements side by side: four quarter-second sleeps take well under a second together", async () => {
    const started = Date.now();
    const slept = await Promise.all(Array.from({ length: 4 }, () => sql("select pg_sleep(0.25) as slept")));
    const elapsed = Date.now() - started;
    expect(slept).toHaveLength(4);
    expect(elapsed).toBeGreaterThanOrEqual(240);
    expect(elapsed).toBeLessThan(750);
  });

  it.each<[WriteKind, WriteKind]>([
    ["PATCH", "PATCH"],
    ["PUT", "PATCH"],
    ["PUT", "PUT"],
    ["PATCH /complete", "PATCH"],
    ["PATCH /complete", "PATCH /complete"],
  ])(`lets exactly one of a %s and a %s with the same If-Match win, ${rounds} times over`, async (first, second) => {
    const task = await create();
    for (let round = 0; round < rounds; round++) {
      const [before] = await stored(task.id);
      const version = before?.version ?? -1;
      const ifMatch = `"${version}"`;
      const responses = await Promise.all([
        writes[first](task.id, ifMatch, `first in round ${round}`),
        writes[second](task.id, ifMatch, `second in round ${round}`),
      ]);

      const statuses = responses.map((response) => response.status);
      expect([...statuses].sort()).toEqual([200, 412]);
      const winner = responses.find((response) => response.status === 200);
      const loser = responses.find((response) => response.status === 412);
      const won = (await winner?.json()) as TaskOutput;
      expect(won.version).toBe(version + 1);
      expect(winner?.headers.get("etag")).toBe(`"${version + 1}"`);
      expect(await loser?.json()).toMatchObject({ status: 412, code: "version_mismatch" });
      expect(loser?.headers.get("etag")).toBe(`"${version + 1}"`);

      const [after] = await stored(task.id);
      expect(after?.version).toBe(version + 1);
      expect(after?.title).toBe(won.title);
      expect(after?.completed).toBe(won.completed);
    }
  });

  /** A toggle and a PATCH sent at once, both conditional on the version the task has now. */
  async function raceToggleWithPatch(id: string, body: Record<string, unknown>) {
    const [before] = await stored(id);
    const version = before?.version ?? -1;
    const headers = { "If-Match": `"${version}"` };
    const [toggled, patched] = await Promise.all([
      call(`${tasksPath()}/${id}/complete`, { method: "PATCH", token: user.token, headers }),
      call(`${tasksPath()}/${id}`, { method: "PATCH", token: user.token, body, headers }),
    ]);
    return { before, version, toggled, patched };
  }

  // The contract (docs/tasks-api.md, "Writes"): a stale If-Match → 412 and nothing changes. Here the PATCH
  // changes nothing the task does not already hold, while the toggle changes `completed`:
  // whichever commits first, the other's If-Match is stale and must be refused.
  it.each<[string, Record<string, unknown>]>([
    ["re-sends the title the task already has", { title: "Unchanged title" }],
  ])(`answers 412 to a PATCH that lost the race to a toggle when it %s, ${rounds} times over`, async (_, body) => {
    const task = await create({ title: "Unchanged title" });
    for (let round = 0; round < rounds; round++) {
      const { before, version, toggled, patched } = await raceToggleWithPatch(task.id, body);

      const [after] = await stored(task.id);
      expect(after?.version).toBe(version + 1);
      const toggleWon = after?.completed !== before?.completed;
      // The winner is the write whose change is in the database; the other is told 412.
      expect({ toggle: toggled.status, patch: patched.status }).toEqual(
        toggleWon ? { toggle: 200, patch: 412 } : { toggle: 412, patch: 200 },
      );
    }
  });

  // An empty merge patch is no write (docs/tasks-api.md): it reads the task and checks If-Match.
  // Racing a toggle, it sees the task before the toggle (200, unchanged) or after it (412);
  // only the toggle writes, once.
  it(`lets an empty PATCH racing a toggle only read, ${rounds} times over`, async () => {
    const task = await create({ title: "Read only" });
    for (let round = 0; round < rounds; round++) {
      const { before, version, toggled, patched } = await raceToggleWithPatch(task.id, {});
      const [after] = await stored(task.id);
      expect(toggled.status).toBe(200);
      expect(after).toMatchObject({ version: version + 1, completed: !before?.completed });
      if (patched.status === 200) {
        expect(await patched.json()).toMatchObject({ version, completed: before?.completed });
      } else {
        expect(patched.status).toBe(412);
      }
    }
  });

  // A recurring complete is one statement (decision 024): completes that wait on the row lock
  // compute the next occurrence from the row the previous one left.
  it("moves a recurring task once per simultaneous complete, and once only for one If-Match", async () => {
    const due = { date: "2030-01-01", time: null, timeZone: null };
    const complete = (id: string, headers: Record<string, string>) =>
      call(`${tasksPath()}/${id}/complete`, { method: "PATCH", token: user.token, body: { completed: true }, headers });
    for (let round = 0; round < 5; round++) {
      const task = await create({ due, recurrence: { rule: "FREQ=DAILY", from: "due" } });
      const free = await Promise.all(Array.from({ length: 5 }, () => complete(task.id, {})));
      expect(free.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      const dates = ((await Promise.all(free.map((r) => r.json()))) as TaskOutput[]).map((t) => t.due?.date).sort();
      expect(dates).toEqual(["2030-01-02", "2030-01-03", "2030-01-04", "2030-01-05", "2030-01-06"]);
      const pinned = await Promise.all(Array.from({ length: 5 }, () => complete(task.id, { "If-Match": '"6"' })));
      expect(pinned.map((response) => response.status).sort()).toEqual([200, 412, 412, 412, 412]);
      const [row] = await sql<{ date: string; done: number; entries: number }>(
        `select to_char(due_date, 'YYYY-MM-DD') as date, recurrence_done as done,
           jsonb_array_length(completions) as entries from tasks where id = $1`,
        [task.id],
      );
      expect(row).toEqual({ date: "2030-01-07", done: 6, entries: 6 });
    }
  });

  it(`lets exactly one of a DELETE and a PATCH with the same If-Match win, ${rounds} times over`, async () => {
    for (let round = 0; round < rounds; round++) {
      const task = await create({ title: `Doomed ${round}` });
      const [removed, patched] = await Promise.all([
        call(`${tasksPath()}/${task.id}`, { method: "DELETE", token: user.token, headers: { "If-Match": '"1"' } }),
        writes.PATCH(task.id, '"1"', `round ${round}`),
      ]);
      const rows = await stored(task.id);
      if (removed.status === 204) {
        // The delete won: the patch finds no task any more.
        expect(patched.status).toBe(404);
        expect(rows).toEqual([]);
      } else {
        // The patch won: the delete's version is stale, and the task stays, changed once.
        expect(removed.status).toBe(412);
        expect(patched.status).toBe(200);
        expect(rows).toEqual([expect.objectContaining({ version: 2, title: `Patched by round ${round}` })]);
      }
    }
  });

  it.each<[string, Record<string, unknown>]>([
    ["a minimal body", { title: "Buy milk" }],
    [
      "every field set",
      {
        title: "File the taxes",
        description: "before the deadline",
        completed: true,
        priority: "high",
        due: { date: "2031-04-15", time: "17:00", timeZone: "Europe/Paris" },
        tags: ["Admin", "money"],
      },
    ],
    ["a due date and tags", { title: "Call the plumber", due: { date: "2030-01-01" }, tags: ["home"] }],
  ])(
    "answers ten simultaneous creates with one id and the same body (%s) with one 201 and nine 200s, storing one task",
    async (_, fields) => {
      for (let round = 0; round < 5; round++) {
        const body = { ...fields, id: crypto.randomUUID() };
        const responses = await Promise.all(
          Array.from({ length: 10 }, () => call(tasksPath(), { token: user.token, body })),
        );
        const statuses = responses.map((response) => response.status);
        expect(statuses.every((status) => status === 200 || status === 201)).toBe(true);
        expect(statuses.filter((status) => status === 201)).toHaveLength(1);
        const tasks = (await Promise.all(responses.map((response) => response.json()))) as TaskOutput[];
        // Every answer is the one stored task.
        for (const task of tasks) expect(task).toEqual(tasks[0]);
        expect(tasks[0]?.id).toBe(body.id);
        expect(await sql("select id from tasks where id = $1", [body.id])).toHaveLength(1);
      }
    },
  );

  it("answers ten simultaneous creates with one id and different bodies with one 201 and nine 409s", async () => {
    for (let round = 0; round < 5; round++) {
      const id = crypto.randomUUID();
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          call(tasksPath(), { token: user.token, body: { id, title: `Version ${n}` } }),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect([...statuses].sort()).toEqual([201, ...Array.from({ length: 9 }, () => 409)]);
      const winner = (await responses.find((response) => response.status === 201)?.json()) as TaskOutput;
      const rows = await stored(id);
      expect(rows).toEqual([expect.objectContaining({ title: winner.title, version: 1 })]);
    }
  });

  it("gives a create race between two users for one id to one of them; the other gets 409, never the other's task", async () => {
    const signedUp = await signUp();
    const rival: Actor = { id: signedUp.id, token: await accessToken(signedUp.cookie) };
    for (let round = 0; round < rounds; round++) {
      const body = { id: crypto.randomUUID(), title: "Same body from both" };
      const responses = await Promise.all(
        [user, rival].map((actor) => call(`/api/${actor.id}/tasks`, { token: actor.token, body })),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
      const winnerIndex = responses.findIndex((response) => response.status === 201);
      const owner = [user, rival][winnerIndex] as Actor;
      const other = [user, rival][1 - winnerIndex] as Actor;
      expect(await responses[1 - winnerIndex]?.json()).toMatchObject({ status: 409, code: "id_conflict" });
      expect(await sql("select user_id from tasks where id = $1", [body.id])).toEqual([{ user_id: owner.id }]);
      const lookedUp = await call(`/api/${other.id}/tasks/${body.id}`, { token: other.token });
      expect(lookedUp.status).toBe(404);
    }
  });

  it.each([8, 15, 16])("applies %i simultaneous toggles each exactly once", async (n) => {
    const task = await create({ title: `Toggled ${n} times` });
    const responses = await Promise.all(
      Array.from({ length: n }, () =>
        call(`${tasksPath()}/${task.id}/complete`, { method: "PATCH", token: user.token }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: n }, () => 200));
    const seen = (await Promise.all(responses.map((response) => response.json()))) as TaskOutput[];
    // Each toggle saw the result of the one before it: versions 2 … n + 1, each once, and
    // the task is complete exactly at the even-numbered versions (an odd number of toggles).
    expect(seen.map((t) => t.version).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    for (const t of seen) {
      expect(t.completed).toBe(t.version % 2 === 0);
      expect(t.completedAt !== null).toBe(t.completed);
    }

    const [after] = await stored(task.id);
    expect(after?.version).toBe(1 + n);
    expect(after?.completed).toBe(n % 2 === 1);
    expect(after?.has_completed_at).toBe(n % 2 === 1);
  });
});
