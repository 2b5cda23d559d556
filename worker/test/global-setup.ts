import { createServer, type Socket } from "node:net";
import type { TestProject } from "vitest/node";
import { backendKindFromEnv, openScratchBackend } from "../local/local-database.ts";
import { startNeonHttpServer } from "../local/neon-http-server.ts";
import { applyMigrations } from "../scripts/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    neonEndpoint: string;
    /** The stand-in's connection string; its password is this run's secret. */
    databaseUrl: string;
    hangingEndpoint: string;
  }
}

/**
 * Starts the local Neon stand-in for the Worker's tests — on in-memory PGlite, or on
 * a scratch database on the PostgreSQL server with BRISK_DB=postgres — and applies
 * the migrations through it, exactly as development and deploys do.
 */
export default async function setup(project: TestProject) {
  const backend = await openScratchBackend(backendKindFromEnv());
  const server = await startNeonHttpServer({ backend, control: true });
  await applyMigrations({ databaseUrl: server.databaseUrl, fetchEndpoint: server.url });
  project.provide("neonEndpoint", server.url);
  project.provide("databaseUrl", server.databaseUrl);

  // Accepts connections and never answers: a database that hangs.
  const held = new Set<Socket>();
  const hanging = createServer((socket) => {
    held.add(socket);
    socket.on("close", () => held.delete(socket));
  });
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  const { port } = hanging.address() as { port: number };
  project.provide("hangingEndpoint", `http://127.0.0.1:${port}/sql`);

  return async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => hanging.close(resolve));
    await server.close();
    await backend.close();
  };
}
