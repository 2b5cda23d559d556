import { describe, expect, it } from "vitest";
import { runSuites, type Suite } from "./run-suites.ts";

const node = (code: string): Pick<Suite, "command" | "args"> => ({ command: process.execPath, args: ["-e", code] });

describe("runSuites (what `pnpm test` runs)", () => {
  it("runs every suite even after one fails, and reports each", async () => {
    const lines: string[] = [];
    const summary = await runSuites(
      [
        { name: "first", ...node("process.exit(0)") },
        { name: "broken", ...node("process.exit(3)") },
        { name: "after", ...node("process.exit(0)") },
      ],
      { log: (line) => lines.push(line), stdio: "ignore" },
    );
    expect(summary.results.map(({ name, passed }) => [name, passed])).toEqual([
      ["first", true],
      ["broken", false],
      ["after", true],
    ]);
    expect(summary.ok).toBe(false);
    expect(lines.join("\n")).toMatch(/broken\s+failed \(exit 3\)/);
    expect(lines.at(-1)).toBe("suites: 2 passed, 1 failed");
  });

  it("is ok when every suite passes", async () => {
    const summary = await runSuites([{ name: "only", ...node("") }], { log: () => {}, stdio: "ignore" });
    expect(summary.ok).toBe(true);
  });

  it("counts a command that cannot start as a failed suite", async () => {
    const lines: string[] = [];
    const summary = await runSuites([{ name: "missing", command: "/nonexistent/tool", args: [] }], {
      log: (line) => lines.push(line),
      stdio: "ignore",
    });
    expect(summary.ok).toBe(false);
    expect(lines.at(-1)).toBe("suites: 0 passed, 1 failed");
  });
});
