import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../../test/fixtures.ts";
import { sql } from "../../test/stand-in-control.ts";
import { type TaskJson, type TaskUser, taskUser } from "../../test/tasks-client.ts";
import {
  addDays,
  type Due,
  type DueContext,
  dateIn,
  dueDayIn,
  dueSortKey,
  instantOf,
  isDueToday,
  isDueWithin,
  isOverdue,
} from "./due.ts";

/**
 * The due rules (./due.ts, which the web app uses for its labels and views) and the API's
 * SQL (filters `due`, `tz` and `sort=due`) agree: for random tasks, zones and the real now,
 * and — the zone arithmetic both rest on — for wall-clock times around DST changes, where
 * the rules' reading of a skipped or repeated time must be Postgres's.
 */

/** Zones with daylight saving (both hemispheres, a 30-minute change, a change at midnight) and without, far apart. */
const zones = [
  "UTC",
  "America/Los_Angeles",
  "America/New_York",
  "America/Santiago",
  "America/St_Johns",
  "Europe/Berlin",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "Pacific/Auckland",
  "Pacific/Chatham",
  "Pacific/Kiritimati",
  "Pacific/Pago_Pago",
] as const;
const zone = fc.constantFrom(...zones);
const pad = (n: number) => String(n).padStart(2, "0");
const wallTime = fc.record({ h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }) });

describe("the zone arithmetic agrees with Postgres", () => {
  /** Days on which some of the zones change their clocks (2026), and ordinary days. */
  const changeDays = [
    "2026-03-08", // United States, spring
    "2026-11-01", // United States, autumn
    "2026-03-29", // Europe, spring
    "2026-10-25", // Europe, autumn
    "2026-04-05", // Southern hemisphere (Auckland, Lord Howe, Chatham, Santiago), autumn
    "2026-09-27", // New Zealand, spring
    "2026-10-04", // Lord Howe, spring
    "2026-09-06", // Chile, spring (at midnight)
    "2026-06-15",
    "2027-01-01",
  ];

  it("reads a wall-clock time in a zone as the instant Postgres reads (skipped and repeated times too)", async () => {
    const cases = fc.sample(fc.tuple(fc.constantFrom(...changeDays), wallTime, zone), { numRuns: 300, seed: 20 });
    const rows = await sql<{ at: string }>(
      `SELECT to_char((((d.v ->> 'date')::date + (d.v ->> 'time')::time) AT TIME ZONE (d.v ->> 'zone')) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS d(v, n) ORDER BY n`,
      [JSON.stringify(cases.map(([date, { h, m }, zone]) => ({ date, time: `${pad(h)}:${pad(m)}`, zone })))],
    );
    cases.forEach(([date, { h, m }, zone], i) => {
      const time = `${pad(h)}:${pad(m)}`;
      expect(new Date(instantOf(date, time, zone)).toISOString().replace(".000", ""), `${date} ${time} ${zone}`).toBe(
        rows[i]?.at,
      );
    });
  });

  it("reads the calendar date at an instant in a zone as Postgres does", async () => {
    const start = Date.UTC(2026, 0, 1);
    const instants = fc.sample(fc.tuple(fc.integer({ min: 0, max: 730 * 24 * 60 }), zone), { numRuns: 300, seed: 7 });
    const rows = await sql<{ day: string }>(
      `SELECT to_char((to_timestamp((d.v ->> 'ms')::double precision / 1000.0) AT TIME ZONE (d.v ->> 'zone'))::date, 'YYYY-MM-DD') AS day
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS d(v, n) ORDER BY n`,
      [JSON.stringify(instants.map(([minutes, zone]) => ({ ms: start + minutes * 60_000, zone })))],
    );
    instants.forEach(([minutes, zone], i) => {
      expect(dateIn(start + minutes * 60_000, zone), `${minutes} ${zone}`).toBe(rows[i]?.day);
    });
  });
});

describe("an all-day date and a timed one", () => {
  it("keeps an all-day task's date in every viewer zone", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
        zone,
        zone,
        (day, viewer, person) => {
          const date = day.toISOString().slice(0, 10);
          expect(dueDayIn({ date, time: null, timeZone: null }, { zone: viewer, personZone: person })).toBe(date);
        },
      ),
    );
  });

  it("makes a timed task the same instant for every viewer, and shows its day where the viewer is", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("2026-03-08", "2026-10-25", "2026-04-05", "2026-12-05"),
        wallTime,
        zone,
        zone,
        zone,
        (date, { h, m }, own, a, b) => {
          const due: Due = { date, time: `${pad(h)}:${pad(m)}`, timeZone: own };
          const ka = dueSortKey(due, { zone: a, personZone: "UTC" });
          expect(ka).toBe(dueSortKey(due, { zone: b, personZone: "UTC" }));
          expect(dueDayIn(due, { zone: a, personZone: "UTC" })).toBe(dateIn(ka as number, a));
        },
      ),
    );
  });

  it("reads a timed task without a zone in the person's zone", () => {
    const due: Due = { date: "2026-12-05", time: "09:00", timeZone: null };
    expect(dueSortKey(due, { zone: "UTC", personZone: "Pacific/Auckland" })).toBe(Date.parse("2026-12-04T20:00:00Z"));
    expect(dueSortKey(due, { zone: "UTC", personZone: "America/Los_Angeles" })).toBe(
      Date.parse("2026-12-05T17:00:00Z"),
    );
  });
});

describe("the API's due filters and sort agree with the rules", () => {
  const hour = 3_600_000;
  let user: TaskUser;
  let tasks: TaskJson[];
  /** The person's zone, set on the account: a timed `due` without a zone is in it. */
  const personZone = "Pacific/Auckland";

  beforeAll(async () => {
    // Signed up with the zone the browser reported; the access token carries it.
    user = await taskUser({ timeZone: personZone });
    const now = Date.now();
    const today = new Date(now).toISOString().slice(0, 10);
    // Due dates around now: all-day dates from 9 days ago to 9 days ahead, timed ones in any zone or none.
    const dues = fc.sample(
      fc.oneof(
        fc
          .integer({ min: -9, max: 9 })
          .map((days): Due => ({ date: addDays(today, days), time: null, timeZone: null })),
        fc
          .tuple(fc.integer({ min: -9 * 24, max: 9 * 24 }), fc.constantFrom(...zones, null))
          .map(([hours, own]): Due => {
            const at = now + hours * hour + 17 * 60_000;
            const zoneOfTime = own ?? personZone;
            const date = dateIn(at, zoneOfTime);
            const parts = new Intl.DateTimeFormat("en-GB", {
              timeZone: zoneOfTime,
              hour: "2-digit",
              minute: "2-digit",
              hourCycle: "h23",
            }).format(at);
            return { date, time: parts, timeZone: own };
          }),
      ),
      { numRuns: 60, seed: 16 },
    );
    tasks = [];
    for (const [i, due] of dues.entries())
      tasks.push(await user.add({ title: `Task ${i}`, due, completed: i % 9 === 0 }));
  }, 240_000);

  /** Each filter's rule, for a viewer in `zone` at `now`. */
  const rules: Record<"overdue" | "today" | "week", (task: TaskJson, context: DueContext) => boolean> = {
    overdue: (task, context) => !task.completed && isOverdue(task.due, context),
    today: (task, context) => isDueToday(task.due, context),
    week: (task, context) => isDueWithin(task.due, 7, context),
  };

  it.each(["overdue", "today", "week"] as const)(
    "due=%s matches the rule in every zone (and the person's without tz)",
    async (filter) => {
      for (const viewer of [...zones, undefined]) {
        const before = Date.now();
        const response = await user.list(`due=${filter}&limit=100${viewer ? `&tz=${encodeURIComponent(viewer)}` : ""}`);
        const after = Date.now();
        expect(response.status).toBe(200);
        const listed = new Set(((await response.json()) as TaskJson[]).map((task) => task.id));
        const zoneOfView = viewer ?? personZone;
        for (const task of tasks) {
          const atBefore = rules[filter](task, { now: before, zone: zoneOfView, personZone });
          const atAfter = rules[filter](task, { now: after, zone: zoneOfView, personZone });
          // A task whose answer changed while the request ran may go either way.
          if (atBefore === atAfter)
            expect(listed.has(task.id), `${filter} ${zoneOfView} ${JSON.stringify(task.due)}`).toBe(atBefore);
        }
      }
    },
  );

  it("sort=due orders as the rules' sort key in every zone (all-day at the start of its day there), ties by id", async () => {
    for (const viewer of zones) {
      for (const order of ["asc", "desc"] as const) {
        const response = await user.list(`sort=due&order=${order}&limit=100&tz=${encodeURIComponent(viewer)}`);
        const listed = ((await response.json()) as TaskJson[]).map((task) => task.id);
        const key = (task: TaskJson) => dueSortKey(task.due, { zone: viewer, personZone });
        const expected = [...tasks]
          .sort((a, b) => {
            const [ka, kb] = [key(a), key(b)];
            if (ka === kb) return a.id < b.id ? -1 : 1;
            if (ka === null) return order === "asc" ? 1 : -1;
            if (kb === null) return order === "asc" ? -1 : 1;
            return ka - kb;
          })
          .map((task) => task.id);
        expect(listed, `${viewer} ${order}`).toEqual(
          order === "asc" ? expected : reverseKeepingNullsLast(expected, key, tasks),
        );
      }
    }
  });
});

/** Descending order: the keys reversed, tasks without a due date still last (ties by id, reversed too). */
function reverseKeepingNullsLast(
  ascending: string[],
  key: (task: TaskJson) => number | null,
  tasks: TaskJson[],
): string[] {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const dated = ascending.filter((id) => key(byId.get(id) as TaskJson) !== null);
  const undated = ascending.filter((id) => key(byId.get(id) as TaskJson) === null);
  return [...dated.reverse(), ...undated.reverse()];
}

describe("the person's time zone", () => {
  it("is refused at sign-up and on update-user unless it is an IANA name: 400, never 500", async () => {
    for (const timeZone of ["+05:30", "UTC+5", "Mars/Olympus_Mons", 5, ""]) {
      const signUp = await call("/api/auth/sign-up/email", {
        body: {
          name: "Zoned",
          email: `zone-${crypto.randomUUID()}@example.com`,
          password: "correct horse battery staple",
          timeZone,
        },
      });
      expect(signUp.status, String(timeZone)).toBe(400);
    }
    const user = await taskUser({ timeZone: "Europe/Berlin" });
    for (const timeZone of ["+05:30", "Not/A_Zone", 5, { zone: "UTC" }]) {
      const update = await call("/api/auth/update-user", { cookie: user.cookie, body: { timeZone } });
      expect(update.status, JSON.stringify(timeZone)).toBe(400);
    }
    expect(
      (await call("/api/auth/update-user", { cookie: user.cookie, body: { timeZone: "Asia/Tokyo" } })).status,
    ).toBe(200);
    const session = (await (await call("/api/auth/get-session", { cookie: user.cookie })).json()) as {
      user: { timeZone: string };
    };
    expect(session.user.timeZone).toBe("Asia/Tokyo");
  });
});
