import { type DatabaseFailure, databaseFailure } from "./errors.ts";

/**
 * How safe an operation is to repeat when a try failed:
 * - `repeatable`: a read, or a write that is safe to repeat by construction (an insert
 *   with a client-chosen id, an update conditional on the version it read) — retried
 *   whenever the failure is transient;
 * - `once`: a write that would apply twice (a toggle) — retried only when the database
 *   says it rolled the try back.
 */
export type Repeatability = "repeatable" | "once";

const maxAttempts = 3;
const backoffMs = [25, 100];

/**
 * Runs a database operation, repeating it after a transient failure within a small
 * budget (three tries, ~125 ms of waiting). A try that timed out is not repeated: the
 * request's time is spent, and it answers 503 at once.
 */
export async function withRetries<T>(
  repeatability: Repeatability,
  operation: () => Promise<T>,
  onRepeat?: (failure: DatabaseFailure) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const failure = databaseFailure(error);
      const retryable = failure === "not-applied" || (failure === "unknown" && repeatability === "repeatable");
      if (!retryable || attempt >= maxAttempts) throw error;
      onRepeat?.(failure);
      const delay = backoffMs[attempt - 1] ?? 100;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    }
  }
}
