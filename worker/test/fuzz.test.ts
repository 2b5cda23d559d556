import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { accessToken, call, signUp } from "./fixtures.ts";
import { sql } from "./stand-in-control.ts";
import { type TaskUser, taskUser } from "./tasks-client.ts";

/**
 * Property-based fuzzing of every task endpoint: random methods, path segments,
 * query strings, headers and bodies — malformed, huge, or merely odd. Whatever
 * arrives, the answer is never a 5xx, every refusal is problem+json, and nobody
 * else's data changes.
 */

let owner: TaskUser;
let ownerTaskId: string;
let intruder: { id: string; token: string };
let snapshot: unknown[];

const ownerRows = () => sql("select * from tasks where user_id = $1 order by id", [owner.id]);

beforeAll(async () => {
  owner = await taskUser();
  ownerTaskId = (await owner.add({ title: "Do not touch", tags: ["keep"] })).id;
  await owner.add({ title: "Also keep", completed: true });
  const user = await signUp();
  intruder = { id: user.id, token: await accessToken(user.cookie) };
  snapshot = await ownerRows();
});

const segment = fc.oneof(
  fc.constant(""),
  fc.uuid(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom("..", "%2e%2e", "%00", "complete", "tasks", "null", "-1", "1e309", "😀", "' OR 1=1 --"),
);
const queryValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer().map(String),
  fc.constant(""),
  fc.string({ maxLength: 3000 }),
);
const queryKey = fc.oneof(
  fc.constantFrom("status", "priority", "tag", "q", "due", "sort", "order", "limit", "cursor", "tz"),
  fc.string({ maxLength: 12 }),
);
const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 5 });
const body = fc.oneof(
  fc.constant(undefined),
  fc.json().map((text) => ({ raw: text })),
  fc.string({ maxLength: 200 }).map((text) => ({ raw: text })),
  fc
    .record(
      {
        id: fc.oneof(fc.uuid(), fc.string()),
        title: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
        description: fc.oneof(fc.string({ maxLength: 1200 }), fc.constant(null)),
        completed: fc.oneof(fc.boolean(), fc.string(), fc.constant(null)),
        priority: fc.oneof(fc.constantFrom("none", "low", "medium", "high"), fc.string()),
        due: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => ({
            date: d.toISOString().slice(0, 10),
            time: d.toISOString().slice(11, 16),
            timeZone: "Europe/Berlin",
          })),
          fc.record({ date: fc.string(), time: fc.oneof(fc.string(), fc.constant(null)) }),
          fc.string(),
          fc.constant(null),
        ),
        tags: fc.oneof(fc.array(fc.string({ maxLength: 40 }), { maxLength: 14 }), fc.string()),
        userId: fc.string(),
        version: fc.integer(),
      },
      { requiredKeys: [] },
    )
    .map((value) => ({ json: value })),
  fc.constant({ raw: "x".repeat(20_000) }),
);
const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "",
);
const ifMatch = fc.option(fc.oneof(fc.constantFrom('"1"', "*", 'W/"1"', '"', "1"), fc.string({ maxLength: 20 })));

describe("fuzzing the task API", () => {
  it("never answers 5xx, always refuses with problem+json, and leaves other people's tasks alone", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
        fc.constantFrom("own", "owner", "other"),
        fc.oneof(fc.constant("target"), segment),
        fc.option(fc.constantFrom("complete", "x")),
        query,
        body,
        contentType,
        ifMatch,
        async (method, pathUser, taskSegment, tail, params, payload, type, match) => {
          const userId = pathUser === "own" ? intruder.id : pathUser === "owner" ? owner.id : "someone";
          const taskPart = taskSegment === "target" ? ownerTaskId : taskSegment;
          const path = `/api/${encodeURIComponent(userId)}/tasks${taskPart === "" ? "" : `/${encodeURIComponent(taskPart)}`}${tail ? `/${tail}` : ""}`;
          const search = new URLSearchParams(params).toString();
          const headers: Record<string, string> = {};
          if (type) headers["Content-Type"] = type;
          if (match !== null) headers["If-Match"] = match;
          const response = await call(`${path}${search ? `?${search}` : ""}`, {
            method,
            token: intruder.token,
            headers,
            ...(payload === undefined || method === "GET"
              ? {}
              : "raw" in payload
                ? { rawBody: payload.raw }
                : { rawBody: JSON.stringify(payload.json) }),
          });
          expect(response.status, `${method} ${path}?${search}`).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers.get("content-type")).toBe("application/problem+json");
            const problem = (await response.json()) as { status: number; code: string };
            expect(problem.status).toBe(response.status);
            expect(problem.code).toEqual(expect.any(String));
          }
        },
      ),
      { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000) },
    );
    expect(await ownerRows()).toEqual(snapshot);
  });

  it("answers hostile but well-formed requests on the owner's own path normally", async () => {
    const response = await call(`/api/${owner.id}/tasks?q=${encodeURIComponent("%' OR 1=1 --")}`, {
      token: owner.token,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });
});

/**
 * The account endpoints fed text with NUL, lone surrogates and compatibility
 * characters in every field: whatever arrives, the answer is never a 5xx.
 */
describe("fuzzing /api/auth", () => {
  const oddCharacter = fc.oneof(
    fc.constantFrom(
      "\u0000",
      "\ud800",
      "\udfff",
      "\uff50",
      "\ufb01",
      "\u2168",
      "\u2460",
      "\u3000",
      "e\u0301",
      "\u202e",
    ),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    fc.string({ minLength: 1, maxLength: 1 }),
  );
  const oddText = fc.array(oddCharacter, { maxLength: 40 }).map((characters) => characters.join(""));
  const field = fc.oneof(
    oddText,
    fc.constant(undefined),
    fc.integer(),
    fc.constant(null),
    fc.string({ maxLength: 200 }),
  );
  const email = fc.oneof(
    oddText.map((name) => `${name}@example.com`),
    oddText,
    fc.constant(`fuzz-${crypto.randomUUID().slice(0, 8)}@example.com`),
  );

  let victim: { email: string; password: string; cookie: string };

  beforeAll(async () => {
    victim = await signUp();
  });

  it("never answers 5xx to sign-up, sign-in, change-password, update-user, delete-user or the account flows", {
    timeout: 300_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "sign-up/email",
          "sign-in/email",
          "change-password",
          "update-user",
          "delete-user",
          "request-password-reset",
          "reset-password",
          "send-verification-email",
          "change-email",
          "revoke-session",
        ),
        fc.record(
          {
            name: field,
            email,
            password: field,
            currentPassword: field,
            newPassword: field,
            image: field,
            callbackURL: field,
            newEmail: email,
            token: field,
          },
          { requiredKeys: [] },
        ),
        async (endpoint, body) => {
          const response = await call(`/api/auth/${endpoint}`, { cookie: victim.cookie, body });
          expect(response.status, `${endpoint} ${JSON.stringify(body)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 80, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000) },
    );
    // The victim's password was never among the inputs: the account is still there.
    const session = await call("/api/auth/get-session", { cookie: victim.cookie });
    expect(await session.json()).toMatchObject({ user: { email: victim.email } });
  });
});
