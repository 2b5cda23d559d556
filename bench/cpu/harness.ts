/**
 * The CPU harness: a Worker that imports the real bundle (`./brisk.js`, the file
 * `wrangler deploy --dry-run` wrote, unchanged) and calls its fetch handler N times
 * in a row inside this isolate, timing the loop with performance.now(). The
 * database is answered in-isolate from recorded Neon answers (global `fetch` is
 * replaced; the driver calls it for every round trip), so the time is the Worker's
 * own CPU: routing, validation, token verification, drizzle, the driver's parsing,
 * serialisation, and the garbage all that leaves.
 *
 * workerd's timer has 1 ms resolution here and does advance during CPU work
 * (locally; deployed Workers freeze it), so loops are sized to run for 100+ ms.
 *
 * Bundled by bench/lib/build.ts (esbuild, workerd conditions); never deployed.
 */
import { hashPassword, verifyPassword } from "better-auth/crypto";
import { createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK, jwtVerify } from "jose";
import { CannedAnswers, type RecordedAnswer } from "../lib/canned-lookup.ts";
// @ts-expect-error the real bundle, next to this module at run time
import brisk from "./brisk.js";

export interface BenchCase {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Sent with a token the Worker has not verified before (the next of BENCH_FRESH_TOKENS, in turn). */
  freshToken?: boolean;
}

interface HarnessEnv {
  BENCH_CASES: BenchCase[];
  BENCH_RECORDING: RecordedAnswer[];
  BENCH_TOKEN: string;
  BENCH_FRESH_TOKENS: string[];
  BENCH_JWKS: JSONWebKeySet;
  BENCH_PASSWORD_HASH: string;
  BETTER_AUTH_URL: string;
}

interface Handler {
  fetch(request: Request, env: unknown, ctx: unknown): Promise<Response>;
}

let canned: CannedAnswers | undefined;

/**
 * The live channel's Durable Object namespace, answered in-isolate: a write's announcement
 * (`announce`, an RPC in `waitUntil`) returns at once, as the database does here. Without a
 * binding every write would log a failed fan-out, a cost production never pays.
 */
const live = {
  idFromName: (name: string) => name,
  get: () => ({ announce: async () => {}, endSessions: async () => {} }),
};
let briskEnv: (HarnessEnv & { LIVE: typeof live }) | undefined;

/** Every database round trip of the bundle lands here. */
globalThis.fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
  const answer = canned?.find(typeof init?.body === "string" ? init.body : "");
  if (!answer) return new Response(JSON.stringify({ message: "no recorded answer" }), { status: 500 });
  return new Response(answer.response, { status: answer.status, headers: { "content-type": "application/json" } });
};

const noop: Handler = { fetch: async () => new Response("{}", { headers: { "content-type": "application/json" } }) };

/** Where the rotation through BENCH_FRESH_TOKENS is: it goes on across loops, so no token repeats within 1 100 requests. */
let nextFresh = 0;

async function loop(handler: Handler, benchCase: BenchCase, n: number, env: HarnessEnv, ctx: unknown) {
  const statuses: Record<number, number> = {};
  const url = new URL(benchCase.path, env.BETTER_AUTH_URL).toString();
  const fresh = benchCase.freshToken ? env.BENCH_FRESH_TOKENS : undefined;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const headers = fresh
      ? { ...benchCase.headers, Authorization: `Bearer ${fresh[nextFresh++ % fresh.length]}` }
      : benchCase.headers;
    const init: RequestInit = { method: benchCase.method, headers };
    if (benchCase.body !== undefined) init.body = benchCase.body;
    const response = await handler.fetch(new Request(url, init), briskEnv, ctx);
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
  return { ms: performance.now() - start, n, statuses };
}

async function timed(n: number, work: (i: number) => unknown) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await work(i);
  return { ms: performance.now() - start, n };
}

const verifyOptions = (env: HarnessEnv) => ({
  algorithms: ["RS256"],
  issuer: new URL(env.BETTER_AUTH_URL).origin,
  audience: `${new URL(env.BETTER_AUTH_URL).origin}/api`,
  clockTolerance: 30,
  requiredClaims: ["sub", "exp", "iat"],
});

export default {
  async fetch(request: Request, env: HarnessEnv, ctx: unknown): Promise<Response> {
    canned ??= new CannedAnswers(env.BENCH_RECORDING);
    briskEnv ??= { ...env, LIVE: live };
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "1");
    const name = url.pathname.slice(1);

    if (name === "case") {
      const wanted = url.searchParams.get("case");
      const benchCase = env.BENCH_CASES.find((candidate) => candidate.name === wanted);
      if (!benchCase) return new Response(`no case ${wanted}`, { status: 404 });
      const handler = url.searchParams.get("handler") === "noop" ? noop : (brisk as Handler);
      return Response.json(await loop(handler, benchCase, n, env, ctx));
    }
    if (name === "jose") {
      const mode = url.searchParams.get("mode");
      const options = verifyOptions(env);
      const jwk = env.BENCH_JWKS.keys[0] as JWK;
      if (mode === "jwks") {
        const keySet = createLocalJWKSet(env.BENCH_JWKS);
        await jwtVerify(env.BENCH_TOKEN, keySet, options);
        return Response.json(await timed(n, () => jwtVerify(env.BENCH_TOKEN, keySet, options)));
      }
      if (mode === "key") {
        const key = await importJWK(jwk, "RS256");
        return Response.json(await timed(n, () => jwtVerify(env.BENCH_TOKEN, key, options)));
      }
      if (mode === "import") {
        return Response.json(
          await timed(n, async () => jwtVerify(env.BENCH_TOKEN, await importJWK({ ...jwk }, "RS256"), options)),
        );
      }
    }
    if (name === "hash") return Response.json(await timed(n, () => hashPassword("correct horse battery staple")));
    if (name === "verify") {
      return Response.json(
        await timed(n, () =>
          verifyPassword({ hash: env.BENCH_PASSWORD_HASH, password: "correct horse battery staple" }),
        ),
      );
    }
    return new Response("harness: /case?case=&n=, /jose?mode=jwks|key|import&n=, /hash, /verify", {
      status: 404,
    });
  },
};
