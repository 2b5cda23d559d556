import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port.ts";
import { root } from "../lib/paths.ts";
import { log } from "../lib/section.ts";

/**
 * The processes a soak run starts and watches: the stand-in (its own Node process)
 * and `wrangler dev` with the workerd processes under it, found through /proc.
 */

/** What stand-in-process.ts says over its IPC channel. */
export type StandInMessage =
  | { kind: "ready"; url: string; databaseUrl: string }
  | { kind: "stats"; requests: number; statements: number }
  | { kind: "failed"; message: string };

export interface StandInProcess {
  url: string;
  /** What the Worker's driver connects with: its password is the stand-in's secret for this run. */
  databaseUrl: string;
  pid: number;
  /** The stand-in's round trips so far. */
  stats(): Promise<{ requests: number; statements: number }>;
  /** Stops serving and drops the scratch database. */
  close(): Promise<void>;
}

export function startStandIn(): Promise<StandInProcess> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "stand-in-process.ts")], {
    cwd: root,
    env: { ...process.env, TZ: "UTC" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const onReady = (message: StandInMessage) => {
      if (message.kind === "failed") reject(new Error(`stand-in: ${message.message}`));
      if (message.kind !== "ready") return;
      child.off("message", onReady);
      resolve({
        url: message.url,
        databaseUrl: message.databaseUrl,
        pid: child.pid as number,
        stats: () =>
          new Promise((resolveStats) => {
            const onStats = (reply: StandInMessage) => {
              if (reply.kind !== "stats") return;
              child.off("message", onStats);
              resolveStats(reply);
            };
            child.on("message", onStats);
            child.send("stats");
          }),
        close: async () => {
          if (child.exitCode === null && child.connected) child.send("close");
          await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
          if (child.exitCode === null) child.kill("SIGKILL");
        },
      });
    };
    child.on("message", onReady);
    child.once("exit", (code) => reject(new Error(`the stand-in exited (${code}) before it was ready`)));
  });
}

export interface WranglerDev {
  url: string;
  /** wrangler's DevTools port for the Worker's isolate (see inspector.ts). */
  inspectorPort: number;
  /** The `wrangler dev` process (Node); workerd runs under it. */
  pid: number;
  /** Where wrangler's output (and the Worker's logs) went. */
  logPath: string;
  /** Lines of wrangler's output so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `wrangler dev` with the root wrangler.jsonc, on free ports, pointed at the stand-in.
 * Vars and secrets are given with `--var`. The site is not part
 * of the soak: `--assets` points at an empty directory, so web/dist need not exist.
 */
export async function startWranglerDev(options: {
  standInUrl: string;
  databaseUrl: string;
  logPath: string;
}): Promise<WranglerDev> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const scratch = mkdtempSync(join(tmpdir(), "brisk-soak-"));
  const assets = join(scratch, "assets");
  mkdirSync(assets);
  const logFile = createWriteStream(options.logPath);
  // Secrets as well as vars: a throwaway secret for a scratch database.
  const vars = {
    NEON_FETCH_ENDPOINT: options.standInUrl,
    DATABASE_URL: options.databaseUrl,
    BETTER_AUTH_URL: url,
    BETTER_AUTH_SECRET: "soak-secret-that-is-long-enough-for-better-auth",
  };
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--assets",
      assets,
      "--persist-to",
      join(scratch, "state"),
      "--show-interactive-dev-session=false",
      // --var wins over a developer's .dev.vars, which wrangler would otherwise read instead.
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CI: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: stop() ends wrangler, its esbuild and its workerd processes together.
      detached: true,
    },
  );
  const record = (chunk: Buffer) => {
    output += chunk.toString();
    logFile.write(chunk);
  };
  child.stdout?.on("data", record);
  child.stderr?.on("data", record);

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    logFile.end();
    rmSync(scratch, { recursive: true, force: true });
  };

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    }
    try {
      const response = await fetch(`${url}/api/health?ready`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not become healthy at ${url}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  log(`wrangler dev: ready at ${url} (pid ${child.pid})`);
  return { url, inspectorPort, pid: child.pid as number, logPath: options.logPath, output: () => output, stop };
}

/**
 * The two workerd processes `wrangler dev` runs: one serves the public port and
 * forwards requests (wrangler's proxy), the other runs the Worker. They are told apart
 * by the address the proxy listens on (`--socket-addr=entry=127.0.0.1:<port>`).
 */
export function workerdProcesses(wranglerPid: number, port: number): { worker?: number; proxy?: number } {
  const found: { worker?: number; proxy?: number } = {};
  for (const pid of descendants(wranglerPid)) {
    if (commandName(pid) !== "workerd") continue;
    const cmdline = readProc(pid, "cmdline")?.split("\0") ?? [];
    if (cmdline.some((arg) => arg.endsWith(`entry=127.0.0.1:${port}`))) found.proxy = pid;
    else found.worker = pid;
  }
  return found;
}

/** Every process below `pid`, from the parent ids in /proc/<pid>/stat. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(Number(entry), "stat");
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so match from the last ")".
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) : Number.NaN;
    if (!Number.isFinite(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Resident set size in bytes (VmRSS), or undefined when the process is gone. */
export function rssBytes(pid: number): number | undefined {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readProc(pid, "status") ?? "")?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

function commandName(pid: number): string | undefined {
  return readProc(pid, "comm")?.trim();
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined; // the process ended while we looked
  }
}
