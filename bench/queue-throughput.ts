/**
 * Queue throughput: no-op jobs from enqueue to finished.
 *
 *   node --import tsx bench/queue-throughput.ts [--quick] [--store sqlite|postgres|both]
 *
 * For each scenario and store (default: both, side by side), on a fresh SQLite file or PostgreSQL
 * schema (MCRIT_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test):
 *   1. enqueue N `noop` jobs one by one through the engine (validation, de-duplication, one
 *      transaction each), no worker running: the enqueue rate;
 *   2. park them (run_at in the future), start the workers (in-process pool, or worker processes
 *      of the CLI) and wait until they are ready, so start-up is not counted;
 *   3. release them (run_at = 0) and time until all are finished, polled with store.stats(false):
 *      the drain rate.
 * Baseline: a raw better-sqlite3 loop on a plain table doing the same number of transactions
 * (insert, update, update per job) with the store's pragmas: the floor cost of the database work.
 * Also: what each of the three transactions writes (WAL pages per table/index, counted exactly),
 * which explains the distance to the floor without depending on the machine's noise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { DEFAULTS, type ServiceConfig } from '../src/config.js';
import { JobEngine } from '../src/jobs/engine.js';
import { createWorkerPool, databasePath, loadRegistry, openServiceStorage } from '../src/service.js';
import type { PgStorage } from '../src/storage/postgres/pg-storage.js';
import { runnableChannel } from '../src/storage/postgres/runnable-jobs-listener.js';
import type { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { SqliteJobStore } from '../src/storage/sqlite/sqlite-job-store.js';
import type { Storage } from '../src/storage/storage.js';
import {
  CLI_ENTRY,
  QUICK,
  REPO_ROOT,
  STORES,
  TEST_METHODS,
  benchSchema,
  fmt,
  note,
  printTable,
  progress,
  round,
  sleep,
  tempDir,
  walPagesByBtree,
  writeResults,
  type StoreKind,
} from './support.js';

const startedAt = new Date();
const N = QUICK ? 2_000 : 20_000;
const POLL_MS = 5;
const AIM_JOBS_PER_SECOND = 2_000;
const DRAIN_TIMEOUT_MS = QUICK ? 120_000 : 600_000;

interface Scenario {
  name: string;
  kind: 'in-process' | 'processes';
  processes: number;
  workersPerProcess: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'in-process pool, 1 worker', kind: 'in-process', processes: 1, workersPerProcess: 1 },
  { name: 'in-process pool, 2 workers', kind: 'in-process', processes: 1, workersPerProcess: 2 },
  { name: '1 worker process x 1 worker', kind: 'processes', processes: 1, workersPerProcess: 1 },
  { name: '2 worker processes x 1 worker', kind: 'processes', processes: 2, workersPerProcess: 1 },
  { name: '1 worker process x 2 workers', kind: 'processes', processes: 1, workersPerProcess: 2 },
  { name: '2 worker processes x 2 workers', kind: 'processes', processes: 2, workersPerProcess: 2 },
];

interface RawResult {
  insertMs: number;
  updatesMs: number;
  insertsPerSecond: number;
  /** Jobs per second for the two updates (claim + complete) alone. */
  updatePairsPerSecond: number;
  /** Jobs per second for all three transactions. */
  jobsPerSecond: number;
}

/** The floor: N insert transactions, then N x (update, update), each its own immediate transaction. */
function rawBaseline(dir: string): RawResult {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE q (id INTEGER PRIMARY KEY, state TEXT NOT NULL, payload TEXT NOT NULL, updated_at INTEGER)');
  const insert = db.prepare("INSERT INTO q (state, payload) VALUES ('queued', ?)");
  const claim = db.prepare("UPDATE q SET state = 'processing', updated_at = ? WHERE id = ?");
  const finish = db.prepare("UPDATE q SET state = 'finished', updated_at = ? WHERE id = ?");
  const insertTx = db.transaction((i: number) => insert.run(`{"i":${i}}`));
  const claimTx = db.transaction((id: number) => claim.run(Date.now(), id));
  const finishTx = db.transaction((id: number) => finish.run(Date.now(), id));
  let t = performance.now();
  for (let i = 0; i < N; i++) insertTx.immediate(i);
  const insertMs = performance.now() - t;
  t = performance.now();
  for (let id = 1; id <= N; id++) {
    claimTx.immediate(id);
    finishTx.immediate(id);
  }
  const updatesMs = performance.now() - t;
  db.close();
  return {
    insertMs,
    updatesMs,
    insertsPerSecond: N / (insertMs / 1000),
    updatePairsPerSecond: N / (updatesMs / 1000),
    jobsPerSecond: N / ((insertMs + updatesMs) / 1000),
  };
}

interface OperationCost {
  operation: string;
  transactions: number;
  /** Microseconds per transaction, measured with automatic checkpoints off (so without their cost). */
  us_per_tx: number;
  wal_pages_per_tx: number;
  /** WAL pages per transaction by table or index. */
  by_btree: Record<string, number>;
}

const COST_JOBS = Math.min(N, 2_000);

function costOf(operation: string, elapsedMs: number, pages: Map<string, number>): OperationCost {
  const total = [...pages.values()].reduce((a, b) => a + b, 0);
  return {
    operation,
    transactions: COST_JOBS,
    us_per_tx: round((elapsedMs * 1000) / COST_JOBS, 1),
    wal_pages_per_tx: round(total / COST_JOBS, 2),
    by_btree: Object.fromEntries([...pages].sort((a, b) => b[1] - a[1]).map(([name, n]) => [name, round(n / COST_JOBS, 2)])),
  };
}

/**
 * What one job's three transactions write: WAL pages per transaction by table/index (exact, from
 * the WAL itself with automatic checkpoints off) and time, for the store and for the raw floor.
 */
async function writeCosts(): Promise<OperationCost[]> {
  const dir = tempDir();
  const costs: OperationCost[] = [];
  try {
    const rawPath = join(dir.path, 'raw.sqlite');
    const raw = new Database(rawPath);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('wal_autocheckpoint = 0');
    raw.exec('CREATE TABLE q (id INTEGER PRIMARY KEY, state TEXT NOT NULL, payload TEXT NOT NULL, updated_at INTEGER)');
    walPagesByBtree(raw, rawPath);
    const insert = raw.transaction((i: number) => raw.prepare("INSERT INTO q (state, payload) VALUES ('queued', ?)").run(`{"i":${i}}`));
    const update = raw.transaction((id: number, state: string) => raw.prepare('UPDATE q SET state = ?, updated_at = ? WHERE id = ?').run(state, Date.now(), id));
    let t = performance.now();
    for (let i = 0; i < COST_JOBS; i++) insert.immediate(i);
    costs.push(costOf('raw: insert', performance.now() - t, walPagesByBtree(raw, rawPath)));
    t = performance.now();
    for (let id = 1; id <= COST_JOBS; id++) update.immediate(id, 'processing');
    costs.push(costOf('raw: update', performance.now() - t, walPagesByBtree(raw, rawPath)));
    raw.close();

    const path = databasePath(dir.path);
    const store = new SqliteJobStore(path);
    const registry = await loadRegistry({ methodModules: [TEST_METHODS] });
    const engine = new JobEngine(store, registry);
    try {
      store.db.pragma('wal_autocheckpoint = 0');
      walPagesByBtree(store.db, path);
      t = performance.now();
      for (let i = 0; i < COST_JOBS; i++) await engine.submit({ method: 'noop', parameters: { i } });
      costs.push(costOf('queue: enqueue (engine.submit)', performance.now() - t, walPagesByBtree(store.db, path)));
      const claimed = [];
      t = performance.now();
      for (let i = 0; i < COST_JOBS; i++) claimed.push(...(await store.claim('bench', registry.names, 1, 60_000, Date.now())));
      costs.push(costOf('queue: claim (store.claim, 1 job)', performance.now() - t, walPagesByBtree(store.db, path)));
      const result = new Uint8Array(gzipSync(JSON.stringify(null))); // what a noop job's thread sends
      t = performance.now();
      for (const job of claimed) await store.complete({ jobNumber: job.jobNumber, claim: job.claim }, result, Date.now());
      costs.push(costOf('queue: complete (store.complete)', performance.now() - t, walPagesByBtree(store.db, path)));
    } finally {
      await store.close();
    }
  } finally {
    dir.remove();
  }
  return costs;
}

interface ScenarioResult {
  store: StoreKind;
  scenario: string;
  kind: Scenario['kind'];
  processes: number;
  workers_per_process: number;
  jobs: number;
  enqueue_ms: number;
  enqueue_jobs_per_s: number;
  workers_start_ms: number;
  drain_ms: number;
  drain_jobs_per_s: number;
  /** N / (enqueue + drain): the whole path, enqueue to finished, without start-up. */
  end_to_end_jobs_per_s: number;
  finished: number;
  failed: number;
}

function startWorkerProcess(config: ServiceConfig, workers: number): Promise<{ child: ChildProcess; output: string[] }> {
  const where = config.database ? ['--database', config.database] : ['--data-dir', config.dataDir];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI_ENTRY, 'worker', ...where, '--workers', String(workers), '--methods', TEST_METHODS, '--poll-ms', String(POLL_MS)],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output.push(line);
      if (/worker .* running/.test(line)) resolve({ child, output });
    });
    child.once('exit', (code) => reject(new Error(`worker process exited with code ${code} before it was ready:\n${output.join('\n')}`)));
  });
}

function stopWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A statement on the bench's own connection (the same text in both dialects). */
async function exec(storage: Storage, sql: string): Promise<void> {
  if (storage.kind === 'sqlite') (storage as SqliteStorage).db.prepare(sql).run();
  else await (storage as PgStorage).pool.query(sql);
}

async function runScenario(scenario: Scenario, kind: StoreKind): Promise<ScenarioResult> {
  const dir = tempDir();
  const schema = benchSchema();
  const config: ServiceConfig = {
    ...DEFAULTS,
    dataDir: dir.path,
    database: kind === 'postgres' ? schema.url : undefined,
    workers: scenario.workersPerProcess,
    methodModules: [TEST_METHODS],
    pollMs: POLL_MS,
  };
  const storage = await openServiceStorage(config);
  const store = storage.jobs;
  const registry = await loadRegistry(config);
  const engine = new JobEngine(store, registry);
  const children: ChildProcess[] = [];
  let pool: ReturnType<typeof createWorkerPool> | undefined;
  try {
    // 1. enqueue
    let t = performance.now();
    for (let i = 0; i < N; i++) await engine.submit({ method: 'noop', parameters: { i } });
    const enqueueMs = performance.now() - t;

    // 2. park, start the workers
    await exec(storage, `UPDATE jobs SET run_at = ${Number.MAX_SAFE_INTEGER} WHERE state = 'queued'`);
    t = performance.now();
    if (scenario.kind === 'in-process') {
      pool = createWorkerPool(storage, registry, config);
      await pool.start();
    } else {
      const started = await Promise.all(
        Array.from({ length: scenario.processes }, () => startWorkerProcess(config, scenario.workersPerProcess)),
      );
      children.push(...started.map((s) => s.child));
    }
    const startMs = performance.now() - t;

    // 3. release and drain
    t = performance.now();
    await exec(storage, "UPDATE jobs SET run_at = 0 WHERE state = 'queued'");
    // A changed run_at is not announced (only jobs becoming claimable otherwise are): announce it.
    if (kind === 'postgres') await exec(storage, `NOTIFY "${runnableChannel(schema.schema)}"`);
    pool?.wake();
    let stats = await store.stats(false);
    while (stats.finished + stats.failed < N) {
      if (performance.now() - t > DRAIN_TIMEOUT_MS) throw new Error(`not drained after ${DRAIN_TIMEOUT_MS} ms: ${JSON.stringify(stats)}`);
      await sleep(POLL_MS);
      stats = await store.stats(false);
    }
    const drainMs = performance.now() - t;
    return {
      store: kind,
      scenario: scenario.name,
      kind: scenario.kind,
      processes: scenario.processes,
      workers_per_process: scenario.workersPerProcess,
      jobs: N,
      enqueue_ms: round(enqueueMs, 1),
      enqueue_jobs_per_s: round(N / (enqueueMs / 1000), 0),
      workers_start_ms: round(startMs, 1),
      drain_ms: round(drainMs, 1),
      drain_jobs_per_s: round(N / (drainMs / 1000), 0),
      end_to_end_jobs_per_s: round(N / ((enqueueMs + drainMs) / 1000), 0),
      finished: stats.finished,
      failed: stats.failed,
    };
  } finally {
    await pool?.stop(1_000);
    await Promise.all(children.map(stopWorkerProcess));
    await storage.close();
    if (kind === 'postgres') await schema.drop();
    dir.remove();
  }
}

async function main(): Promise<void> {
  progress(`queue-throughput: N = ${N.toLocaleString('en-US')} no-op jobs per scenario${QUICK ? ' (--quick)' : ''}`);
  const dir = tempDir();
  let raw: RawResult;
  try {
    progress('raw better-sqlite3 baseline');
    raw = rawBaseline(dir.path);
  } finally {
    dir.remove();
  }
  progress('write costs per transaction');
  const costs = await writeCosts();
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    for (const kind of STORES) {
      progress(`${scenario.name} (${kind})`);
      results.push(await runScenario(scenario, kind));
    }
  }

  printTable(
    `Queue throughput, ${N.toLocaleString('en-US')} no-op jobs (jobs/s; ratios against the raw SQLite floor of the same run)`,
    ['scenario', 'store', 'enqueue/s', 'x raw insert', 'start ms', 'drain s', 'drain/s', 'x raw 2 updates', 'enqueue+drain/s', 'x raw 3 tx', `drain >= ${AIM_JOBS_PER_SECOND}`],
    [
      [
        'raw SQLite: insert tx; update tx + update tx',
        'sqlite',
        raw.insertsPerSecond,
        1,
        null,
        raw.updatesMs / 1000,
        raw.updatePairsPerSecond,
        1,
        raw.jobsPerSecond,
        1,
        null,
      ],
      ...results.map((r) => [
        r.scenario,
        r.store,
        r.enqueue_jobs_per_s,
        r.enqueue_jobs_per_s / raw.insertsPerSecond,
        r.workers_start_ms,
        r.drain_ms / 1000,
        r.drain_jobs_per_s,
        r.drain_jobs_per_s / raw.updatePairsPerSecond,
        r.end_to_end_jobs_per_s,
        r.end_to_end_jobs_per_s / raw.jobsPerSecond,
        r.drain_jobs_per_s >= AIM_JOBS_PER_SECOND ? 'yes' : 'no',
      ]),
    ],
  );
  const rawPages = costs.find((c) => c.operation === 'raw: insert')!.wal_pages_per_tx;
  printTable(
    `What each transaction writes (${COST_JOBS.toLocaleString('en-US')} of each, one at a time; WAL pages counted in the WAL, automatic checkpoints off)`,
    ['transaction', 'us/tx', 'WAL pages/tx', 'x raw insert', 'pages/tx by table or index (largest first; all in the JSON)'],
    costs.map((c) => [
      c.operation,
      c.us_per_tx,
      c.wal_pages_per_tx,
      c.wal_pages_per_tx / rawPages,
      Object.entries(c.by_btree)
        .slice(0, 7)
        .map(([name, n]) => `${name} ${fmt(n)}`)
        .join(', ') + (Object.keys(c.by_btree).length > 7 ? ', ...' : ''),
    ]),
  );
  const failed = results.filter((r) => r.failed > 0);
  if (failed.length) note(`\nwarning: failed jobs in ${failed.map((r) => `${r.scenario} (${r.failed})`).join(', ')}`);
  note(
    `\nenqueue: engine.submit, one job per transaction, no worker running; drain: release -> all finished,` +
      ` polled every ${POLL_MS} ms (workers --poll-ms ${POLL_MS}); start-up of the workers is not in either.`,
  );

  const path = writeResults(
    'queue-throughput',
    {
      jobs: N,
      aim_jobs_per_s: AIM_JOBS_PER_SECOND,
      baseline: {
        what: 'raw better-sqlite3 on a plain table, WAL + synchronous=NORMAL: N insert transactions, then N x (update, update) transactions',
        insert_ms: round(raw.insertMs, 1),
        updates_ms: round(raw.updatesMs, 1),
        inserts_per_s: round(raw.insertsPerSecond, 0),
        update_pairs_per_s: round(raw.updatePairsPerSecond, 0),
        jobs_per_s: round(raw.jobsPerSecond, 0),
      },
      write_costs: costs,
      scenarios: results.map((r) => ({
        ...r,
        enqueue_vs_raw_insert: round(r.enqueue_jobs_per_s / raw.insertsPerSecond),
        drain_vs_raw_updates: round(r.drain_jobs_per_s / raw.updatePairsPerSecond),
        end_to_end_vs_raw: round(r.end_to_end_jobs_per_s / raw.jobsPerSecond),
        meets_aim: r.drain_jobs_per_s >= AIM_JOBS_PER_SECOND,
      })),
    },
    startedAt,
  );
  note(`results: ${path} (drain rates: ${results.map((r) => fmt(r.drain_jobs_per_s, 0)).join(', ')} jobs/s)`);
}

await main();
