import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearFaults, injectFault, sql } from "../../test/stand-in-control.ts";
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
      ["a date that does not exist", { date: "2026-02-30" }, "due.date"],
      ["29 February of a common year", { date: "2027-02-29" }, "due.date"],
      ["month 13", { date: "2026-13-01" }, "due.date"],
      ["day 0", { date: "2026-01-00" }, "due.date"],
      ["a year before 1000", { date: "0999-12-31" }, "due.date"],
      ["year 0", { date: "0000-01-01" }, "due.date"],
      ["a five-digit year", { date: "10000-01-01" }, "due.date"],
      ["a date-time instead of a date", { date: "2026-12-05T00:00:00Z" }, "due.date"],
      ["a date without leading zeros", { date: "2026-1-5" }, "due.date"],
      ["a number", { date: 20261205 }, "due.date"],
      ["a missing date", { time: "10:00" }, "due.date"],
      ["24:00", { date: "2026-12-05", time: "24:00" }, "due.time"],
      ["a minute of 60", { date: "2026-12-05", time: "10:60" }, "due.time"],
      ["seconds", { date: "2026-12-05", time: "10:00:00" }, "due.time"],
      ["a one-digit hour", { date: "2026-12-05", time: "9:00" }, "due.time"],
      ["an offset as a zone", { date: "2026-12-05", time: "09:00", timeZone: "+05:30" }, "due.timeZone"],
      ["a POSIX zone", { date: "2026-12-05", time: "09:00", timeZone: "UTC+5" }, "due.timeZone"],
      ["an unknown zone", { date: "2026-12-05", time: "09:00", timeZone: "Mars/Olympus_Mons" }, "due.timeZone"],
      // Abbreviations the runtime and Postgres read differently (IST: India for one, Israel for the other).
      ["an abbreviation as a zone", { date: "2026-07-01", time: "09:00", timeZone: "IST" }, "due.timeZone"],
      ["another abbreviation", { date: "2026-07-01", time: "09:00", timeZone: "CET" }, "due.timeZone"],
      ["a zone without a time", { date: "2026-12-05", timeZone: "Europe/Berlin" }, "due.timeZone"],
      [
        "a zone Postgres does not know",
        { date: "2026-12-05", time: "09:00", timeZone: "US/Pacific-New" },
        "due.timeZone",
      ],
      ["an unknown key", { date: "2026-12-05", zone: "Europe/Berlin" }, "due"],
      ["text", "2026-12-05", "due"],
    ])("refuses %s with 422 naming the field", async (_, due, path) => {
      await expectRefused(await write({ due }), 422, path);
    });
  });

  it.each([
    [{ date: "1000-01-01" }, { date: "1000-01-01", time: null, timeZone: null }],
    [
      { date: "9999-12-31", time: "23:59" },
      { date: "9999-12-31", time: "23:59", timeZone: null },
    ],
    [
      { date: "2028-02-29", time: "00:00", timeZone: "Pacific/Kiritimati" },
      { date: "2028-02-29", time: "00:00", timeZone: "Pacific/Kiritimati" },
    ],
    [
      { date: "2026-03-08", time: "02:30", timeZone: "America/New_York" },
      { date: "2026-03-08", time: "02:30", timeZone: "America/New_York" },
    ],
  ])("keeps %o exactly as given", async (due, stored) => {
    const created = await user.add({ due });
    expect(created.due).toEqual(stored);
    expect(((await (await user.get(created.id)).json()) as TaskJson).due).toEqual(stored);
  });
});

describe("the tz parameter", () => {
  it.each(["+05:30", "-08:00", "+0530", "UTC+5", "GMT-3", "Z", "IST", "BST", "PST", "EST5EDT"])(
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
