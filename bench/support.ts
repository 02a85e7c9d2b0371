/**
 * Shared by the benchmarks: command line, percentiles, tables, JSON results, temporary folders,
 * the stores to run on (SQLite, PostgreSQL), HTTP timing and the fast fill of a job database. Benchmarks never assert timings: they report
 * numbers and ratios against a baseline measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { dedupKey, searchText } from '../src/jobs/job-keys.js';
import type { JobParameters, JobState } from '../src/jobs/types.js';
import pg from 'pg';
import { openStorage } from '../src/storage/open-storage.js';
import type { PgScope, Row as PgRow } from '../src/storage/postgres/connection.js';
import { PgStorage } from '../src/storage/postgres/pg-storage.js';
import { withoutNul } from '../src/storage/postgres/pg-values.js';
import { SqliteJobStore } from '../src/storage/sqlite/sqlite-job-store.js';
import type { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import type { Storage } from '../src/storage/storage.js';
import { newTestSchema, type TestSchema } from '../test/support/postgres.js';
import { seededRandom } from './synthetic-corpus.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI_ENTRY = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
/** Job methods `noop`, `cpu`, ... (the ones the tests use). */
export const TEST_METHODS = fileURLToPath(new URL('../test/support/test-methods.ts', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** `--quick`: smaller sizes, for checking that a benchmark runs. */
export const QUICK = process.argv.includes('--quick');

// ---------------------------------------------------------------------------------------------
// numbers

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of ascending `sorted` values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Rounds for JSON: 3 significant decimals are plenty for milliseconds. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function roundSummary(s: Summary): Summary {
  return { n: s.n, min: round(s.min), p50: round(s.p50), p99: round(s.p99), max: round(s.max), mean: round(s.mean) };
}

/** A number for a table: thousands separators for big ones, a few decimals for small ones. */
export function fmt(value: number | undefined | null, digits = 2): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '-';
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(digits);
}

export function ms(start: number): number {
  return performance.now() - start;
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

// ---------------------------------------------------------------------------------------------
// output

export type Cell = string | number | null | undefined;

/** Prints a table with a title; numbers are right-aligned. */
export function printTable(title: string, columns: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? fmt(cell) : (cell ?? '-'))));
  const widths = columns.map((column, i) => Math.max(column.length, ...text.map((row) => row[i]!.length)));
  const numeric = columns.map((_, i) => rows.every((row) => typeof row[i] === 'number' || row[i] === undefined || row[i] === null));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of text) console.log(line(row));
}

export function note(text: string): void {
  console.log(text);
}

/** Progress messages go to stderr, so stdout holds only the tables. */
export function progress(text: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

function gitDescription(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${commit} (src/ modified)` : commit;
  } catch {
    return 'unknown';
  }
}

/** What the numbers were measured on. */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: availableParallelism(),
    cpu_model: cpus()[0]?.model ?? 'unknown',
    loadavg_1m: round(loadavg()[0] ?? NaN, 2),
    sqlite: (() => {
      const db = new Database(':memory:');
      try {
        return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
      } finally {
        db.close();
      }
    })(),
    git: gitDescription(),
  };
}

/** Writes bench/results/<name>.json with the run's metadata; returns the path. */
export function writeResults(name: string, data: Record<string, unknown>, startedAt: Date): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  const document = {
    benchmark: name,
    quick: QUICK,
    started: startedAt.toISOString(),
    duration_s: round((Date.now() - startedAt.getTime()) / 1000, 1),
    machine: machine(),
    ...data,
  };
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}

// ---------------------------------------------------------------------------------------------
// temporary folders

export function tempDir(prefix = 'mcrit-bench-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Size of the database file plus its WAL. */
export function databaseBytes(path: string): number {
  let total = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      total += statSync(file).size;
    } catch {
      // no such file
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// stores

export type StoreKind = 'sqlite' | 'postgres';

/** `--store sqlite|postgres|both` (default both): the stores a benchmark runs on, side by side. */
export const STORES: StoreKind[] = (() => {
  const at = process.argv.indexOf('--store');
  const value = at < 0 ? 'both' : process.argv[at + 1];
  if (value === 'both') return ['sqlite', 'postgres'];
  if (value === 'sqlite' || value === 'postgres') return [value];
  throw new Error(`--store takes sqlite, postgres or both, not ${value}`);
})();

/** The PostgreSQL database the benchmarks create their schemas in. */
export const BENCH_DATABASE_URL = process.env.MCRIT_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema in BENCH_DATABASE_URL: its name, the store URL naming it, and its removal. */
export const benchSchema = (): TestSchema => newTestSchema(BENCH_DATABASE_URL, 'mcrit_bench');

/** Bytes of a schema's tables with their indexes and TOAST (the WAL is not counted). */
export async function pgSchemaBytes(pool: pg.Pool, schema: string): Promise<number> {
  const { rows } = await pool.query<{ bytes: string | null }>(
    `SELECT sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [schema],
  );
  return Number(rows[0]?.bytes ?? 0);
}

export interface RelationSize {
  name: string;
  bytes: number;
}

/** Tables (with their TOAST) and indexes of a schema by size, largest first. */
export async function pgRelationSizes(pool: pg.Pool, schema: string): Promise<RelationSize[]> {
  const { rows } = await pool.query<{ name: string; bytes: string }>(
    `SELECT c.relname AS name, CASE c.relkind WHEN 'r' THEN pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'i') ORDER BY 2 DESC`,
    [schema],
  );
  return rows.map((row) => ({ name: row.name, bytes: Number(row.bytes) }));
}

/** A store of one kind for one benchmark run: a SQLite file in a temporary folder, or a fresh PostgreSQL schema. */
export interface BenchStorage {
  kind: StoreKind;
  storage: Storage;
  /** What another process opens the same store with: the SQLite file, or the PostgreSQL URL with its schema. */
  location: string;
  /** Bytes on disk: SQLite's file and WAL; PostgreSQL's tables, indexes and TOAST. */
  bytes(): Promise<number>;
  /** Size by table and index (SQLite: from dbstat when the build has it). */
  relations(): Promise<RelationSize[]>;
  /**
   * What a deployment's background maintenance would have done by now, before reads are measured:
   * PostgreSQL's autovacuum (VACUUM ANALYZE of the schema's tables: without statistics the planner
   * takes e.g. a parallel plan for a PicBlockHash lookup of a few rows, 12.7 ms against 1.3 ms at
   * 250,000 functions; the server here runs with autovacuum = off). SQLite has no such work.
   * Returns the milliseconds it took.
   */
  settle(): Promise<number>;
  /** Closes the store and removes its file or schema. */
  remove(): Promise<void>;
}

export async function openBenchStorage(kind: StoreKind): Promise<BenchStorage> {
  if (kind === 'sqlite') {
    const dir = tempDir(`mcrit-bench-sqlite-`);
    const path = join(dir.path, 'mcrit.sqlite');
    const storage = (await openStorage({ kind, path }, { onEventLoop: true })) as SqliteStorage;
    return {
      kind,
      storage,
      location: path,
      bytes: async () => databaseBytes(path),
      async relations() {
        storage.db.pragma('wal_checkpoint(TRUNCATE)');
        try {
          return storage.db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as RelationSize[];
        } catch {
          return []; // no dbstat in this SQLite build
        }
      },
      settle: async () => 0,
      async remove() {
        await storage.close();
        dir.remove();
      },
    };
  }
  const schema = benchSchema();
  const storage = (await openStorage({ kind, url: schema.url }, { onEventLoop: true })) as PgStorage;
  return {
    kind,
    storage,
    location: schema.url,
    bytes: () => pgSchemaBytes(storage.pool, schema.schema),
    relations: () => pgRelationSizes(storage.pool, schema.schema),
    async settle() {
      const start = performance.now();
      const { rows } = await storage.pool.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = $1', [schema.schema]);
      await storage.pool.query(`VACUUM (ANALYZE) ${rows.map((row) => `${schema.schema}.${row.name}`).join(', ')}`);
      return performance.now() - start;
    },
    async remove() {
      await storage.close();
      await schema.drop();
    },
  };
}

/** Results keyed by their store. */
export function byStore<T extends { store: StoreKind }>(results: readonly T[]): Partial<Record<StoreKind, T>> {
  return Object.fromEntries(results.map((result) => [result.store, result])) as Partial<Record<StoreKind, T>>;
}

/** `PG/SQLite` of two numbers, when both are there. */
export function pgOverSqlite(sqlite: number | undefined, postgres: number | undefined): number | undefined {
  return sqlite === undefined || postgres === undefined ? undefined : postgres / sqlite;
}

/**
 * A table's columns side by side: `<name> (<store>)` for each store of the run and each name, then
 * `PG/SQLite <name>` for each of `ratios` when both stores ran.
 */
export function storeColumns(names: readonly string[], ratios: readonly string[] = []): string[] {
  const label = (kind: StoreKind) => (kind === 'sqlite' ? 'SQLite' : 'PG');
  return [...STORES.flatMap((kind) => names.map((name) => `${label(kind)} ${name}`)), ...(STORES.length > 1 ? ratios.map((r) => `PG/SQLite ${r}`) : [])];
}

/** The cells of storeColumns: `cells` of each store's result (dashes where a store has none), then PG/SQLite of `compared`. */
export function storeCells<T>(
  byStore: Partial<Record<StoreKind, T>>,
  cells: (result: T) => Cell[],
  compared: (result: T) => (number | undefined)[] = () => [],
): Cell[] {
  const some = STORES.map((kind) => byStore[kind]).find((result) => result !== undefined);
  const width = some === undefined ? 0 : cells(some).length;
  const own = STORES.flatMap((kind) => (byStore[kind] === undefined ? Array<Cell>(width).fill(null) : cells(byStore[kind]!)));
  if (STORES.length < 2) return own;
  const sqlite = byStore.sqlite === undefined ? undefined : compared(byStore.sqlite);
  const postgres = byStore.postgres === undefined ? undefined : compared(byStore.postgres);
  return [...own, ...Array.from({ length: (sqlite ?? postgres ?? []).length }, (_, i) => pgOverSqlite(sqlite?.[i], postgres?.[i]))];
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL statements

export interface PgExecuted {
  sql: string;
  values: unknown[];
  ms: number;
}

/**
 * A PgScope that times and records every statement run through it and its transactions, for a
 * store built on it (`new PgJobStore(scope)`): the exact SQL the store ran, without copying it.
 */
export class RecordingPgScope implements PgScope {
  constructor(
    private readonly inner: PgScope,
    readonly executed: PgExecuted[] = [],
  ) {}

  async query<R extends PgRow = PgRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const start = performance.now();
    const result = await this.inner.query<R>(text, values);
    this.executed.push({ sql: text, values: values ?? [], ms: performance.now() - start });
    return result;
  }

  transaction<T>(body: (scope: PgScope) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => body(new RecordingPgScope(tx, this.executed)));
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement with its values: the plan PostgreSQL chose and what it did. */
export async function pgPlan(pool: pg.Pool, sql: string, values: unknown[]): Promise<string[]> {
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, values);
  return rows.map((row) => row['QUERY PLAN']);
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface TimedRequests {
  /** Latency of each request, milliseconds. */
  samples: number[];
  status: number;
  /** `X-Total-Count` of the last answer, when sent. */
  totalCount?: number;
  /** Items in `data` of the last answer when it is a list. */
  items?: number;
  /** Bytes of the last body. */
  bytes: number;
}

export interface RequestTarget {
  name: string;
  /** The URL of the i-th request (it may vary, e.g. over ids). */
  url: string | ((i: number) => string);
}

export interface RoundOptions {
  /** Timed requests per target. */
  count: number;
  /** Untimed requests per target first. */
  warmup?: number;
  /** A target leaves the rotation once its requests took this long in total (after `minCount`). */
  budgetMs?: number;
  minCount?: number;
  /** Stops every target early when it returns true (checked before each round). */
  until?: () => boolean;
}

/**
 * Times `GET` requests to several targets in rounds (one request to each target per round, one
 * request at a time, keep-alive, Node's fetch), so that a burst of noise on a shared machine
 * spreads over all targets instead of landing on one. Each latency covers the whole answer, body read.
 */
export async function timeInRounds(
  targets: readonly RequestTarget[],
  { count, warmup = 3, budgetMs = Infinity, minCount = 20, until }: RoundOptions,
): Promise<Map<string, TimedRequests>> {
  const state = targets.map((target) => ({
    target,
    urlOf: typeof target.url === 'string' ? ((u: string) => () => u)(target.url) : target.url,
    sent: 0,
    spent: 0,
    result: { samples: [] as number[], status: 0, bytes: 0 } as TimedRequests,
  }));
  const once = async (entry: (typeof state)[number], timed: boolean): Promise<void> => {
    const url = entry.urlOf(entry.sent++);
    const start = performance.now();
    const response = await fetch(url);
    const body = await response.arrayBuffer();
    const elapsed = performance.now() - start;
    const result = entry.result;
    result.status = response.status;
    result.bytes = body.byteLength;
    const total = response.headers.get('x-total-count');
    result.totalCount = total === null ? undefined : Number(total);
    if (timed) {
      result.samples.push(elapsed);
      entry.spent += elapsed;
    } else if (response.headers.get('content-type')?.includes('json')) {
      const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { data?: unknown };
      if (Array.isArray(parsed.data)) result.items = parsed.data.length;
    }
  };
  for (let i = 0; i < warmup; i++) for (const entry of state) await once(entry, false);
  for (;;) {
    if (until?.()) break;
    const active = state.filter(
      (e) => e.result.samples.length < count && (e.result.samples.length < minCount || e.spent < budgetMs),
    );
    if (active.length === 0) break;
    for (const entry of active) await once(entry, true);
  }
  return new Map(state.map((e) => [e.target.name, e.result]));
}

// ---------------------------------------------------------------------------------------------
// filling a job database fast

export const FILL_METHODS = [
  'getMatchesForSample',
  'addBinarySample',
  'addSmdaReport',
  'query',
  'getMatchesForSampleVs',
  'getMatchesForCross',
  'updateMinHashes',
  'deleteSample',
] as const;
const METHOD_WEIGHTS = [30, 25, 10, 10, 10, 5, 5, 5];

/** Malware families, most frequent first (roughly Zipf-distributed in the fill). */
export const FAMILIES = [
  'emotet', 'trickbot', 'qakbot', 'dridex', 'icedid', 'formbook', 'agenttesla', 'lokibot', 'remcos', 'njrat',
  'asyncrat', 'redline', 'raccoon', 'vidar', 'azorult', 'ursnif', 'zloader', 'bazarloader', 'cobaltstrike', 'sliver',
  'plugx', 'shadowpad', 'winnti', 'darkcomet', 'nanocore', 'gh0strat', 'poisonivy', 'zeus', 'citadel', 'carberp',
  'ryuk', 'conti', 'lockbit', 'revil', 'maze', 'wannacry', 'petya', 'gandcrab', 'sodinokibi', 'blackcat',
] as const;

export interface FillOptions {
  /** Relative weights of the states. */
  states?: Partial<Record<JobState, number>>;
  /** Newest job's created_at; the jobs spread over the 90 days before it. */
  now?: number;
}

export interface FillReport {
  jobs: number;
  fillMs: number;
  jobsPerSecond: number;
  bytes: number;
  counts: Record<JobState, number>;
  /** Ids of jobs spread over the table, for lookups. */
  sampleIds: string[];
  /** A text that occurs in exactly one job's parameters (a sha256 prefix of a job in the middle). */
  rareText: string;
  /** The most frequent family: a text that matches many jobs. */
  commonText: string;
  /** Triggers replaced by one set-based statement after the inserts (the others fired per row). */
  setBasedTriggers: string[];
}

/**
 * The set-based equivalent of a per-row AFTER INSERT trigger on jobs, for the new rows (`number > ?`),
 * when the trigger is one INSERT whose values are expressions of NEW columns, optionally with an
 * `ON CONFLICT (...) DO UPDATE SET count = count + 1` (the counters: grouped instead). Else undefined.
 */
function setBasedInsert(triggerSql: string): string | undefined {
  const match =
    /^CREATE\s+TRIGGER\s+\w+\s+AFTER\s+INSERT\s+ON\s+jobs\s+BEGIN\s+INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\(([^)]*)\)\s*(ON\s+CONFLICT\s*\(([^)]*)\)\s*DO\s+UPDATE\s+SET\s+(\w+)\s*=\s*\6\s*\+\s*1\s*)?;\s*END;?\s*$/is.exec(
      triggerSql.trim(),
    );
  if (!match) return undefined;
  const [, table, columnList, valueList, onConflict, conflictColumns, counter] = match;
  const columns = columnList!.split(',').map((c) => c.trim());
  const values = valueList!.split(',').map((v) => v.trim());
  if (columns.length !== values.length) return undefined;
  if (!onConflict) {
    if (!values.every((v) => /^NEW\.\w+(\s*\|\|\s*(char\(\d+\)|NEW\.\w+))*$/i.test(v))) return undefined;
    const selected = values.map((v) => v.replace(/\bNEW\./gi, ''));
    return `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${selected.join(', ')} FROM jobs WHERE number > ?`;
  }
  // A counter: every value a NEW column except the counter's, which is 1.
  const selected = values.map((v, i) => (columns[i] === counter ? (v === '1' ? 'count(*)' : undefined) : /^NEW\.\w+$/i.test(v) ? v.slice(4) : undefined));
  if (selected.some((v) => v === undefined)) return undefined;
  const groupBy = values.filter((_, i) => columns[i] !== counter).map((v) => v.slice(4));
  return `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${selected.join(', ')} FROM jobs WHERE number > ? GROUP BY ${groupBy.join(', ')}
    ON CONFLICT (${conflictColumns}) DO UPDATE SET ${counter} = ${counter} + excluded.${counter}`;
}


function weightedPicker<T>(values: readonly T[], weights: readonly number[], random: () => number): () => T {
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const w of weights) cumulative.push((running += w / total));
  return () => {
    const r = random();
    for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]!) return values[i]!;
    return values[values.length - 1]!;
  };
}

/** One job row of a fill, as the store would have written it at enqueue and on the job's way. */
interface FillRow {
  id: string;
  method: string;
  state: JobState;
  parameters: JobParameters;
  /** searchText of the job, as the store computes it (without the reserved result id). */
  searchText: string;
  dedupKey: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  progress: number;
  attempts: number;
  error: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  resultId: string;
}

/**
 * The `count` rows of a fill after `first` existing jobs: four states, eight methods, realistic
 * parameters, from one seeded generator (the same rows from run to run, whatever the store).
 */
function* fillRows(count: number, first: number, options: FillOptions): Generator<FillRow> {
  const random = seededRandom(0x5eed + count);
  const stateWeights = { queued: 8, processing: 0.02, finished: 88, failed: 3.98, ...options.states };
  const pickState = weightedPicker(
    Object.keys(stateWeights) as JobState[],
    Object.values(stateWeights),
    random,
  );
  const pickMethod = weightedPicker(FILL_METHODS, METHOD_WEIGHTS, random);
  const pickFamily = weightedPicker(FAMILIES, FAMILIES.map((_, i) => 1 / (i + 1)), random);
  const int = (n: number) => Math.floor(random() * n);
  // Random bytes from the seeded generator too: the same fill gives the same ids, hashes and match counts.
  const hexPool = Buffer.alloc(1 << 16);
  let hexOffset = hexPool.length;
  const hex = (bytes: number): string => {
    if (hexOffset + bytes > hexPool.length) {
      for (let i = 0; i < hexPool.length; i += 4) hexPool.writeUInt32LE((random() * 4294967296) >>> 0, i);
      hexOffset = 0;
    }
    const text = hexPool.toString('hex', hexOffset, hexOffset + bytes);
    hexOffset += bytes;
    return text;
  };
  const idRandom = hex(5);
  const resultRandom = hex(5);
  const objectId = (msTime: number, random5: string, counter: number) =>
    Math.floor(msTime / 1000).toString(16).padStart(8, '0') + random5 + (counter & 0xffffff).toString(16).padStart(6, '0');
  const extensions = ['exe', 'dll', 'bin', 'sys', 'dmp'];

  const maxSample = Math.max(100, Math.floor(count / 4));
  const parametersFor = (method: string, family: string): JobParameters => {
    const sampleId = 1 + int(maxSample);
    switch (method) {
      case 'getMatchesForSample':
        return { sample_id: sampleId, minhash_threshold: [0, 50, 70][int(3)]!, pichash_size: [0, 10][int(2)]!, band_matches_required: 2 };
      case 'getMatchesForSampleVs':
        return { sample_id: sampleId, other_sample_id: 1 + int(maxSample), minhash_threshold: 50, pichash_size: 10, band_matches_required: 2 };
      case 'getMatchesForCross':
        return { sample_ids: Array.from({ length: 2 + int(6) }, () => 1 + int(maxSample)), minhash_threshold: 50, pichash_size: 10, band_matches_required: 2 };
      case 'addBinarySample':
        return {
          filename: `${family}_${hex(4)}.${extensions[int(extensions.length)]}`,
          family,
          version: `${1 + int(4)}.${int(10)}`,
          is_dump: random() < 0.3,
          base_addr: [0x400000, 0x10000000, 0x140000000][int(3)]!,
          bitness: random() < 0.6 ? 32 : 64,
          sha256: hex(32),
          size: 20_000 + int(5_000_000),
        };
      case 'addSmdaReport':
        return { family, version: `${1 + int(4)}.${int(10)}`, sha256: hex(32), size: 50_000 + int(20_000_000) };
      case 'query':
        return { filename: `query_${hex(4)}.bin`, minhash_threshold: 50, pichash_size: 10, sha256: hex(32), size: 4_096 + int(1_000_000) };
      case 'updateMinHashes':
        return { sample_ids: Array.from({ length: 1 + int(3) }, () => 1 + int(maxSample)), function_ids: [] };
      default:
        return { sample_id: sampleId };
    }
  };

  const now = options.now ?? Date.now();
  const span = 90 * 24 * 3600 * 1000;
  for (let i = 0; i < count; i++) {
    const createdAt = now - span + Math.floor(((i + 1) / count) * span) - int(1000);
    const method = pickMethod();
    const family = pickFamily();
    const state = pickState();
    const parameters = parametersFor(method, family);
    const id = objectId(createdAt, idRandom, first + i);
    const startedAt = state === 'queued' ? null : createdAt + int(60_000);
    yield {
      id,
      method,
      state,
      parameters,
      searchText: searchText([id, method], parameters),
      dedupKey: dedupKey({ method, parameters }),
      createdAt,
      startedAt,
      finishedAt: state === 'finished' || state === 'failed' ? startedAt! + 100 + int(120_000) : null,
      progress: state === 'finished' ? 1 : state === 'processing' ? 0.5 : 0,
      attempts: state === 'queued' ? 0 : state === 'failed' ? 3 : random() < 0.95 ? 1 : 2,
      error:
        state === 'failed'
          ? `Error: could not disassemble sample ${parameters.sample_id ?? parameters.sha256 ?? ''}: unsupported section layout\n    at disassemble (smda/Disassembler.js:412:11)\n    at run (methods/${method}.js:88:5)`
          : null,
      leaseOwner: state === 'processing' ? 'bench-fill:0:000000' : null,
      leaseExpiresAt: state === 'processing' ? now + 365 * 24 * 3600 * 1000 : null,
      // The result id is reserved at enqueue (the API shows it once the job is finished).
      resultId: objectId(createdAt, resultRandom, first + i),
    };
  }
}

/** What a fill reports besides its timing: state counts, ids to look up, texts to filter by. */
function fillTally(count: number) {
  const counts: Record<JobState, number> = { queued: 0, processing: 0, finished: 0, failed: 0 };
  const sampleIds: string[] = [];
  const sampleEvery = Math.max(1, Math.floor(count / 1000));
  const middle = Math.floor(count / 2);
  let rareText = '';
  let i = 0;
  return {
    add(row: FillRow): void {
      counts[row.state]++;
      if (i % sampleEvery === 0) sampleIds.push(row.id);
      if (i >= middle && !rareText && typeof row.parameters.sha256 === 'string') rareText = row.parameters.sha256.slice(0, 16);
      i++;
    },
    report(fillMs: number, bytes: number, setBasedTriggers: string[]): FillReport {
      return {
        jobs: count,
        fillMs,
        jobsPerSecond: count / (fillMs / 1000),
        bytes,
        counts,
        sampleIds,
        rareText,
        commonText: FAMILIES[0],
        setBasedTriggers,
      };
    },
  };
}

/**
 * Creates (or extends) the database at `path` with `count` jobs written straight into the `jobs`
 * table: one transaction of prepared INSERTs. The other tables that triggers maintain (the
 * job_counts counters, the job_search text index) end up as if each job had been enqueued.
 * The schema comes from the store's own migrations; ids, search texts and dedup keys are computed
 * by the same functions the store uses, so filters and de-duplication see realistic data.
 * Uploads and results are not stored (input_sha256 stays null; `sha256`/`size` are in the parameters).
 */
export function fillJobs(path: string, count: number, options: FillOptions = {}): FillReport {
  new SqliteJobStore(path).close(); // applies the migrations
  const db = new Database(path);
  const started = performance.now();
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288'); // 512 MiB
  db.pragma('temp_store = MEMORY');
  const columns = new Set((db.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map((c) => c.name));
  const hasClaims = columns.has('claims');

  const insert = db.prepare(
    `INSERT INTO jobs (id, method, state, parameters, search_text, dedup_key, input_sha256, depends_on,
       pending_dependencies, created_at, started_at, finished_at, run_at, progress, attempts, ${hasClaims ? 'claims, ' : ''}
       max_attempts, error, lease_owner, lease_expires_at, result_id)
     VALUES (@id, @method, @state, @parameters, @searchText, @dedupKey, NULL, '[]', 0, @createdAt, @startedAt,
       @finishedAt, @createdAt, @progress, @attempts, ${hasClaims ? '@attempts, ' : ''} 3, @error, @leaseOwner,
       @leaseExpiresAt, @resultId)`,
  );
  const first = (db.prepare('SELECT coalesce(max(number), 0) AS n FROM jobs').get() as { n: number }).n;
  const tally = fillTally(count);

  // Secondary indexes are dropped during the fill and built again afterwards (sorting once is much
  // faster than a million random B-tree inserts); the unique ones (id, result_id) stay.
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  // Per-row AFTER INSERT triggers dominate the fill (the counter upsert, and even more the trigram
  // index, which is 6x faster fed in one INSERT ... SELECT). Each one the fill understands is
  // suspended and replaced by one set-based statement over the new rows, in the same transaction;
  // any other trigger keeps firing per row.
  const insertTriggers = (
    db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'jobs'").all() as { name: string; sql: string }[]
  ).filter((t) => /\bAFTER\s+INSERT\s+ON\s+jobs\b/i.test(t.sql));
  const bulkTriggers = insertTriggers.flatMap((trigger) => {
    const bulk = setBasedInsert(trigger.sql);
    return bulk ? [{ ...trigger, bulk }] : [];
  });
  db.transaction(() => {
    for (const trigger of bulkTriggers) db.exec(`DROP TRIGGER ${trigger.name}`);
    for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
    for (const row of fillRows(count, first, options)) {
      insert.run({ ...row, parameters: JSON.stringify(row.parameters) });
      tally.add(row);
    }
    for (const index of indexes) db.exec(index.sql);
    for (const trigger of bulkTriggers) {
      db.prepare(trigger.bulk).run(first);
      db.exec(trigger.sql);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('optimize');
  db.close();
  return tally.report(
    performance.now() - started,
    databaseBytes(path),
    bulkTriggers.map((t) => t.name),
  );
}

/** Rows per multi-row INSERT of the PostgreSQL fill (each column travels as one array parameter). */
const PG_FILL_CHUNK = 10_000;

/**
 * fillJobs on PostgreSQL: the same rows (same seed) into the store's schema at `url` (created by the
 * store's migrations), in one transaction of multi-row INSERTs, each feeding `jobs` and, through
 * its RETURNING, `job_search` (the text the store writes at enqueue). The statement triggers (the
 * job_counts counters) fire once per INSERT. Secondary indexes of both tables (the trigram index
 * above all) are dropped during the fill and built afterwards; then VACUUM ANALYZE, which
 * autovacuum would do on its own after such a load (statistics, visibility map).
 */
export async function fillPgJobs(url: string, count: number, options: FillOptions = {}): Promise<FillReport> {
  const storage = await PgStorage.open(url, { poolSize: 1 });
  const started = performance.now();
  try {
    const tally = fillTally(count);
    const client = await storage.pool.connect();
    try {
      await fillPgTables(client, storage.target.schema, count, options, tally);
    } finally {
      client.release();
    }
    return tally.report(performance.now() - started, await pgSchemaBytes(storage.pool, storage.target.schema), []);
  } finally {
    await storage.close();
  }
}

async function fillPgTables(client: pg.PoolClient, schema: string, count: number, options: FillOptions, tally: ReturnType<typeof fillTally>): Promise<void> {
  await client.query("SET maintenance_work_mem = '1GB'");
  const first = Number((await client.query<{ n: string }>('SELECT coalesce(max(number), 0) AS n FROM jobs')).rows[0]!.n);
  const indexes = (
    await client.query<{ name: string; definition: string }>(
      `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = $1 AND t.relname IN ('jobs', 'job_search') AND NOT i.indisprimary AND NOT i.indisunique`,
      [schema],
    )
  ).rows;
  await client.query('BEGIN');
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
  let chunk: FillRow[] = [];
  for (const row of fillRows(count, first, options)) {
    chunk.push(row);
    tally.add(row);
    if (chunk.length === PG_FILL_CHUNK) {
      await insertPgFillChunk(client, chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await insertPgFillChunk(client, chunk);
  for (const index of indexes) await client.query(index.definition);
  await client.query('COMMIT');
  await client.query('VACUUM ANALYZE jobs, job_search, job_counts');
}

async function insertPgFillChunk(client: pg.PoolClient, rows: FillRow[]): Promise<void> {
  const column = <K extends keyof FillRow>(key: K) => rows.map((row) => row[key]);
  await client.query(
    `WITH inserted AS (
       INSERT INTO jobs (id, method, state, parameters, dedup_key, input_sha256, depends_on, pending_dependencies, created_at,
         started_at, finished_at, run_at, progress, attempts, claims, max_attempts, error, lease_owner, lease_expires_at, result_id)
       SELECT id, method, state, parameters, dedup_key, NULL, '[]', 0, created_at, started_at, finished_at, created_at, progress,
         attempts, attempts, 3, error, lease_owner, lease_expires_at, result_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
         $9::float8[], $10::integer[], $11::text[], $12::text[], $13::bigint[], $14::text[]) WITH ORDINALITY
         AS r (id, method, state, parameters, dedup_key, created_at, started_at, finished_at, progress, attempts, error,
           lease_owner, lease_expires_at, result_id, position)
       ORDER BY position
       RETURNING number, id)
     INSERT INTO job_search (number, text)
     SELECT inserted.number, t.text FROM inserted JOIN unnest($1::text[], $15::text[]) AS t (id, text) ON t.id = inserted.id`,
    [
      column('id'),
      column('method'),
      column('state'),
      rows.map((row) => JSON.stringify(row.parameters)),
      column('dedupKey'),
      column('createdAt'),
      column('startedAt'),
      column('finishedAt'),
      column('progress'),
      column('attempts'),
      rows.map((row) => row.error && withoutNul(row.error)),
      column('leaseOwner'),
      column('leaseExpiresAt'),
      column('resultId'),
      // As PgJobStore.enqueue writes it: the search text and the reserved result id.
      rows.map((row) => withoutNul(`${row.searchText}\n${row.resultId}`)),
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// SQL introspection

export interface ExecutedStatement {
  sql: string;
  args: unknown[];
  ms: number;
}

/**
 * Records every statement prepared on `db` from now on and times its runs (`all`, `get`, `run`),
 * so a benchmark can show the exact SQL the store ran, its time and its query plan, without
 * copying the store's SQL.
 */
export function recordStatements(db: Database.Database): { executed: ExecutedStatement[]; stop(): void } {
  const executed: ExecutedStatement[] = [];
  const original = db.prepare;
  const prepare = (source: string) => {
    const statement = original.call(db, source) as Database.Statement;
    return new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        if (property === 'all' || property === 'get' || property === 'run') {
          return (...args: unknown[]) => {
            const start = performance.now();
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            executed.push({ sql: source, args, ms: performance.now() - start });
            return result;
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  };
  db.prepare = prepare as typeof db.prepare;
  return {
    executed,
    stop: () => {
      db.prepare = original;
    },
  };
}

/** EXPLAIN QUERY PLAN of a statement, as indented lines. */
export function queryPlan(db: Database.Database, sql: string, args: unknown[]): string[] {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { id: number; parent: number; detail: string }[];
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((row) => {
    const d = (depth.get(row.parent) ?? -1) + 1;
    depth.set(row.id, d);
    return `${'  '.repeat(d)}${row.detail}`;
  });
}

/** A statement's SQL on one line, whitespace collapsed. */
export function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// write amplification

/**
 * Counts the pages in the WAL of `db` (opened on `path`) by the b-tree (table or index) they
 * belong to, then checkpoints and truncates the WAL. With `wal_autocheckpoint = 0` set before
 * the writes, this is exactly what the writes since the previous call cost in pages: a number
 * that, unlike a time, does not depend on what else the machine is doing.
 */
export function walPagesByBtree(db: Database.Database, path: string): Map<string, number> {
  const counts = new Map<string, number>();
  let wal: Buffer;
  try {
    wal = readFileSync(`${path}-wal`);
  } catch {
    return counts;
  }
  if (wal.length >= 32) {
    const pageSize = wal.readUInt32BE(8);
    const owners = new Map<number, string>();
    try {
      for (const row of db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) owners.set(row.pageno, row.name);
    } catch {
      // no dbstat in this SQLite build: totals only
    }
    for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
      const page = wal.readUInt32BE(offset);
      if (page === 0) break;
      const owner = owners.get(page) ?? (page === 1 ? 'header page' : 'other (freelist, overflow)');
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  return counts;
}
