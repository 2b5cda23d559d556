import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CannedAnswers, RecordedAnswer } from "./canned-lookup.ts";

/**
 * Two tiny SQL-over-HTTP servers for the CPU benchmark:
 * - a recording proxy in front of the real stand-in, which keeps every round trip;
 * - a canned server that answers from those recordings at once, so that a request's
 *   cost is the Worker's own CPU and nothing of a database.
 */

export interface SqlHttpServer {
  /** The SQL endpoint (…/sql) for NEON_FETCH_ENDPOINT. */
  url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/sql`;
}

function closer(server: Server) {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** Forwards to `target` (the stand-in) and records each exchange into `recorded`. */
export async function startRecordingProxy(
  target: string,
  recorded: RecordedAnswer[],
): Promise<SqlHttpServer & { recording: boolean }> {
  const state = { recording: true };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (name.startsWith("neon-") && typeof value === "string") headers[name] = value;
      }
      const answer = await fetch(target, { method: "POST", headers, body });
      const response = await answer.text();
      if (state.recording) recorded.push({ body, status: answer.status, response });
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(response);
    })().catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  const url = await listen(server);
  return Object.assign(state, { url, close: closer(server) });
}

/** Answers every round trip from the recordings, with no database behind it. */
export async function startCannedServer(answers: CannedAnswers): Promise<SqlHttpServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void readBody(req).then((body) => {
      const answer = answers.find(body);
      if (!answer) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "no recorded answer for this statement" }));
        return;
      }
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(answer.response);
    });
  });
  server.keepAliveTimeout = 60_000;
  const url = await listen(server);
  return { url, close: closer(server) };
}
