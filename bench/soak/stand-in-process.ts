/**
 * The local Neon stand-in for the soak run, in a process of its own so that its
 * memory can be sampled apart from the load generator's: a scratch database on the
 * PostgreSQL server, migrated over the HTTP driver path, served at a free port.
 * Started by soak.ts with an IPC channel; it sends `{ url }` when ready, answers
 * `"stats"` with its round-trip counters, and on `"close"` (or when the parent goes
 * away) stops serving and drops the scratch database.
 * An entry point only: importing it would start a second stand-in.
 */
import { openScratchBackend } from "../../worker/local/local-database.ts";
import { startNeonHttpServer } from "../../worker/local/neon-http-server.ts";
import { applyMigrations } from "../../worker/scripts/migrate.ts";
import type { StandInMessage } from "./processes.ts";

const send = (message: StandInMessage) => process.send?.(message);

const backend = await openScratchBackend("postgres").catch((error: unknown) => {
  send({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
const server = await startNeonHttpServer({ backend });

let closing: Promise<void> | undefined;
const close = () => {
  closing ??= (async () => {
    await server.close();
    await backend.close();
    if (process.connected) process.disconnect();
  })();
  return closing;
};
process.on("message", (message) => {
  if (message === "stats") send({ kind: "stats", ...server.stats });
  if (message === "close") void close().then(() => process.exit(0));
});
// The soak process died without saying goodbye, or Ctrl-C reached the whole process group:
// still drop the scratch database.
process.on("disconnect", () => void close().then(() => process.exit(0)));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void close().then(() => process.exit(0)));

try {
  await applyMigrations({ databaseUrl: server.databaseUrl, fetchEndpoint: server.url });
  send({ kind: "ready", url: server.url, databaseUrl: server.databaseUrl });
} catch (error) {
  send({ kind: "failed", message: `migrations: ${error instanceof Error ? error.message : String(error)}` });
  await close();
  process.exit(1);
}
