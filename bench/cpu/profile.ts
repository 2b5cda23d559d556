/**
 * `pnpm --filter @brisk/bench profile [case…] [--root <checkout>]` — where a request's CPU goes.
 *
 * Runs the CPU harness (bench/cpu/harness.ts) with workerd's V8 inspector open,
 * records a sampling CPU profile while the harness loops over one benchmarked
 * request (default: get, patch, list), and prints the self time by package and the
 * hottest functions, mapped through the bundle's source map to the file they came
 * from. Profiling slows the code down a little; read the shares, not the times.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { freePort } from "../../scripts/lib/free-port.ts";
import { bundleBenchModule, bundleWorker } from "../lib/build.ts";
import { startCannedServer } from "../lib/canned.ts";
import { CannedAnswers } from "../lib/canned-lookup.ts";
import { log } from "../lib/section.ts";
import { packageOf, readSourceMap, type SourceMapIndex, sourceAt } from "../lib/sourcemap.ts";
import { formatNumber, renderText, type Table } from "../lib/stats.ts";
import { briskVars, startWorkers } from "../lib/workerd.ts";
import { record } from "./record.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

class Inspector {
  #socket: WebSocket;
  #id = 0;
  #pending = new Map<number, (value: unknown) => void>();
  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
      if (message.id !== undefined) this.#pending.get(message.id)?.(message.error ?? message.result);
    });
  }
  static async connect(port: number, name: string): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
      id: string;
      title?: string;
      webSocketDebuggerUrl: string;
    }[];
    const target = targets.find((t) => t.title?.includes(name) || t.id.includes(name)) ?? targets.at(-1);
    if (!target) throw new Error("no inspector target");
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve);
      socket.addEventListener("error", reject);
    });
    return new Inspector(socket);
  }
  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.#id;
    this.#socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve) => this.#pending.set(id, resolve as (value: unknown) => void));
  }
  close() {
    this.#socket.close();
  }
}

function summarize(profile: Profile, map: SourceMapIndex, bundleModule: string, title: string): Table[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (const [i, sample] of profile.samples.entries()) {
    selfUs.set(sample, (selfUs.get(sample) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    let where: string;
    if (frame.url.endsWith(bundleModule)) {
      where = packageOf(sourceAt(map, frame.lineNumber, frame.columnNumber));
    } else if (frame.url === "") {
      where = frame.functionName.startsWith("(") ? frame.functionName : "(runtime built-ins)";
    } else {
      where = "(harness)";
    }
    byPackage.set(where, (byPackage.get(where) ?? 0) + us);
    const source = frame.url.endsWith(bundleModule)
      ? `${where}: ${(sourceAt(map, frame.lineNumber, frame.columnNumber) ?? "")
          .replace(/.*node_modules\/((@[^/]+\/)?[^/]+\/)?/, "")
          .replace(/^(\.\.\/)+/, "")}`
      : frame.url;
    const key = `${frame.functionName || "(anonymous)"}  ${source}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const share = (us: number) => `${((us / total) * 100).toFixed(1)}%`;
  return [
    {
      title: `${title}: self time by package`,
      columns: ["package", "share"],
      rows: [...byPackage]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 14)
        .map(([name, us]) => [name, share(us)]),
    },
    {
      title: `${title}: hottest functions (self time)`,
      columns: ["function  source", "share"],
      rows: [...byFunction]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 18)
        .map(([name, us]) => [name.slice(0, 110), share(us)]),
      notes: [`${formatNumber(total / 1000)} ms sampled`],
    },
  ];
}

if (import.meta.main) {
  const rootAt = process.argv.indexOf("--root");
  const checkout = rootAt < 0 ? undefined : resolve(process.argv[rootAt + 1] ?? ".");
  const wanted = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith("--") && all[i - 1] !== "--root");
  const cases = wanted.length > 0 ? wanted : ["get", "patch", "list"];
  const bundle = await bundleWorker("worker-profile", {}, checkout);
  const map = readSourceMap(readFileSync(bundle.sourcemap, "utf8"));
  log("profile: recording database answers");
  const recording = await record(bundle.code);
  const canned = new CannedAnswers(recording.answers);
  const cannedServer = await startCannedServer(canned);
  const harnessCode = await bundleBenchModule("cpu/harness.ts", ["./brisk.js"]);
  const port = await freePort();
  const harness = await startWorkers(
    [
      {
        name: "harness",
        modules: { "harness.js": harnessCode, "brisk.js": bundle.code },
        vars: { ...briskVars("http://127.0.0.1:9/sql"), BENCH_TOKEN: recording.token, BENCH_PASSWORD_HASH: "" },
        json: { BENCH_CASES: recording.cases, BENCH_RECORDING: recording.answers, BENCH_JWKS: recording.jwks },
      },
    ],
    { inspectorPort: port },
  );
  try {
    const inspector = await Inspector.connect(port, "harness");
    await inspector.send("Profiler.enable");
    await inspector.send("Profiler.setSamplingInterval", { interval: 50 });
    for (const name of cases) {
      await fetch(new URL(`/case?case=${name}&n=200`, harness.url)).then((r) => r.arrayBuffer());
      await inspector.send("Profiler.start");
      const response = await fetch(new URL(`/case?case=${name}&n=1500`, harness.url));
      const timed = (await response.json()) as { ms: number; n: number };
      const { profile } = await inspector.send<{ profile: Profile }>("Profiler.stop");
      const title = `${name} (${formatNumber((timed.ms / timed.n) * 1000)} µs per request while profiled)`;
      for (const table of summarize(profile, map, "brisk.js", title)) console.log(renderText(table));
    }
    inspector.close();
  } finally {
    await harness.dispose();
    await cannedServer.close();
  }
}
