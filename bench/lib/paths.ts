import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** The repository root, bench/ and where results go (git-ignored). */
export const root = join(import.meta.dirname, "..", "..");
export const benchDir = join(root, "bench");
export const resultsDir = join(benchDir, "results");

export function resultPath(...parts: string[]): string {
  const path = join(resultsDir, ...parts);
  mkdirSync(join(path, ".."), { recursive: true });
  return path;
}
