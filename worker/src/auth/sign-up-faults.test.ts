import { describe, expect, it } from "vitest";
import { call, signIn } from "../../test/fixtures.ts";
import { type Fault, injectFault, sql } from "../../test/stand-in-control.ts";

const password = "correct horse battery staple";
const signUpAs = (email: string) => call("/api/auth/sign-up/email", { body: { name: "Interrupted", email, password } });

/**
 * Sign-up writes the user and its credential account as two separate statements
 * (Neon over HTTP has no interactive transactions; the session comes from the sign-in
 * that follows, decision 016). Whichever write a fault hits, the person must end up
 * able to use their email: sign in, or sign up again.
 */
describe("a sign-up interrupted by a database fault", () => {
  const writes = ['insert into "user"', 'insert into "account"'];
  const actions: Fault["action"][] = ["fail", "lose-response"];
  const cases = writes.flatMap((write) => actions.map((action) => ({ write, action })));

  it.each(cases)("at $write ($action) leaves an account that can be used", async ({ write, action }) => {
    const email = `interrupted-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await injectFault({ match: write, action });

    const interrupted = await signUpAs(email);
    expect(interrupted.status).toBe(503);
    expect(interrupted.headers.get("retry-after")).toBe("5");

    if ((await signIn(email, password)).status !== 200) {
      const retried = await signUpAs(email);
      expect(retried.status).toBe(200);
    }
    expect((await signIn(email, password)).status).toBe(200);
    expect(await sql('select count(*)::int as n from "user" where email = $1', [email])).toEqual([{ n: 1 }]);
  });

  it("removes only users without credentials when a sign-up is retried", async () => {
    const email = `complete-${crypto.randomUUID().slice(0, 8)}@example.com`;
    expect((await signUpAs(email)).status).toBe(200);
    expect((await signUpAs(email)).status).toBe(200);
    expect((await signIn(email, password)).status).toBe(200);
    expect(await sql('select count(*)::int as n from "user" where email = $1', [email])).toEqual([{ n: 1 }]);
  });
});
