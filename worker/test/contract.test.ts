import { describe, expect, it } from "vitest";
import { assertMatchesContract } from "./contract.ts";

const problemJson = { "Content-Type": "application/problem+json" };

describe("the contract check", () => {
  it("fails an answer for a path no documented operation matches", async () => {
    const request = new Request("http://localhost/api/someone/tasks/a/b/c");
    const answer = Response.json([], { status: 200 });
    await expect(assertMatchesContract(request, answer)).rejects.toThrow(/matches no documented operation/);
  });

  it("fails an answer for a method the documented path does not have", async () => {
    const request = new Request("http://localhost/api/someone/lists/0b6d1f5e-4c1b-4d8e-9a51-3f0f2f1c9a10", {
      method: "POST",
    });
    const answer = Response.json({}, { status: 200 });
    await expect(assertMatchesContract(request, answer)).rejects.toThrow(/matches no documented operation/);
  });

  it("accepts a refusal where nothing is: the 404 of no route, or the guard's 401 before routing", async () => {
    const request = new Request("http://localhost/api/someone/tasks/a/b/c");
    for (const [status, code] of [
      [404, "not_found"],
      [401, "invalid_token"],
    ] as const) {
      const body = { type: `urn:brisk:problem:${code}`, title: "Refused", status, detail: "x", code };
      const answer = new Response(JSON.stringify(body), { status, headers: problemJson });
      await expect(assertMatchesContract(request, answer)).resolves.toBeUndefined();
    }
  });

  it("fails a server error or a body that is not a problem where nothing is", async () => {
    const request = new Request("http://localhost/api/someone/tasks/a/b/c");
    const body = { type: "urn:brisk:problem:internal_error", title: "x", status: 500, detail: "x", code: "x" };
    const failure = new Response(JSON.stringify(body), { status: 500, headers: problemJson });
    await expect(assertMatchesContract(request, failure)).rejects.toThrow(/matches no documented operation/);
    const notProblem = Response.json({ message: "nope" }, { status: 404 });
    await expect(assertMatchesContract(request, notProblem)).rejects.toThrow(/matches no documented operation/);
  });

  it("fails an undocumented status of a documented operation", async () => {
    const request = new Request("http://localhost/api/someone/tasks");
    const answer = new Response("{}", { status: 418, headers: problemJson });
    await expect(assertMatchesContract(request, answer)).rejects.toThrow(/is not documented/);
  });

  it("checks a HEAD answer against the GET operation, without a body", async () => {
    const request = new Request("http://localhost/api/someone/tasks", { method: "HEAD" });
    await expect(assertMatchesContract(request, new Response(null, { status: 200 }))).resolves.toBeUndefined();
    await expect(assertMatchesContract(request, new Response(null, { status: 418 }))).rejects.toThrow(/not documented/);
  });
});
