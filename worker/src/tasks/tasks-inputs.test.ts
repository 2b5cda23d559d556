import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearFaults, injectFault, sql } from "../../test/stand-in.ts";
import { type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";

/**
 * Inputs the database cannot store or read as meant — NUL characters, years outside
 * 1000–9999, zones Postgres does not know or reads with the opposite sign, a token of
 * an account that is gone — each answered with a clear 4xx problem, never a 500.
 */

let user: TaskUser;
let task: TaskJson;

beforeAll(async () => {
  user = await taskUser();
  task = await user.add({ title: "Existing" });
});

beforeEach(async () => {
  await clearFaults();
});

const writes: [string, (body: Record<string, unknown>) => Promise<Response>][] = [
  ["POST", (body) => user.create({ title: "x", ...body })],
  ["PUT", (body) => user.put(task.id, { title: "x", ...body })],
  ["PATCH", (body) => user.patch(task.id, body)],
];

async function expectRefused(response: Response, status: 400 | 422, path: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = (await response.json()) as { code: string; errors: { path: string; message: string }[] };
  expect(body.code).toBe(status === 422 ? "validation_failed" : "invalid_parameter");
  expect(body.errors.map((error) => error.path)).toContain(path);
}

describe("the NUL character (and an unpaired surrogate)", () => {
  describe.each(writes)("in a %s body", (_, write) => {
    it.each([
      ["title", { title: "a\u0000b" }, "title"],
      ["description", { description: "a\u0000b" }, "description"],
      ["a tag", { tags: ["ok", "a\u0000b"] }, "tags.1"],
      ["title (an unpaired surrogate)", { title: "a\ud800b" }, "title"],
    ])("is refused in %s with 422", async (_, body, path) => {
      await expectRefused(await write(body), 422, path);
    });
  });

  it.each([
    ["q", "q=a%00b"],
    ["tag", "tag=a%00b"],
  ])("is refused in the list's %s with 400, on the list and the bulk routes", async (path, query) => {
    await expectRefused(await user.list(query), 400, path);
    await expectRefused(await user.markAll(true, query), 400, path);
    await expectRefused(await user.clearCompleted(query), 400, path);
  });
});

describe("due dates", () => {
  describe.each(writes)("on %s", (_, write) => {
    it.each([
      "0000-01-01T00:00:00Z",
      "0001-01-01T00:00:00+01:00",
      "9999-12-31T23:59:59-05:00",
      "0050-06-01T12:00:00Z",
      "0999-12-31T23:59:59.999Z",
    ])("refuses %s (outside the years 1000–9999 in UTC) with 422", async (dueAt) => {
      const response = await write({ dueAt });
      await expectRefused(response, 422, "dueAt");
    });
  });

  it.each([
    ["1000-01-01T00:00:00Z", "1000-01-01T00:00:00.000Z"],
    ["1000-01-01T01:00:00+01:00", "1000-01-01T00:00:00.000Z"],
    ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
  ])("keeps %s exactly at the ends of the range", async (dueAt, stored) => {
    const created = await user.add({ dueAt });
    expect(created.dueAt).toBe(stored);
    expect(((await (await user.get(created.id)).json()) as TaskJson).dueAt).toBe(stored);
  });
});

describe("the tz parameter", () => {
  it.each(["+05:30", "-08:00", "+0530", "UTC+5", "GMT-3", "Z"])(
    "refuses %s, which is not an IANA zone name, with 400",
    async (tz) => {
      await expectRefused(await user.list(`due=today&tz=${encodeURIComponent(tz)}`), 400, "tz");
    },
  );

  it("refuses a zone the runtime knows and Postgres does not (US/Pacific-New) with 400", async () => {
    const query = "due=today&tz=US/Pacific-New";
    await expectRefused(await user.list(query), 400, "tz");
    await expectRefused(await user.markAll(true, query), 400, "tz");
    await expectRefused(await user.clearCompleted("due=week&tz=US/Pacific-New"), 400, "tz");
  });

  it("accepts IANA names, in any case", async () => {
    for (const tz of ["Asia/Kolkata", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "utc"]) {
      expect((await user.list(`due=today&tz=${encodeURIComponent(tz)}`)).status, tz).toBe(200);
    }
  });
});

describe("an access token of a deleted account", () => {
  it("answers a create with 401 invalid_token, not a 500", async () => {
    const gone = await taskUser();
    await sql('delete from "user" where id = $1', [gone.id]);
    const response = await gone.create({ title: "Orphan" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await response.json()).toMatchObject({ code: "invalid_token" });
  });

  it("answers the writes that advance the change sequence with 401 or 404, never a 500", async () => {
    const gone = await taskUser();
    await sql('delete from "user" where id = $1', [gone.id]);
    const id = crypto.randomUUID();
    expect((await gone.markAll(true)).status).toBe(401);
    expect((await gone.clearCompleted()).status).toBe(401);
    expect((await gone.restore(crypto.randomUUID())).status).toBe(401);
    expect((await gone.remove(id)).status).toBe(401);
    expect((await gone.patch(id, { title: "x" })).status).toBe(404);
    expect((await gone.send("/changes")).status).toBe(200);
  });
});

describe("an empty PATCH", () => {
  it("changes nothing: 200 with the task as it is, same version and updatedAt", async () => {
    const before = await user.add({ title: "Untouched", tags: ["a"] });
    const response = await user.patch(before.id, {});
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"1"');
    expect(await response.json()).toEqual(before);
    expect(await (await user.get(before.id)).json()).toEqual(before);
  });

  it("still honours If-Match and answers 404 for no such task", async () => {
    const before = await user.add();
    expect((await user.patch(before.id, {}, { "If-Match": '"2"' })).status).toBe(412);
    expect((await user.patch(before.id, {}, { "If-Match": '"1"' })).status).toBe(200);
    expect((await user.patch(crypto.randomUUID(), {})).status).toBe(404);
  });
});

describe("any other data exception (SQLSTATE class 22) from the database", () => {
  it("answers a write with 422 and a read with 400, never 500", async () => {
    await injectFault({ match: 'insert into "tasks"', action: "sqlstate", code: "22P05" });
    const write = await user.create({ title: "x" });
    expect(write.status).toBe(422);
    expect(await write.json()).toMatchObject({ code: "validation_failed" });

    await injectFault({ match: 'from "tasks"', action: "sqlstate", code: "22012" });
    const read = await user.list();
    expect(read.status).toBe(400);
    expect(await read.json()).toMatchObject({ code: "invalid_parameter" });
  });
});
