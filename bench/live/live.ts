/**
 * `pnpm --filter @brisk/bench live` — the live channel, measured through `wrangler dev`
 * (bench/live/README.md):
 *
 *   1. fan-out latency: 100 task writes by one client, each awaited; the time from the
 *      write's answer (and from its request) to `changed` on a second socket, p50/p99;
 *   2. idle sockets: the Worker's workerd process, resident size and CPU time over an
 *      idle window, with 10 sockets open for one user and then 1 000 — side by side.
 *
 * Options: --writes N (100), --sockets N (1000), --idle-seconds N (20).
 * Needs the PostgreSQL server, like `pnpm soak`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newIp, signUp } from "../lib/client.ts";
import { resultPath } from "../lib/paths.ts";
import { log } from "../lib/section.ts";
import { formatNumber, formatRatio, quantile, renderMarkdown, renderText, type Table } from "../lib/stats.ts";
import { rssBytes, startStandIn, startWranglerDev, workerdProcesses } from "../soak/processes.ts";

const option = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const writes = option("writes", 100);
const manySockets = option("sockets", 1000);
const fewSockets = 10;
const idleSeconds = option("idle-seconds", 20);

/** One person: signed up from their own address (bench/lib/client.ts), holding an access token. */
async function person(base: string): Promise<{ id: string; token: string; ip: string }> {
  const ip = newIp();
  const { id, token } = await signUp(base, `live-${crypto.randomUUID().slice(0, 8)}@example.com`, { origin: base, ip });
  return { id, token, ip };
}

/** A socket on the live channel and the `changed` messages it has heard, with when. */
async function openSocket(base: string, userId: string, token: string) {
  const socket = new WebSocket(`${base.replace(/^http/, "ws")}/api/${userId}/live`, ["brisk.v1", `bearer.${token}`]);
  const heard: { at: number; cursor: string }[] = [];
  let wake: () => void = () => {};
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { type: string; cursor?: string };
    if (message.type === "changed") heard.push({ at: performance.now(), cursor: String(message.cursor) });
    wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error("the live socket did not open")), { once: true });
  });
  const next = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (heard.length === 0) {
      if (Date.now() > deadline) throw new Error("no `changed` within 30 s: do task writes set changeCursor?");
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000);
      });
    }
    return heard.shift() as { at: number; cursor: string };
  };
  return { socket, next };
}

/** user + system CPU time of a process, in milliseconds (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function idleWindow(pid: number): Promise<{ rss: number; cpu: number }> {
  // Let the sockets settle (and the object hibernate where the runtime does), then watch.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const before = cpuMs(pid);
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  return { rss: rssBytes(pid) ?? Number.NaN, cpu: cpuMs(pid) - before };
}

const standIn = await startStandIn();
const wrangler = await startWranglerDev({
  standInUrl: standIn.url,
  databaseUrl: standIn.databaseUrl,
  logPath: resultPath("live-wrangler.log"),
});
const sockets: WebSocket[] = [];
try {
  const base = wrangler.url;
  const port = Number(new URL(base).port);
  const workerPid = workerdProcesses(wrangler.pid, port).worker;
  if (workerPid === undefined) throw new Error("the Worker's workerd process was not found");

  // 1. Fan-out latency.
  const writer = await person(base);
  const listener = await openSocket(base, writer.id, writer.token);
  sockets.push(listener.socket);
  const fromAnswer: number[] = [];
  const fromRequest: number[] = [];
  const headers = {
    Authorization: `Bearer ${writer.token}`,
    "Content-Type": "application/json",
    "CF-Connecting-IP": writer.ip,
  };
  log(`live: ${writes} writes, each awaited, then its \`changed\` on a second socket`);
  for (let i = 0; i < writes; i += 1) {
    const sent = performance.now();
    const answer = await fetch(`${base}/api/${writer.id}/tasks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ title: `Task ${i}` }),
    });
    const answered = performance.now();
    if (answer.status !== 201) throw new Error(`write ${i}: ${answer.status} ${await answer.text()}`);
    const { at } = await listener.next();
    fromAnswer.push(Math.max(0, at - answered));
    fromRequest.push(at - sent);
  }

  // 2. Idle sockets: 10 for one user, then 1 000 for another, in the same workerd.
  const idle: { sockets: number; rss: number; cpu: number }[] = [];
  const baseline = await idleWindow(workerPid);
  for (const count of [fewSockets, manySockets]) {
    const owner = await person(base);
    log(`live: opening ${count} sockets for one user`);
    for (let i = 0; i < count; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, () => openSocket(base, owner.id, owner.token)),
      );
      sockets.push(...batch.map((s) => s.socket));
    }
    idle.push({ sockets: count, ...(await idleWindow(workerPid)) });
  }
  // Closed again: does the resident size come back (held per socket) or stay (the heap grown once)?
  for (const socket of sockets.splice(1)) socket.close(1000, "measured");
  const afterClose = await idleWindow(workerPid);

  const ms = (value: number) => `${formatNumber(value, 1)} ms`;
  const mibOf = (bytes: number) => `${formatNumber(bytes / 2 ** 20, 1)} MiB`;
  const tables: Table[] = [
    {
      title: `Live fan-out latency (${writes} writes, wrangler dev, loopback)`,
      columns: ["measured from", "p50", "p99", "max"],
      rows: [
        [
          "the write's answer",
          ms(quantile(fromAnswer, 0.5)),
          ms(quantile(fromAnswer, 0.99)),
          ms(Math.max(...fromAnswer)),
        ],
        [
          "the write's request",
          ms(quantile(fromRequest, 0.5)),
          ms(quantile(fromRequest, 0.99)),
          ms(Math.max(...fromRequest)),
        ],
      ],
      notes: [
        "From the answer: how long after the client has its 201 the other socket hears `changed` (0 when it came first).",
      ],
    },
    {
      title: `Idle live sockets (the Worker's workerd process, ${idleSeconds} s idle window)`,
      columns: ["open sockets", "resident size", "above no sockets", "CPU in the window", "per socket above none"],
      rows: [
        ["0", mibOf(baseline.rss), "–", ms(baseline.cpu), "–"],
        ...idle.map((row) => [
          String(row.sockets),
          mibOf(row.rss),
          mibOf(row.rss - baseline.rss),
          ms(row.cpu),
          `${formatNumber((row.rss - baseline.rss) / row.sockets / 1024, 1)} KiB`,
        ]),
        ["0 again (all closed)", mibOf(afterClose.rss), mibOf(afterClose.rss - baseline.rss), ms(afterClose.cpu), "–"],
      ],
      notes: [
        `${manySockets} vs ${fewSockets} sockets: resident size ×${formatRatio((idle[1]?.rss ?? 0) / (idle[0]?.rss ?? 1)).replace("×", "")}, ` +
          `idle CPU ${ms(idle[1]?.cpu ?? 0)} vs ${ms(idle[0]?.cpu ?? 0)}.`,
      ],
    },
  ];
  for (const table of tables) console.log(renderText(table));
  writeFileSync(resultPath("live.md"), `${tables.map(renderMarkdown).join("\n\n")}\n`);
  log(`live: wrote ${join("bench", "results", "live.md")}`);
} finally {
  for (const socket of sockets) socket.close(1000, "bench done");
  await wrangler.stop();
  await standIn.close();
}
