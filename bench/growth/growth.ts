import { openScratchBackend } from "../../worker/local/local-database.ts";
import { startNeonHttpServer } from "../../worker/local/neon-http-server.ts";
import type { SqlBackend, SqlStatement } from "../../worker/local/sql-backend.ts";
import { applyMigrations } from "../../worker/scripts/migrate.ts";
import type { WorkerBundle } from "../lib/build.ts";
import { call, expectOk, signUp } from "../lib/client.ts";
import { log, type SectionResult } from "../lib/section.ts";
import { formatNumber, formatRatio, median, type Table } from "../lib/stats.ts";
import { briskVars, startWorkers } from "../lib/workerd.ts";
import { asciiChart } from "./chart.ts";

/**
 * Benchmark 5: how list and search latency grow with one user's tasks, through the
 * real Worker, the stand-in and the PostgreSQL server, and which index serves each
 * filter (EXPLAIN). Then, at the largest size, the indexes and the query change
 * docs/tasks-api.md names as next steps, measured. See bench/growth/README.md.
 */

export interface GrowthOptions {
  sizes: number[];
  /** Requests per filter and size (after 3 to warm up). */
  requests: number;
  /** Other users' tasks in the table, so the user's own index range is a small part of it. */
  background: { users: number; tasks: number };
}

/** Issue 19: a page's database time may at most double from 10 to 100 000 tasks. */
const targetDbGrowth = 2;

export const defaultGrowthOptions: GrowthOptions = {
  sizes: [10, 100, 1_000, 10_000, 100_000],
  requests: 15,
  background: { users: 1_000, tasks: 300_000 },
};

/**
 * The filters the site's task list uses (web/src/lib/task-view.ts), the overdue window,
 * and the change feed: a full sync's first page and a read since a recent cursor.
 * `query` follows `/api/{user}/tasks`; `{cursor}` is the cursor before the latest change.
 */
const filters: { name: string; query: string }[] = [
  { name: "default list", query: "?status=all&sort=created&order=desc&limit=50" },
  { name: "status=pending", query: "?status=pending&sort=created&order=desc&limit=50" },
  { name: "q=dentist", query: "?status=all&sort=created&order=desc&limit=50&q=dentist" },
  { name: "q=dentist call (two words)", query: "?status=all&sort=created&order=desc&limit=50&q=dentist%20call" },
  { name: "sort=title", query: "?status=all&sort=title&order=asc&limit=50" },
  { name: "due=overdue", query: "?status=all&sort=created&order=desc&limit=50&due=overdue" },
  { name: "list=<one of 4>", query: "?status=all&sort=created&order=desc&limit=50&list={list}" },
  { name: "q=urgent (1 task in 500)", query: "?status=all&sort=created&order=desc&limit=50&q=urgent" },
  {
    name: "q=dentist milk (never together)",
    query: "?status=all&sort=created&order=desc&limit=50&q=dentist%20milk",
  },
  { name: "feed, full sync (first 200)", query: "/changes?limit=200" },
  { name: "feed, since a recent cursor", query: "/changes?since={cursor}&limit=200" },
];

const words = [
  "Buy milk",
  "Write report",
  "Call dentist",
  "Pay invoice",
  "Water garden",
  "Book tickets",
  "Return library books",
  "Fix bike",
  "File taxes",
  "Plan birthday",
  "Clean kitchen",
  "Renew passport",
  "Email landlord",
  "Update CV",
  "Walk the dog",
  "Order groceries",
  "Back up laptop",
  "Read contract",
  "Change oil",
  "Sort photos",
];

/**
 * Rows `from`..`to` of a user's tasks: 5 % mention the dentist, 1 in 500 is urgent, a third completed, most
 * due within ±60 days (half of them all day, half at 09:00 UTC), spread over the user's `lists` in turn
 * (none given: the Inbox; `"no list column"`: a schema before migration 0011). With `users`, the rows are
 * spread over users other-1…other-<users>.
 */
export function insertTasks(
  userId: string,
  from: number,
  to: number,
  users?: number,
  lists: string[] | "no list column" = [],
): SqlStatement {
  const owner = users === undefined ? "$1" : `'other-' || (1 + g % ${users}) || $1`;
  const list =
    lists === "no list column"
      ? { column: "", value: "" }
      : { column: "list_id, ", value: lists.length === 0 ? "NULL, " : `($5::uuid[])[1 + g % ${lists.length}], ` };
  return {
    query: `INSERT INTO tasks (id, user_id, ${list.column}title, description, completed, completed_at, priority, due_date, due_time, due_zone, due_at, tags, created_at, updated_at)
      SELECT gen_random_uuid(), ${owner}, ${list.value}
        ($4::text[])[1 + g % ${words.length}] || ' #' || g || CASE WHEN g % 500 = 7 THEN ' urgent' ELSE '' END,
        CASE WHEN g % 3 = 0 THEN 'Notes for item ' || g || ': bring the papers and the receipt' ELSE '' END,
        g % 3 = 0,
        CASE WHEN g % 3 = 0 THEN now() - (g % 500) * interval '1 hour' END,
        (ARRAY['none','low','medium','high']::task_priority[])[1 + g % 4],
        CASE WHEN g % 5 = 0 THEN NULL ELSE (now() + ((g % 120) - 60) * interval '1 day')::date END,
        CASE WHEN g % 5 = 0 OR g % 2 = 0 THEN NULL ELSE time '09:00' END,
        CASE WHEN g % 5 = 0 OR g % 2 = 0 THEN NULL ELSE 'UTC' END,
        CASE WHEN g % 5 = 0 OR g % 2 = 0 THEN NULL
          ELSE ((now() + ((g % 120) - 60) * interval '1 day')::date + time '09:00') AT TIME ZONE 'UTC' END,
        CASE WHEN g % 2 = 0 THEN ARRAY['home'] ELSE '{}'::text[] END,
        now() - g * interval '30 seconds',
        now() - g * interval '30 seconds'
      FROM generate_series($2::int, $3::int) AS g`,
    params: [
      userId,
      String(from),
      String(to),
      `{${words.map((w) => `"${w}"`).join(",")}}`,
      ...(lists === "no list column" || lists.length === 0 ? [] : [`{${lists.join(",")}}`]),
    ],
  };
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  "Parent Relationship"?: string;
  "Subplan Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

/** "Index Scan tasks_user_created_idx", … for the main query and for the count's subplan. */
function describePlan(plan: PlanNode): { main: string[]; count: string[]; rowsRead: number } {
  // A subquery, not a CTE (a search page's walk is one, decision 036): the total.
  const main: string[] = [];
  const count: string[] = [];
  let rowsRead = 0;
  const visit = (node: PlanNode, inCount: boolean) => {
    const inSub = inCount || isSubquery(node);
    const target = inSub ? count : main;
    const type = node["Node Type"].replace(/ Scan$/, "").replace("Bitmap Index", "Bitmap");
    if (node["Index Name"]) target.push(`${type} ${node["Index Name"]}`);
    else if (node["Node Type"] === "Seq Scan") target.push(`Seq Scan ${node["Relation Name"]}`);
    else if (node["Node Type"] === "Sort" && !inSub) target.push("Sort");
    if (node["Relation Name"] || node["Index Name"])
      // Kept and dropped alike: a scan that filters out every other user's rows read them all.
      rowsRead +=
        ((node["Actual Rows"] ?? 0) +
          (node["Rows Removed by Filter"] ?? 0) +
          (node["Rows Removed by Index Recheck"] ?? 0)) *
        (node["Actual Loops"] ?? 1);
    for (const child of node.Plans ?? []) visit(child, inSub);
  };
  visit(plan, false);
  return { main: [...new Set(main)], count: [...new Set(count)], rowsRead };
}

const isSubquery = (node: PlanNode) =>
  (node["Parent Relationship"] === "InitPlan" || node["Parent Relationship"] === "SubPlan") &&
  !node["Subplan Name"]?.startsWith("CTE");

/** EXPLAIN ANALYZE runs per statement: its time is wall time in the server, so a busy machine only adds to it. */
const explainRuns = 7;

async function explain(backend: SqlBackend, statement: SqlStatement) {
  const times: number[] = [];
  let plan: PlanNode | undefined;
  for (let i = 0; i < explainRuns; i++) {
    const result = await backend.query({
      query: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement.query}`,
      params: statement.params,
    });
    const [output] = JSON.parse(String(result.rows[0]?.[0])) as [{ Plan: PlanNode; "Execution Time": number }];
    times.push(output["Execution Time"]);
    plan = output.Plan;
  }
  // The top node's buffers include every node below it, subplans too: the 8 KiB pages the statement
  // touched — the same on a busy machine as on an idle one, unlike its time.
  const pages = (node?: PlanNode) => (node?.["Shared Hit Blocks"] ?? 0) + (node?.["Shared Read Blocks"] ?? 0);
  const blocks = pages(plan);
  // The total's subquery hangs off the top node: its pages apart from the page's.
  const totalBlocks = (plan?.Plans ?? []).filter(isSubquery).reduce((sum, node) => sum + pages(node), 0);
  return { ms: median(times), minMs: Math.min(...times), blocks, totalBlocks, ...describePlan(plan as PlanNode) };
}

export async function runGrowth(
  bundle: WorkerBundle,
  options: GrowthOptions = defaultGrowthOptions,
): Promise<SectionResult> {
  log("growth: scratch database on the PostgreSQL server");
  const backend = await openScratchBackend("postgres");
  const statements: SqlStatement[] = [];
  const recording: SqlBackend = {
    ...backend,
    kind: backend.kind,
    query: (statement) => {
      statements.push(statement);
      return backend.query(statement);
    },
    batch: (batch, batchOptions) => backend.batch(batch, batchOptions),
    close: () => backend.close(),
  };
  const standIn = await startNeonHttpServer({ backend: recording });
  const workers = await startWorkers([
    {
      name: "brisk",
      modules: { "index.js": bundle.code },
      vars: briskVars(standIn.url, { DATABASE_URL: standIn.databaseUrl }),
    },
  ]);
  try {
    await applyMigrations({ databaseUrl: standIn.databaseUrl, fetchEndpoint: standIn.url });
    const user = await signUp(workers.url, "growth@example.com");
    const { users, tasks: backgroundTasks } = options.background;
    log(`growth: ${backgroundTasks} tasks of ${users} other users`);
    await backend.query({
      query: `INSERT INTO "user" (id, name, email) SELECT 'other-' || g, 'Other ' || g, 'other' || g || '@example.com' FROM generate_series(1, ${users}) g`,
      params: [],
    });
    await backend.query(insertTasks("", 1, backgroundTasks, users));
    // The user's Inbox and three lists; their tasks go to each in turn (the list filter reads a quarter).
    const made = await backend.query({
      query: `INSERT INTO lists (id, user_id, name, position)
        SELECT gen_random_uuid(), $1, name, 'b' || n FROM unnest(ARRAY['Work', 'Home', 'Errands']) WITH ORDINALITY AS l(name, n)
        RETURNING id`,
      params: [user.id],
    });
    const inbox = await backend.query({
      query: "SELECT id FROM lists WHERE user_id = $1 AND inbox",
      params: [user.id],
    });
    const lists = [...inbox.rows, ...made.rows].map((row) => String(row[0]));

    const latency = new Map<string, number[]>();
    const plans = new Map<string, Awaited<ReturnType<typeof explain>>>();
    const listStatements = new Map<string, SqlStatement>();
    let seeded = 0;
    for (const size of options.sizes) {
      log(`growth: ${size} tasks`);
      await backend.query(insertTasks(user.id, seeded + 1, size, undefined, lists));
      seeded = size;
      // What autovacuum would have done by then: statistics and the visibility map (index-only scans).
      await backend.query({ query: "VACUUM ANALYZE tasks", params: [] });
      // One change through the API, and the feed cursor just before it.
      await expectOk(
        await call(workers.url, `/api/${user.id}/tasks`, { token: user.token, body: { title: "Latest" } }),
        "create",
      );
      const sequence = await backend.query({
        query: "select seq from task_sequences where user_id = $1",
        params: [user.id],
      });
      const cursor = Buffer.from(JSON.stringify({ q: Number(sequence.rows[0]?.[0]) - 1 })).toString("base64url");
      for (const filter of filters) {
        const times: number[] = [];
        for (let i = 0; i < options.requests + 3; i++) {
          const start = performance.now();
          statements.length = 0;
          const path = `/api/${user.id}/tasks${filter.query.replace("{cursor}", cursor).replace("{list}", lists[1] ?? "")}`;
          const response = await call(workers.url, path, { token: user.token });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`${filter.name} at ${size}: ${response.status}`);
          if (i >= 3) times.push(performance.now() - start);
        }
        latency.set(`${filter.name}@${size}`, times);
        const statement = statements.find((s) => /from "tasks"/i.test(s.query));
        if (statement) {
          listStatements.set(filter.name, statement);
          plans.set(`${filter.name}@${size}`, await explain(backend, statement));
        }
      }
    }

    const largest = options.sizes.at(-1) as number;
    const middle = options.sizes.find((size) => size >= 1000 && size < largest) ?? (options.sizes[0] as number);
    log(`growth: remedies at ${largest} tasks`);
    const remedies = await tryRemedies(backend, workers.url.toString(), user, listStatements, options.requests);

    const medianOf = (key: string) => median(latency.get(key) ?? []);
    const smallest = options.sizes[0] as number;
    // The first size whose pages are full and whose total reaches the cap (1 000 tasks, or the nearest above).
    const full = options.sizes.find((size) => size >= 1000) ?? largest;
    const sizeLabel = (size: number) => (size >= 1000 ? `${size / 1000}k` : String(size));
    const curve: Table = {
      title: `5. List latency as one user's tasks grow (median ms through Worker + stand-in + PostgreSQL; ${options.background.tasks} other users' tasks in the table)`,
      columns: [
        "filter",
        ...options.sizes.map(sizeLabel),
        `${sizeLabel(largest)} ÷ ${sizeLabel(smallest)}`,
        `DB ms at ${sizeLabel(smallest)}`,
        `DB ms at ${sizeLabel(full)}`,
        `DB ms at ${sizeLabel(largest)}`,
        `DB ${sizeLabel(largest)} ÷ ${sizeLabel(smallest)}`,
        `DB ${sizeLabel(largest)} ÷ ${sizeLabel(full)}`,
      ],
      rows: filters.map((filter) => {
        const dbSmall = plans.get(`${filter.name}@${smallest}`)?.ms ?? Number.NaN;
        const dbFull = plans.get(`${filter.name}@${full}`)?.ms ?? Number.NaN;
        const dbLarge = plans.get(`${filter.name}@${largest}`)?.ms ?? Number.NaN;
        const growth = dbLarge / dbSmall;
        return [
          filter.name,
          ...options.sizes.map((size) => formatNumber(medianOf(`${filter.name}@${size}`), 1)),
          formatRatio(medianOf(`${filter.name}@${largest}`) / medianOf(`${filter.name}@${smallest}`)),
          formatNumber(dbSmall, 2),
          formatNumber(dbFull, 2),
          formatNumber(dbLarge, 2),
          `${formatRatio(growth)}${growth <= targetDbGrowth ? " ✓" : " ✗"}`,
          formatRatio(dbLarge / dbFull),
        ];
      }),
      notes: [
        `Each cell: median of ${options.requests} sequential requests (a list page of 50 with the total, or a feed read) after 3 to warm up. DB ms: the statement the Worker sent, under EXPLAIN ANALYZE on the server (median of ${explainRuns}; table 5d gives the pages it touched, which noise cannot move). Target: database time at ${sizeLabel(largest)} ≤ ${targetDbGrowth}× at ${sizeLabel(smallest)} (✓/✗). ${sizeLabel(largest)} ÷ ${sizeLabel(full)}: from the size where every page is full and the total reaches its cap of 1 000 — at ${sizeLabel(smallest)} tasks a page holds ${sizeLabel(smallest)} tasks and the count reads ${sizeLabel(smallest)} entries.`,
      ],
    };
    const planTable: Table = {
      title: `5a. Which index serves each filter (EXPLAIN ANALYZE at ${sizeLabel(middle)} and ${sizeLabel(largest)} tasks)`,
      columns: ["filter", "page (main query)", "total (count subquery)", `rows read at ${sizeLabel(largest)}`],
      rows: filters.map((filter) => {
        const big = plans.get(`${filter.name}@${largest}`);
        const small = plans.get(`${filter.name}@${middle}`);
        const describe = (a?: string[], b?: string[]) => {
          const left = (a ?? []).join(" + ") || "–";
          const right = (b ?? []).join(" + ") || "–";
          return left === right ? right : `${left} → ${right}`;
        };
        return [
          filter.name,
          describe(small?.main, big?.main),
          describe(small?.count, big?.count),
          formatNumber(big?.rowsRead ?? Number.NaN),
        ];
      }),
      notes: [
        '"a → b": the plan changed between the two sizes. Rows read: rows every scan node of the plan went through (returned, and removed by its filter or recheck), loops included.',
      ],
    };
    const blocksTable: Table = {
      title: "5d. Database pages (8 KiB blocks) each statement touched, by the user's task count",
      columns: [
        "filter",
        ...options.sizes.map(sizeLabel),
        `${sizeLabel(largest)} ÷ ${sizeLabel(smallest)}`,
        `${sizeLabel(largest)} ÷ ${sizeLabel(full)}`,
        `fastest DB ms at ${sizeLabel(smallest)} → ${sizeLabel(largest)}`,
        `of which the total, ${sizeLabel(smallest)} → ${sizeLabel(largest)}`,
      ],
      rows: filters.map((filter) => {
        const at = (size: number) => plans.get(`${filter.name}@${size}`);
        const small = at(smallest)?.blocks ?? Number.NaN;
        const large = at(largest)?.blocks ?? Number.NaN;
        return [
          filter.name,
          ...options.sizes.map((size) => formatNumber(at(size)?.blocks ?? Number.NaN)),
          formatRatio(large / small),
          formatRatio(large / (at(full)?.blocks ?? Number.NaN)),
          `${formatNumber(at(smallest)?.minMs ?? Number.NaN, 2)} → ${formatNumber(at(largest)?.minMs ?? Number.NaN, 2)}`,
          `${formatNumber(at(smallest)?.totalBlocks ?? Number.NaN)} → ${formatNumber(at(largest)?.totalBlocks ?? Number.NaN)}`,
        ];
      }),
      notes: [
        `Shared buffers hit or read by the whole statement (EXPLAIN's BUFFERS, the top node, subplans included): the work the statement does, which a busy machine does not change. Fastest DB ms: the quickest of the ${explainRuns} EXPLAIN ANALYZE runs. Of which the total: the pages of the \`X-Total-Count\` subquery (exact up to 1 000: it confirms up to 1 001 matches).`,
      ],
    };
    const chart = asciiChart(
      options.sizes,
      filters.map((filter) => ({
        name: filter.name,
        values: options.sizes.map((size) => medianOf(`${filter.name}@${size}`)),
      })),
    );
    return {
      name: "growth",
      tables: [
        curve,
        { title: "5b. The curve (log-log)", columns: [], rows: [], notes: chart },
        planTable,
        blocksTable,
        remedies.table,
      ],
      data: {
        latencyMs: Object.fromEntries([...latency].map(([key, values]) => [key, median(values)])),
        plans: Object.fromEntries(plans),
        remedies: remedies.data,
      },
    };
  } finally {
    await workers.dispose();
    await standIn.close();
    await backend.close();
  }
}

/**
 * The search index as it was before migration 0009 (trigrams of every user's rows, no user id),
 * put back on the scratch database at the largest size and measured the same way against
 * today's per-user one (decision 022). The pending view's partial index is not tried: it
 * exists (tasks_user_pending_created_idx), and the total is capped by the Worker (decision 018).
 */
async function tryRemedies(
  backend: SqlBackend,
  base: string,
  user: { id: string; token: string },
  statements: Map<string, SqlStatement>,
  requests: number,
) {
  const measure = async (query: string) => {
    const times: number[] = [];
    for (let i = 0; i < requests + 3; i++) {
      const start = performance.now();
      const response = await call(base, `/api/${user.id}/tasks?${query}`, { token: user.token });
      await response.arrayBuffer();
      if (i >= 3) times.push(performance.now() - start);
    }
    return median(times);
  };
  const rows: string[][] = [];
  const data: Record<string, unknown> = {};
  const filterQuery = (name: string) => filters.find((filter) => filter.name === name)?.query.slice(1) ?? "";
  const sql = (query: string) => backend.query({ query, params: [] });

  // q: the search index as it was before btree_gin (trigrams of every user's tasks, no user id in it).
  const search = statements.get("q=dentist");
  if (search) {
    const beforeMs = await measure(filterQuery("q=dentist"));
    const beforePlan = await explain(backend, search);
    try {
      await sql("CREATE INDEX bench_tasks_search_trgm ON tasks USING gin (search gin_trgm_ops)");
      await sql("DROP INDEX tasks_user_search_idx");
      await sql("VACUUM ANALYZE tasks");
      const afterMs = await measure(filterQuery("q=dentist"));
      const afterPlan = await explain(backend, search);
      rows.push([
        "q=dentist: a trigram index of every user's rows, gin (search gin_trgm_ops), instead of (user_id, search)",
        `${formatNumber(beforeMs, 1)} → ${formatNumber(afterMs, 1)}`,
        `${formatNumber(beforePlan.ms, 1)} → ${formatNumber(afterPlan.ms, 1)}`,
        [...afterPlan.main, ...afterPlan.count].join(" + "),
      ]);
      data.trigram = { beforeMs, afterMs, beforeDbMs: beforePlan.ms, afterDbMs: afterPlan.ms, plan: afterPlan };
      await sql("CREATE INDEX tasks_user_search_idx ON tasks USING gin (user_id, search gin_trgm_ops)");
      await sql("DROP INDEX bench_tasks_search_trgm");
    } catch (error) {
      rows.push(["q=dentist: trigram index without the user id", "not measured", String(error).slice(0, 60), ""]);
    }
  }

  await sql("ANALYZE tasks");
  return {
    table: {
      title: "5c. Remedies tried at the largest size",
      columns: ["change", "request ms (before → after)", "DB ms (before → after)", "plan after"],
      rows,
      notes: [
        "Applied to the scratch database only and removed again; the request figures go through the unchanged Worker.",
      ],
    } satisfies Table,
    data,
  };
}
