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
    const bare = us.bare;
    rows.push(["CPU, bare route (no I/O)", `${formatNumber(bare)} µs`, "1.00× (the floor)", ""]);
    for (const [name, label] of [
      ["get", "CPU, authenticated GET of a task"],
      ["patch", "CPU, authenticated PATCH of a task"],
      ["list", "CPU, authenticated list of 50"],
    ] as const) {
      const value = us[name] ?? Number.NaN;
      rows.push([
        label,
        `${formatNumber(value)} µs`,
        `${formatRatio(value / bare)} bare`,
        name === "list" ? "" : `≤ 300 µs ${check(value, 300)}`,
      ]);
    }
    const verify = us["jose-jwks"] ?? Number.NaN;
    rows.push([
      "CPU, token verification (warm)",
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

  const growth = data("growth") as { latencyMs?: Record<string, number> } | undefined;
  if (growth?.latencyMs) {
    const keys = Object.keys(growth.latencyMs);
    const sizes = [...new Set(keys.map((key) => Number(key.split("@")[1])))].sort((a, b) => a - b);
    const [smallest] = sizes;
    const largest = sizes.at(-1);
    for (const filter of ["default list", "q=dentist"]) {
      const small = growth.latencyMs[`${filter}@${smallest}`] ?? Number.NaN;
      const big = growth.latencyMs[`${filter}@${largest}`] ?? Number.NaN;
      rows.push([
        `Growth, ${filter}, ${formatNumber(smallest ?? 0)} → ${formatNumber(largest ?? 0)} tasks`,
        `${formatNumber(small, 1)} → ${formatNumber(big, 1)} ms`,
        `${formatRatio(big / small)}`,
        "",
      ]);
    }
  }

  for (const result of results) {
    for (const reason of result.skipped ?? []) rows.push([`(${result.name})`, "not measured", reason.slice(0, 80), ""]);
  }
  return { title: "Summary", columns: ["measure", "value", "compared with", "target"], rows };
}
