import { type StdioOptions, spawn } from "node:child_process";

export interface Suite {
  name: string;
  command: string;
  args: string[];
}

export interface SuiteResult {
  name: string;
  passed: boolean;
  /** Why it failed, e.g. "exit 1", "signal SIGTERM", "could not start: …". */
  failure?: string;
  seconds: number;
}

/**
 * Runs every suite in turn, whatever the ones before it did, then prints a table and
 * one plain closing line (`suites: N passed, N failed`). A failed suite never hides
 * the ones after it: `pnpm test` reports every failure in one run.
 */
export async function runSuites(
  suites: Suite[],
  options: { log?: (line: string) => void; stdio?: StdioOptions } = {},
): Promise<{ ok: boolean; results: SuiteResult[] }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const results: SuiteResult[] = [];
  for (const suite of suites) {
    log(`\n── ${suite.name}: ${[suite.command, ...suite.args].join(" ")}`);
    const started = performance.now();
    const failure = await run(suite, options.stdio ?? "inherit");
    const seconds = Math.round((performance.now() - started) / 1000);
    results.push({ name: suite.name, passed: failure === undefined, failure, seconds });
  }

  const width = Math.max(...results.map((result) => result.name.length));
  log("\nSuite results:");
  for (const { name, passed, failure, seconds } of results) {
    log(`  ${name.padEnd(width)}  ${passed ? "passed" : `failed (${failure})`}  ${seconds} s`);
  }
  const failed = results.filter((result) => !result.passed).length;
  log(`suites: ${results.length - failed} passed, ${failed} failed`);
  return { ok: failed === 0, results };
}

function run(suite: Suite, stdio: StdioOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(suite.command, suite.args, { stdio });
    child.once("error", (error) => resolve(`could not start: ${error.message}`));
    child.once("exit", (code, signal) => {
      if (signal) resolve(`signal ${signal}`);
      else resolve(code === 0 ? undefined : `exit ${code}`);
    });
  });
}
