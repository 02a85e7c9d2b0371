/**
 * Jobs API latency on big job tables.
 *
 *   node --import tsx bench/jobs-api-latency.ts [--quick]
 *
 * Fills a SQLite file with 100,000 and with 1,000,000 jobs (--quick: 10,000 and 100,000) straight
 * into the `jobs` table (bench/support.ts fillJobs: four states, eight methods, realistic
 * parameters), starts the service on it (workers: 0) and times `GET /jobs?limit=100` with each
 * filter and `GET /jobs/stats` over real HTTP, one request at a time, in rounds over all cases
 * (so that noise from other processes spreads evenly): p50 / p99 / max.
 * Baseline: `GET /jobs/{id}` (a primary-key lookup through the same HTTP stack) in the same run.
 * Then runs each list query once more on the store directly, recording the SQL it executes, its
 * time and its EXPLAIN QUERY PLAN, to show why a query misses the aim.
 */
import { join } from 'node:path';
import { DEFAULTS } from '../src/config.js';
import type { JobListQuery, JobState } from '../src/jobs/types.js';
import { startService } from '../src/service.js';
import { SqliteJobStore } from '../src/storage/sqlite/sqlite-job-store.js';
import {
  QUICK,
  fillJobs,
  fmt,
  median,
  note,
  oneLine,
  printTable,
  progress,
  queryPlan,
  recordStatements,
  round,
  roundSummary,
  summarize,
  tempDir,
  timeInRounds,
  writeResults,
  type FillReport,
  type Summary,
} from './support.js';

const startedAt = new Date();
const SIZES = QUICK ? [10_000, 100_000] : [100_000, 1_000_000];
const REQUESTS = QUICK ? 100 : 200;
/** A case leaves the rotation (after at least 20 requests) once its requests took this long. */
const CASE_BUDGET_MS = QUICK ? 5_000 : 20_000;
const AIM_P99_MS = 20;
/** Runs of each list query on the store directly, for the SQL times (median). */
const SQL_RUNS = QUICK ? 3 : 5;

interface Case {
  name: string;
  /** Path and query of the request. */
  path: string;
  /** The list query the route makes of it (for the SQL analysis); none for stats and the baseline. */
  list?: JobListQuery;
}

function listCase(name: string, params: Record<string, string>): Case {
  const search = new URLSearchParams({ limit: '100', ...params });
  const state = params.state === 'in_progress' ? 'processing' : (params.state as JobState | undefined);
  return {
    name,
    path: `/jobs?${search}`,
    list: {
      offset: Number(params.start ?? 0),
      limit: 100,
      order: params.ascending === 'true' ? 'ascending' : 'descending',
      method: params.method,
      state,
      text: params.filter,
    },
  };
}

function casesFor(fill: FillReport): Case[] {
  return [
    listCase('list, no filter', {}),
    listCase('state=queued', { state: 'queued' }),
    listCase('method=addBinarySample', { method: 'addBinarySample' }),
    listCase('state=failed & method=query', { state: 'failed', method: 'query' }),
    listCase(`filter=${fill.commonText} (many)`, { filter: fill.commonText }),
    listCase(`filter=${fill.rareText} (one)`, { filter: fill.rareText }),
    listCase(`filter=${fill.commonText} & state=finished`, { filter: fill.commonText, state: 'finished' }),
    listCase('filter=32 (2 characters)', { filter: '32' }),
    listCase('ascending=true', { ascending: 'true' }),
    listCase('start=50000', { start: '50000' }),
    listCase('state=finished & start=50000', { state: 'finished', start: '50000' }),
    { name: 'stats', path: '/jobs/stats' },
  ];
}

interface CaseResult {
  case: string;
  path: string;
  status: number;
  latency_ms: Summary;
  x_total_count?: number;
  items?: number;
  bytes: number;
  p50_vs_baseline: number;
  meets_aim?: boolean;
  /** The store's SQL for this list query alone (median of SQL_RUNS runs, all its statements). */
  sql_ms?: number;
}

interface SqlStatement {
  sql: string;
  median_ms: number;
  plan: string[];
}

interface SizeResult {
  jobs: number;
  fill: Omit<FillReport, 'sampleIds'>;
  baseline: CaseResult;
  cases: CaseResult[];
  sql: { case: string; statements: SqlStatement[] }[];
}

async function measureSize(jobs: number): Promise<SizeResult> {
  const dir = tempDir();
  try {
    progress(`filling ${jobs.toLocaleString('en-US')} jobs`);
    const fill = fillJobs(join(dir.path, 'mcrit.sqlite'), jobs);
    progress(`filled in ${fmt(fill.fillMs / 1000)} s (${fmt(fill.jobsPerSecond, 0)} jobs/s, ${fmt(fill.bytes / 2 ** 20, 0)} MiB)`);
    const cases = casesFor(fill);

    const service = await startService({ ...DEFAULTS, dataDir: dir.path, port: 0, workers: 0, methodModules: [] });
    let baseline: CaseResult;
    const results: CaseResult[] = [];
    try {
      const stats = (await fetch(`${service.url}/jobs/stats`).then((r) => r.json())) as { data: { total_jobs: number } };
      if (stats.data.total_jobs !== jobs) throw new Error(`stats say ${stats.data.total_jobs} jobs, filled ${jobs}`);
      const ids = fill.sampleIds;
      const BASELINE = 'GET /jobs/{id} (baseline)';
      progress(`timing ${cases.length + 1} requests in rounds of one each, up to ${REQUESTS} rounds`);
      const timed = await timeInRounds(
        [
          { name: BASELINE, url: (i) => `${service.url}/jobs/${ids[i % ids.length]}` },
          ...cases.map((c) => ({ name: c.name, url: `${service.url}${c.path}` })),
        ],
        { count: REQUESTS, budgetMs: CASE_BUDGET_MS },
      );
      const base = timed.get(BASELINE)!;
      const baseSummary = summarize(base.samples);
      baseline = { case: BASELINE, path: '/jobs/{id}', status: base.status, latency_ms: roundSummary(baseSummary), bytes: base.bytes, p50_vs_baseline: 1 };
      for (const c of cases) {
        const t = timed.get(c.name)!;
        const s = summarize(t.samples);
        results.push({
          case: c.name,
          path: c.path,
          status: t.status,
          latency_ms: roundSummary(s),
          x_total_count: t.totalCount,
          items: t.items,
          bytes: t.bytes,
          p50_vs_baseline: round(s.p50 / baseSummary.p50, 1),
          meets_aim: s.p99 < AIM_P99_MS,
        });
      }
    } finally {
      await service.stop();
    }

    // The SQL behind each list case: run on the store directly, recorded, timed and explained.
    progress('SQL analysis');
    const sql: SizeResult['sql'] = [];
    for (const c of cases) {
      if (!c.list) continue;
      // A fresh store per case: the store prepares each SQL variant once, and only statements
      // prepared while recording are seen.
      const store = new SqliteJobStore(join(dir.path, 'mcrit.sqlite'));
      try {
        const recorder = recordStatements(store.db);
        try {
          for (let i = 0; i < SQL_RUNS; i++) await store.listJobs(c.list);
        } finally {
          recorder.stop();
        }
        const bySql = new Map<string, { args: unknown[]; times: number[] }>();
        for (const e of recorder.executed) {
          const entry = bySql.get(e.sql) ?? { args: e.args, times: [] };
          entry.times.push(e.ms);
          bySql.set(e.sql, entry);
        }
        sql.push({
          case: c.name,
          statements: [...bySql].map(([text, { args, times }]) => ({
            sql: oneLine(text),
            median_ms: round(median(times)),
            plan: queryPlan(store.db, text, args),
          })),
        });
      } finally {
        await store.close();
      }
    }
    for (const entry of sql) {
      const result = results.find((r) => r.case === entry.case);
      if (result) result.sql_ms = round(entry.statements.reduce((a, st) => a + st.median_ms, 0));
    }
    const { sampleIds: _ids, ...fillSummary } = fill;
    return {
      jobs,
      fill: { ...fillSummary, fillMs: round(fill.fillMs, 0), jobsPerSecond: round(fill.jobsPerSecond, 0) },
      baseline: baseline!,
      cases: results,
      sql,
    };
  } finally {
    dir.remove();
  }
}

async function main(): Promise<void> {
  progress(`jobs-api-latency: ${SIZES.map((n) => n.toLocaleString('en-US')).join(' and ')} jobs${QUICK ? ' (--quick)' : ''}`);
  const sizes: SizeResult[] = [];
  for (const jobs of SIZES) sizes.push(await measureSize(jobs));

  printTable(
    'Database fill (one transaction of prepared INSERTs into jobs; secondary indexes built and insert triggers applied set-based afterwards)',
    ['jobs', 'fill s', 'jobs/s', 'MiB', 'queued', 'processing', 'finished', 'failed'],
    sizes.map((s) => [s.jobs, s.fill.fillMs / 1000, s.fill.jobsPerSecond, s.fill.bytes / 2 ** 20, s.fill.counts.queued, s.fill.counts.processing, s.fill.counts.finished, s.fill.counts.failed]),
  );
  for (const size of sizes) {
    printTable(
      `GET latency over HTTP at ${size.jobs.toLocaleString('en-US')} jobs, ms (one request at a time; aim: p99 < ${AIM_P99_MS} ms; SQL = the list query on the store alone)`,
      ['request', 'n', 'p50', 'p99', 'max', 'x baseline p50', 'SQL', 'X-Total-Count', 'items', `p99 < ${AIM_P99_MS}`],
      [size.baseline, ...size.cases].map((r) => [
        r.case,
        r.latency_ms.n,
        r.latency_ms.p50,
        r.latency_ms.p99,
        r.latency_ms.max,
        r.p50_vs_baseline,
        r.sql_ms,
        r.x_total_count,
        r.items,
        r.meets_aim === undefined ? null : r.meets_aim ? 'yes' : 'NO',
      ]),
    );
  }

  // A miss whose SQL alone takes half the aim is the query's doing; the others are outliers of a
  // fast query (scheduling on a shared machine, garbage collection), worth re-measuring on a quiet one.
  const largest = sizes[sizes.length - 1]!;
  const structural = largest.cases.filter((c) => c.meets_aim === false && (c.sql_ms ?? 0) >= AIM_P99_MS / 2);
  const outliers = largest.cases.filter((c) => c.meets_aim === false && (c.sql_ms ?? 0) < AIM_P99_MS / 2);
  note(`\nAt ${largest.jobs.toLocaleString('en-US')} jobs:`);
  note(`  missing the aim because of the query (SQL >= ${AIM_P99_MS / 2} ms): ${structural.map((c) => c.case).join('; ') || 'none'}`);
  note(`  missing the aim by p99 outliers only (SQL < ${AIM_P99_MS / 2} ms): ${outliers.map((c) => c.case).join('; ') || 'none'}`);
  note(`\nThe SQL of each list query at ${largest.jobs.toLocaleString('en-US')} jobs (median ms, EXPLAIN QUERY PLAN):`);
  const slow = new Set(structural.map((c) => c.case));
  for (const entry of largest.sql) {
    const all = entry.statements.reduce((a, st) => a + st.median_ms, 0);
    note(`\n${entry.case}: ${fmt(all, 2)} ms in SQL${slow.has(entry.case) ? '  <-- misses the aim because of this SQL' : ''}`);
    for (const statement of entry.statements) {
      note(`  ${fmt(statement.median_ms, 2).padStart(8)} ms  ${statement.sql.replace(/^SELECT ([^()]{60,}?) FROM/, 'SELECT <job columns> FROM')}`);
      for (const line of statement.plan) note(`               ${line}`);
    }
  }

  const path = writeResults(
    'jobs-api-latency',
    {
      aim_p99_ms: AIM_P99_MS,
      requests_per_case: REQUESTS,
      case_budget_ms: CASE_BUDGET_MS,
      client: 'Node fetch (undici), keep-alive, one request at a time, same process as the service (workers: 0)',
      sizes,
    },
    startedAt,
  );
  note(`\nresults: ${path}`);
}

await main();
