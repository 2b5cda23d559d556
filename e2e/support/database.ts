import { expect, type Page, type Request } from "@playwright/test";
import type { Fault } from "../../worker/local/neon-http-server.ts";
import { fromSuite } from "./env.ts";

/**
 * The app's database as the tests see it: what it holds, and faults injected into it, through the local Neon
 * stand-in the app under test talks to (started by support/global-setup.ts).
 */
export const standInUrl = fromSuite("standInUrl");
/** The stand-in serves only requests whose connection string carries its secret, control requests included. */
const credentials = { "Neon-Connection-String": fromSuite("standInDatabaseUrl") };

/** A database fault for the stand-in to inject: `times` SQL requests whose text contains `match`. */
export type { Fault };

/** The SQL each write sends, as drizzle writes it (a create is `INSERT … ON CONFLICT DO NOTHING` + a read). */
export const sql = {
  createTask: 'insert into "tasks"',
  updateTask: 'update "tasks"',
  /** Any read of the tasks table — and a create too, whose batch reads its row back. */
  readTask: 'from "tasks"',
} as const;

export async function armFault(fault: Fault): Promise<void> {
  const response = await fetch(`${standInUrl}/__stand-in/faults`, {
    method: "POST",
    headers: credentials,
    body: JSON.stringify(fault),
  });
  expect(response.status, "arming a fault in the stand-in").toBe(200);
}

/** Disarms every fault, so none outlives the test that armed it. */
export async function clearFaults(): Promise<void> {
  if (!standInUrl) return;
  const response = await fetch(`${standInUrl}/__stand-in/faults`, { method: "DELETE", headers: credentials });
  expect(response.status, "clearing the stand-in's faults").toBe(200);
}

export interface StoredTask {
  id: string;
  title: string;
  completed: boolean;
  version: number;
}

/**
 * What the server holds for the page's signed-in user, read through the API with that
 * user's own access token (minted from the page's session cookie), not through the page.
 */
export async function serverTasks(page: Page): Promise<StoredTask[]> {
  const tokenResponse = await page.request.get("/api/auth/token");
  expect(tokenResponse.status(), "minting an access token from the page's session").toBe(200);
  const { token } = (await tokenResponse.json()) as { token: string };
  const { sub } = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { sub: string };
  const response = await page.request.get(`/api/${encodeURIComponent(sub)}/tasks?limit=100`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(response.status(), "listing the user's tasks").toBe(200);
  return (await response.json()) as StoredTask[];
}

export interface SentWrite {
  method: string;
  url: string;
  body: Record<string, unknown> | null;
  /** The HTTP status of the answer, or 0 while none came (or none ever will). */
  status: number;
  /** When it was sent and answered (ms since the epoch; 0 while unanswered). */
  sentAt: number;
  answeredAt: number;
}

/** Records every task-API write the page sends (method, body and the status answered), in order. */
export function recordTaskWrites(page: Page): SentWrite[] {
  const writes: SentWrite[] = [];
  const byRequest = new Map<Request, SentWrite>();
  page.on("request", (request) => {
    if (request.method() === "GET" || !/\/api\/[^/]+\/tasks/.test(new URL(request.url()).pathname)) return;
    const text = request.postData();
    const write: SentWrite = {
      method: request.method(),
      url: request.url(),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
      status: 0,
      sentAt: Date.now(),
      answeredAt: 0,
    };
    byRequest.set(request, write);
    writes.push(write);
  });
  page.on("response", (response) => {
    const write = byRequest.get(response.request());
    if (!write) return;
    write.status = response.status();
    write.answeredAt = Date.now();
  });
  return writes;
}
