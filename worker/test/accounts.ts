/**
 * Test support shared by every suite that talks to the Worker as a client: the Worker's own tests (in
 * workerd), the benchmarks and the soak (Node, over HTTP) and the browser suite. Pure TypeScript on web
 * standards (fetch's `Response`, `crypto`), so it runs in both.
 */

const addressCount = 2 ** 17; // 198.18.0.0/15: RFC 2544's range for benchmarking, never a real client
let nextAddress = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;

/**
 * A fresh client address (`CF-Connecting-IP`): the Worker's rate limits count per address, so each caller
 * gets its own and no test or benchmark uses up another's limit. Consecutive within one module, from a
 * random start, so modules that each count from their own start — test files, the browser suite's pages,
 * a benchmark beside a running app — do not meet within the limits' windows.
 */
export function newIp(): string {
  nextAddress = (nextAddress + 1) % addressCount;
  const host = nextAddress % 65_536;
  return `198.${18 + Math.floor(nextAddress / 65_536)}.${Math.floor(host / 256)}.${host % 256}`;
}

/** The `name=value` pairs of the cookies a response sets, ready for a Cookie header. */
export function cookiesOf(response: Pick<Response, "headers">): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

/** Sends one JSON body to an auth endpoint the way the suite at hand sends requests (its origin, address, checks). */
export type PostJson = (path: string, body: unknown) => Promise<Response>;

export interface NewPerson {
  name: string;
  email: string;
  password: string;
  timeZone?: string;
}

/**
 * Signs a new person up through the real endpoints, then in: sign-up answers a new and a taken address
 * alike and starts no session (docs/decisions/016-sign-up-answers-alike.md), so a client signs in next,
 * as the web app does. Throws with the status and body when either step is refused.
 */
export async function signUpAndIn(post: PostJson, person: NewPerson): Promise<{ id: string; cookie: string }> {
  const signedUp = await post("/api/auth/sign-up/email", person);
  if (signedUp.status !== 200) throw new Error(`sign-up failed: ${signedUp.status} ${await signedUp.text()}`);
  await signedUp.arrayBuffer();
  const signedIn = await post("/api/auth/sign-in/email", { email: person.email, password: person.password });
  if (signedIn.status !== 200) {
    throw new Error(`sign-in after sign-up failed: ${signedIn.status} ${await signedIn.text()}`);
  }
  const { user } = (await signedIn.json()) as { user: { id: string } };
  return { id: user.id, cookie: cookiesOf(signedIn) };
}
