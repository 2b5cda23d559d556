import { symmetricDecrypt } from "better-auth/crypto";
import { decodeJwt, decodeProtectedHeader, importJWK, type JSONWebKeySet, type JWTPayload, SignJWT } from "jose";
import { startNeonHttpServer } from "../../worker/local/neon-http-server.ts";
import { openPgliteBackend } from "../../worker/local/pglite-backend.ts";
import { applyMigrations } from "../../worker/scripts/migrate.ts";
import { startRecordingProxy } from "../lib/canned.ts";
import type { RecordedAnswer } from "../lib/canned-lookup.ts";
import { benchPassword, call, expectOk, requestHeaders, signUp } from "../lib/client.ts";
import { briskVars, startWorkers } from "../lib/workerd.ts";
import type { BenchCase } from "./harness.ts";

/**
 * Records the database answers the CPU benchmark replays: the real bundle in
 * workerd, against the real stand-in on in-memory PGlite, through a proxy that
 * keeps every round trip. It signs a user up, creates 60 tasks, then sends each
 * benchmarked request once, exactly as the benchmark will send it again.
 */

export interface Recording {
  answers: RecordedAnswer[];
  cases: BenchCase[];
  userId: string;
  token: string;
  /**
   * Distinct valid tokens for the user, more than the Worker remembers (1 000): sent in
   * turn, every request pays full RS256 verification, as a fresh isolate or a new token does.
   */
  freshTokens: string[];
  jwks: JSONWebKeySet;
  passwordHash: string;
}

const ip = "198.18.200.1";

export async function record(bundleCode: string): Promise<Recording> {
  const backend = await openPgliteBackend();
  const standIn = await startNeonHttpServer({ backend });
  const answers: RecordedAnswer[] = [];
  const proxy = await startRecordingProxy(standIn.url, answers);
  const workers = await startWorkers([
    {
      name: "brisk",
      modules: { "index.js": bundleCode },
      vars: briskVars(proxy.url, { DATABASE_URL: standIn.databaseUrl }),
      durableObjects: { LIVE: "LiveChannel" },
    },
  ]).catch(async (error: unknown) => {
    await Promise.all([proxy.close(), standIn.close()]);
    await backend.close();
    throw error;
  });
  try {
    await applyMigrations({ databaseUrl: standIn.databaseUrl, fetchEndpoint: standIn.url });
    const base = workers.url;
    const user = await signUp(base, "bench-cpu@example.com");
    const taskIds: string[] = [];
    for (let i = 0; i < 60; i++) {
      const response = await expectOk(
        await call(base, `/api/${user.id}/tasks`, { token: user.token, body: sampleTask(i) }),
        "create",
      );
      taskIds.push(((await response.json()) as { id: string }).id);
    }
    const id = taskIds[0] as string;
    const json = (extra: Record<string, string> = {}) => ({ ...requestHeaders({ token: user.token, ip }), ...extra });
    // Browsers send a Content-Length with every body (Hono's bodyLimit reads the stream when there is none).
    const withBody = (body: string, headers: Record<string, string>) => ({
      body,
      headers: { ...headers, "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) },
    });
    const cases: BenchCase[] = [
      { name: "bare", method: "GET", path: "/api/no-such-route", headers: requestHeaders({ ip }) },
      { name: "auth-only", method: "GET", path: `/api/${user.id}/tasks/not-a-uuid`, headers: json() },
      { name: "get", method: "GET", path: `/api/${user.id}/tasks/${id}`, headers: json() },
      {
        name: "patch",
        method: "PATCH",
        path: `/api/${user.id}/tasks/${id}`,
        ...withBody(JSON.stringify({ priority: "high", tags: ["home", "bench"] }), json()),
      },
      {
        name: "list",
        method: "GET",
        path: `/api/${user.id}/tasks?status=all&sort=created&order=desc&limit=50`,
        headers: json(),
      },
      // The load benchmark's writes (bench/load/load.ts), for the Worker's own share of them.
      {
        name: "create",
        method: "POST",
        path: `/api/${user.id}/tasks`,
        ...withBody(JSON.stringify({ title: "Load test task", priority: "low", tags: ["load"] }), json()),
      },
      { name: "toggle", method: "PATCH", path: `/api/${user.id}/tasks/${taskIds[1]}/complete`, headers: json() },
      {
        name: "sign-in",
        // (not rotated: sign-in carries no token)
        method: "POST",
        path: "/api/auth/sign-in/email",
        ...withBody(JSON.stringify({ email: user.email, password: benchPassword }), requestHeaders({ ip })),
      },
    ];
    const expected: Record<string, number> = { bare: 404, "auth-only": 400, create: 201, "sign-in": 200 };
    for (const benchCase of cases) {
      const init: RequestInit = { method: benchCase.method, headers: benchCase.headers };
      if (benchCase.body !== undefined) init.body = benchCase.body;
      const response = await fetch(new URL(benchCase.path, base), init);
      await response.arrayBuffer();
      if (response.status !== (expected[benchCase.name] ?? 200)) {
        throw new Error(`recording ${benchCase.name}: unexpected ${response.status}`);
      }
    }
    const jwks = (await (await call(base, "/api/auth/jwks")).json()) as JSONWebKeySet;
    // The same requests with a token the Worker has not verified before, in turn (harness.ts).
    for (const name of ["auth-only", "get", "list"]) {
      const original = cases.find((benchCase) => benchCase.name === name) as BenchCase;
      cases.push({ ...original, name: `${name}-fresh`, freshToken: true });
    }
    const freshTokens = await mintTokens(backend, user.token, 1_100);
    const hash = await backend.query({ query: "select password from account where user_id = $1", params: [user.id] });
    return {
      answers,
      cases,
      userId: user.id,
      token: user.token,
      freshTokens,
      jwks,
      passwordHash: String(hash.rows[0]?.[0]),
    };
  } finally {
    await workers.dispose();
    await proxy.close();
    await standIn.close();
    await backend.close();
  }
}

/**
 * Signs `count` tokens like the Worker's own (same header, claims and key; each with its
 * own `jti`), with the private key Better Auth stored — decrypted with the bench's secret.
 */
async function mintTokens(
  backend: Awaited<ReturnType<typeof openPgliteBackend>>,
  model: string,
  count: number,
): Promise<string[]> {
  const header = decodeProtectedHeader(model);
  const claims: JWTPayload = decodeJwt(model);
  const stored = await backend.query({
    query: "select private_key from jwks where id = $1",
    params: [header.kid ?? null],
  });
  const secret = briskVars("").BETTER_AUTH_SECRET as string;
  const jwk = JSON.parse(await symmetricDecrypt({ key: secret, data: JSON.parse(String(stored.rows[0]?.[0])) }));
  const key = await importJWK(jwk, "RS256");
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(
      await new SignJWT({ ...claims, jti: `bench-${i}` })
        .setProtectedHeader({ alg: "RS256", kid: header.kid as string })
        .sign(key),
    );
  }
  return tokens;
}

const words = ["milk", "report", "dentist", "invoice", "garden", "tickets", "library", "bike", "taxes", "birthday"];

/** A task like a person writes: a short title, sometimes a description, tags and a due date. */
export function sampleTask(i: number) {
  const word = words[i % words.length] as string;
  return {
    title: `${word[0]?.toUpperCase()}${word.slice(1)} — item ${i}`,
    description: i % 3 === 0 ? `Remember the ${word} before the weekend; ask about the second one too.` : "",
    priority: (["none", "low", "medium", "high"] as const)[i % 4],
    tags: i % 2 === 0 ? ["home", word] : [],
    due:
      i % 5 === 0
        ? null
        : {
            date: `2026-12-${String(1 + (i % 28)).padStart(2, "0")}`,
            time: i % 2 === 0 ? "09:00" : null,
            timeZone: null,
          },
  };
}
