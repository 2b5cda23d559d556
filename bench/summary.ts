import type { SectionResult } from "./lib/section.ts";
import { formatNumber, formatRatio, kib, median, type Table } from "./lib/stats.ts";

/** The one table `pnpm bench` ends with: the headline figure of each benchmark, with its comparison. */
export function summarize(results: SectionResult[]): Table {
  const rows: string[][] = [];
  const data = (name: string) =>
    results.find((result) => result.name === name)?.data as Record<string, unknown> | undefined;
  const check = (value: number, limit: number) => (value <= limit ? "✓" : "✗");

  const cpu = data("cpu") as { inIsolateCpuUs?: Record<string, number> } | undefined;
  const us = cpu?.inIsolateCpuUs;
  if (us?.bare) {
    const bare = us.bare - (us.overhead ?? 0);
    rows.push(["CPU, bare route (no I/O, minus loop)", `${formatNumber(bare)} µs`, "1.00× (the floor)", ""]);
    // The Worker's share: less the loop's own work (the no-op handler), as table 1's "minus loop".
    const net = (name: string) =>
      (us[name] ?? Number.NaN) - (us[name.endsWith("-fresh") ? "overhead-fresh" : "overhead"] ?? 0);
    // A list is compared with a GET that verifies its token the same way (warm or never seen before).
    const getUs = (name: string) => net(name.endsWith("-fresh") ? "get-fresh" : "get");
    for (const [name, label] of [
      ["get", "CPU, authenticated GET of a task (minus loop)"],
      ["patch", "CPU, authenticated PATCH of a task (minus loop)"],
      ["list", "CPU, authenticated list of 50 (minus loop)"],
      ["get-fresh", "CPU, GET, token never seen before (full RS256 check)"],
      ["list-fresh", "CPU, list of 50, token never seen before"],
    ] as const) {
      const value = net(name);
      const isList = name.startsWith("list");
      rows.push([
        label,
        `${formatNumber(value)} µs`,
        isList ? `${formatRatio(value / getUs(name))} GET` : `${formatRatio(value / bare)} bare`,
        isList
          ? `≤ 300 µs ${check(value, 300)}, ≤ 2.5× GET ${check(value / getUs(name), 2.5)}`
          : `≤ 300 µs ${check(value, 300)}`,
      ]);
    }
    const verify = us["jose-jwks"] ?? Number.NaN;
    rows.push([
      "CPU, RS256 token verification (jwtVerify, key set cached)",
      `${formatNumber(verify, 1)} µs`,
      `${formatRatio(verify / bare)} bare`,
      `≤ 50 µs ${check(verify, 50)}`,
    ]);
    const signIn = us["sign-in"] ?? Number.NaN;
    rows.push([
      "CPU, sign-in (scrypt verify inside)",
      `${formatNumber(signIn / 1000, 1)} ms`,
      `${formatRatio(signIn / bare)} bare`,
      "",
    ]);
  }

  const load = data("load") as
    | { results?: { operation: string; variant: string; perSecond: number; p50: number[]; perRound: number[] }[] }
    | undefined;
  for (const operation of ["list", "create", "toggle"]) {
    const jwt = load?.results?.find((entry) => entry.operation === operation && entry.variant === "jwt");
    const session = load?.results?.find((entry) => entry.operation === operation && entry.variant === "session");
    if (!jwt || !session) continue;
    const ratio = median(jwt.perRound.map((value, i) => value / (session.perRound[i] ?? Number.NaN)));
    rows.push([
      `Load, ${operation} (JWT)`,
      `${formatNumber(jwt.perSecond)} req/s, p50 ${formatNumber(median(jwt.p50))} ms`,
      `${formatRatio(ratio)} the session-lookup baseline`,
      "",
    ]);
  }

  const bundle = data("bundle") as
    | {
        current?: { gzip: number };
        startup?: Record<string, { wallMs: number; cpuMs: number }>;
        pages?: { page: string; gzipBytes: number }[];
      }
    | undefined;
  if (bundle?.current) {
    const limit = 300 * 1024;
    rows.push(["Worker bundle, gzip", kib(bundle.current.gzip), "", `≤ 300 KiB ${check(bundle.current.gzip, limit)}`]);
    const startup = bundle.startup ?? {};
    if (startup.hello && startup.current) {
      rows.push([
        "Worker start-up to first response",
        `${formatNumber(startup.current.wallMs)} ms`,
        `${formatRatio(startup.current.wallMs / startup.hello.wallMs)} hello world`,
        "",
      ]);
    }
    const heaviest = [...(bundle.pages ?? [])].sort((a, b) => b.gzipBytes - a.gzipBytes)[0];
    if (heaviest) rows.push([`Site, heaviest page JS (${heaviest.page})`, kib(heaviest.gzipBytes), "", ""]);
  }

  const growth = data("growth") as { plans?: Record<string, { ms: number }> } | undefined;
  if (growth?.plans) {
    const keys = Object.keys(growth.plans);
    const sizes = [...new Set(keys.map((key) => Number(key.split("@")[1])))].sort((a, b) => a - b);
    const [smallest] = sizes;
    const largest = sizes.at(-1);
    for (const filter of [
      "default list",
      "due=overdue",
      "list=<one of 4>",
      "q=dentist",
      "feed, full sync (first 200)",
    ]) {
      const small = growth.plans[`${filter}@${smallest}`]?.ms ?? Number.NaN;
      const big = growth.plans[`${filter}@${largest}`]?.ms ?? Number.NaN;
      rows.push([
        `Growth, ${filter}, ${formatNumber(smallest ?? 0)} → ${formatNumber(largest ?? 0)} tasks, database time`,
        `${formatNumber(small, 2)} → ${formatNumber(big, 2)} ms`,
        `${formatRatio(big / small)}`,
        `≤ 2× ${check(big / small, 2)}`,
      ]);
    }
  }

  for (const result of results) {
    for (const reason of result.skipped ?? []) rows.push([`(${result.name})`, "not measured", reason.slice(0, 80), ""]);
  }
  return { title: "Summary", columns: ["measure", "value", "compared with", "target"], rows };
}
