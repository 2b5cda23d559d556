/**
 * Stands in for `@better-auth/telemetry` (wrangler.jsonc `alias`). Better Auth's
 * telemetry is off unless enabled; Brisk never enables it, and with this stand-in it
 * cannot be: every event goes nowhere, as it does upstream when telemetry is off.
 */
const noop = async () => {};

export const createTelemetry = async () => ({ publish: noop });
export const getTelemetryAuthConfig = async () => ({});
