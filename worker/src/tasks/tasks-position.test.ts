import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../../test/fixtures.ts";
import { sql } from "../../test/stand-in-control.ts";
import { type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";
import { isPositionKey } from "../lists/lists.schemas.ts";
import { comparePlaced, newTaskPosition, type Placed } from "./position.ts";
import { positionAt } from "./position-move.ts";

/** Manual order (docs/tasks-api.md "Manual order", decision 030): a position per task, `sort=manual`. */

type Positioned = TaskJson & { position: string; list: string };

let user: TaskUser;

beforeAll(async () => {
  user = await taskUser();
});

const json = async (response: Response) => (await response.json()) as Positioned;
const add = async (owner: TaskUser, body: Record<string, unknown> = {}) => (await owner.add(body)) as Positioned;
const nextLink = (response: Response) => /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];

/** Every task of the query, page after page. */
async function readAll(owner: TaskUser, query: string): Promise<Positioned[]> {
  const tasks: Positioned[] = [];
  let url: string | undefined = `${owner.base}?${query}`;
  while (url) {
    const response: Response = await call(url, { token: owner.token });
    expect(response.status).toBe(200);
    tasks.push(...((await response.json()) as Positioned[]));
    url = nextLink(response);
  }
  return tasks;
}

describe("a task's position", () => {
  it("is given by the server on create: a valid key that puts the newer task above the older", async () => {
    const owner = await taskUser();
    const older = await add(owner, { title: "Older" });
    const newer = await add(owner, { title: "Newer" });
    for (const task of [older, newer]) expect(isPositionKey(task.position)).toBe(true);
    expect(comparePlaced(newer, older)).toBeLessThan(0);
    expect((await readAll(owner, "sort=manual")).map((task) => task.title)).toEqual(["Newer", "Older"]);
    // The server's key is the shared rule's for the task's creation time.
    expect(newer.position).toBe(newTaskPosition(Date.parse(newer.createdAt)));
  });

  it("is the client's when a create names one; a replayed create with it is recognised", async () => {
    const id = crypto.randomUUID();
    const body = { id, title: "Placed", position: "a0V" };
    const first = await user.create(body);
    expect(first.status).toBe(201);
    expect((await json(first)).position).toBe("a0V");
    expect((await user.create(body)).status).toBe(200);
    expect((await user.create({ ...body, position: "a1" })).status).toBe(409);
  });

  it.each([
    ["not text", 42],
    ["empty", ""],
    ["not a key (no integer part)", "a"],
    ["a key ending in the zero digit", "a00"],
    ["a key with a space", "a0 "],
    ["longer than 100 characters", `a0${"V".repeat(99)}`],
    ["the smallest integer, which no key may be", `A${"0".repeat(26)}`],
  ])("refuses a position that is %s with 422 on position (create, PATCH, PUT)", async (_, position) => {
    const task = await add(user);
    const answers = [
      await user.create({ title: "x", position }),
      await user.patch(task.id, { position }),
      await user.put(task.id, { title: "x", position }),
    ];
    for (const response of answers) {
      expect(response.status).toBe(422);
      const problem = (await response.json()) as { errors: { path: string }[] };
      expect(problem.errors.map((error) => error.path)).toContain("position");
    }
    expect((await json(await user.get(task.id))).version).toBe(1);
  });

  it("moves with a PATCH of the position alone: one version later, nothing else changed, If-Match honoured", async () => {
    const task = await add(user, { title: "Move me", tags: ["kept"] });
    const stale = await user.patch(task.id, { position: "Zz" }, { "If-Match": '"7"' });
    expect(stale.status).toBe(412);
    const moved = await user.patch(task.id, { position: "Zz" }, { "If-Match": '"1"' });
    expect(moved.status).toBe(200);
    const after = await json(moved);
    expect(after).toEqual({ ...task, position: "Zz", version: 2, updatedAt: after.updatedAt });
  });

  it("goes back to the top on a PATCH with null, and stays as it is on a PUT without one", async () => {
    const task = await add(user);
    await user.patch(task.id, { position: "a5" });
    const replaced = await json(await user.put(task.id, { title: "Replaced" }));
    expect(replaced.position).toBe("a5");
    expect((await json(await user.put(task.id, { title: "Replaced", position: "a6" }))).position).toBe("a6");
    const reset = await json(await user.patch(task.id, { position: null }));
    expect(isPositionKey(reset.position)).toBe(true);
    expect(reset.position > "g").toBe(true);
  });

  it("is in the change feed: a move is one change, of the moved task only", async () => {
    const owner = await taskUser();
    const [a, b, c] = [await add(owner), await add(owner), await add(owner)];
    const before = (await (await owner.send("/changes")).json()) as { cursor: string };
    const ordered = [c, b, a] as Positioned[];
    const position = positionAt(ordered.slice(1), 2);
    expect((await owner.patch((c as Positioned).id, { position })).status).toBe(200);
    const feed = (await (await owner.send(`/changes?since=${before.cursor}`)).json()) as { changes: Positioned[] };
    expect(feed.changes.map((task) => [task.id, task.position])).toEqual([[(c as Positioned).id, position]]);
  });
});

describe("an undone clear from before positions", () => {
  it("restores a task whose kept copy has no position where its creation puts it", async () => {
    const owner = await taskUser();
    const task = await add(owner, { title: "Cleared long ago", completed: true });
    const { undo } = (await (await owner.clearCompleted()).json()) as { undo: string };
    // The copy a clear kept before migration 0014 had no position.
    await sql(`UPDATE deleted_tasks SET task = task - 'position' WHERE undo = $1`, [undo]);
    const restored = await owner.restore(undo);
    expect(restored.status).toBe(200);
    expect((await json(await owner.get(task.id))).position).toBe(newTaskPosition(Date.parse(task.createdAt)));
  });
});

describe("the key of a move", () => {
  const placed = (...positions: string[]) => positions.map((position, i) => ({ id: `id-${i}`, position }));

  it("lies between its neighbours, and goes after a run of equal keys rather than between them", () => {
    expect(positionAt(placed("a0", "a1"), 1)).toBe("a0V");
    expect(positionAt(placed("a0", "a1"), 0) < "a0").toBe(true);
    expect(positionAt(placed("a0", "a1"), 2) > "a1").toBe(true);
    const ties = placed("a0", "a1", "a1", "a1", "a2");
    const between = positionAt(ties, 2);
    expect(between > "a1" && between < "a2").toBe(true);
    expect(positionAt(placed("a1", "a1"), 1) > "a1").toBe(true);
  });
});

describe("sort=manual", () => {
  it("lists by position byte-wise, equal positions by id, page after page, within a list", async () => {
    const owner = await taskUser();
    const listId = (
      (await (
        await call(`/api/${owner.id}/lists`, { token: owner.token, method: "POST", body: { name: "Errands" } })
      ).json()) as { id: string }
    ).id;
    const positions = ["a1", "Zz", "a0V", "a0V", "a0V", "b00", "a0"];
    for (const [i, position] of positions.entries())
      await add(owner, { title: `T${i}`, position, list: i % 2 === 0 ? listId : undefined });
    const every = await readAll(owner, "sort=manual&limit=2");
    expect(every).toHaveLength(positions.length);
    expect(every).toEqual([...every].sort(comparePlaced));
    expect(every.map((task) => task.position)).toEqual(["Zz", "a0", "a0V", "a0V", "a0V", "a1", "b00"]);
    const descending = await readAll(owner, "sort=manual&order=desc&limit=3");
    expect(descending.map((task) => task.id)).toEqual(every.map((task) => task.id).reverse());
    const inList = await readAll(owner, `sort=manual&list=${listId}&limit=1`);
    expect(inList.map((task) => task.title)).toEqual(
      every.filter((task) => task.list === listId).map((task) => task.title),
    );
  });
});

/* ---------- two clients moving at once ---------- */

interface Seen extends Placed {
  version: number;
}

interface Client {
  view: Seen[];
  /** The last move this client made that the server took: the task, its key, and its neighbours as seen. */
  last?: { id: string; position: string; before?: Placed; after?: Placed };
}

const move = fc.record({
  client: fc.integer({ min: 0, max: 1 }),
  kind: fc.constantFrom("move", "move", "move", "refresh"),
  from: fc.nat(),
  to: fc.nat(),
});

async function view(owner: TaskUser): Promise<Seen[]> {
  return (await readAll(owner, "sort=manual&limit=100")).map(({ id, position, version }) => ({
    id,
    position,
    version,
  }));
}

const runs = 12;

describe("positions under concurrent moves", () => {
  it(`stay ordered when two clients move tasks from their own (stale) views (${runs} runs)`, {
    timeout: 600_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(move, { minLength: 6, maxLength: 24 }), async (steps) => {
        const owner = await taskUser();
        for (let i = 0; i < 5; i++) await add(owner, { title: `Task ${i}` });
        const start = await view(owner);
        const clients: Client[] = [{ view: [...start] }, { view: [...start] }];
        let moves = 0;
        for (const step of steps) {
          const client = clients[step.client] as Client;
          if (step.kind === "refresh") {
            client.view = await view(owner);
            continue;
          }
          const task = client.view[step.from % client.view.length] as Seen;
          const others = client.view.filter((other) => other.id !== task.id);
          const to = step.to % (others.length + 1);
          const position = positionAt(others, to);
          const response = await owner.patch(task.id, { position }, { "If-Match": `"${task.version}"` });
          if (response.status === 412) {
            // Another client moved this task since: a conflict the client sees, then its view catches up.
            client.view = await view(owner);
            continue;
          }
          expect(response.status).toBe(200);
          const moved = await json(response);
          expect(moved.position).toBe(position);
          moves++;
          client.view = [
            ...others.slice(0, to),
            { id: moved.id, position, version: moved.version },
            ...others.slice(to),
          ];
          client.last = {
            id: moved.id,
            position,
            before: others[to - 1],
            after: others.slice(to).find((o) => o.position > (others[to - 1]?.position ?? "")),
          };
        }

        const final = await readAll(owner, "sort=manual&limit=2");
        // Every task exactly once, in the shared order, each position a valid key.
        expect(final.map((task) => task.id).sort()).toEqual(start.map((task) => task.id).sort());
        expect(final).toEqual([...final].sort(comparePlaced));
        for (const task of final) expect(isPositionKey(task.position) && task.position.length <= 100).toBe(true);
        // No renumbering: each move changed one task, by one version.
        expect(final.reduce((sum, task) => sum + task.version, 0)).toBe(start.length + moves);
        // A client's last move holds where nobody moved the task or its neighbours since.
        const index = new Map(final.map((task, i) => [task.id, i]));
        const now = new Map(final.map((task) => [task.id, task.position]));
        for (const { last } of clients) {
          if (!last || now.get(last.id) !== last.position) continue;
          const at = index.get(last.id) as number;
          if (last.before && now.get(last.before.id) === last.before.position)
            expect(index.get(last.before.id)).toBeLessThan(at);
          if (last.after && now.get(last.after.id) === last.after.position)
            expect(index.get(last.after.id)).toBeGreaterThan(at);
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
  });
});
