/**
 * Ingest: SMDA reports to indexed functions, and lookups in a large collection.
 *
 *   node --import tsx bench/ingest.ts [--quick] [--store sqlite|postgres|both]
 *
 * Every part runs on each store of --store (default both: SQLite, and PostgreSQL in a fresh schema of
 * MCRIT_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), through the same code
 * paths (the service, SampleStore.addSample, the SampleStore reads), and the tables put the stores
 * side by side with the ratio PG/SQLite.
 *
 * Corpora: the distinct fixture reports (6 reports, 788 functions) and a synthetic corpus generated
 * from their functions with seeded mutations (bench/synthetic-corpus.ts): new sha256, relocated
 * functions, a tenth exact copies, the rest with changed immediates / registers, dropped, duplicated
 * or replaced instructions in some blocks. Report texts are generated before any timing starts.
 *
 * 1. Through the API: a real service (the store, in-process worker threads),
 *    every report POSTed to /samples one after the other (a 503, database busy, is sent again after
 *    50 ms and counted), timed from the first POST until every addSmdaReport job is finished (polled
 *    every 10 ms). With 1 and 2 executor threads.
 * 2. Inside one job: prepareSample (parse, validate, hash, shape) then SampleStore.addSample (one
 *    transaction), called directly on the main thread: hashing time and storing time per report.
 * 3. Where the time goes, report by report over the synthetic corpus, each phase timed on its own:
 *    lossless JSON parse, validation, hashFunction, xcfg deflate (timed alone on the same texts), the
 *    rest of prepareSample; in addSample the store's statements (timed one by one on a second store)
 *    and the remainder (commit, row encoding, JavaScript); and the check POST /samples makes.
 * 4. A large collection: the fixtures, then synthetic reports (another seed) through prepareSample +
 *    addSample until 1,000,000 functions (100,000 with --quick), with the rates, size on disk and
 *    lookups at checkpoints. With both stores the collections are built in lockstep: each report is
 *    prepared once (timed once) and added to each store in turn (timed per store), so both get the
 *    same rows and share the machine's noise. Lookups: one band key's candidates (SQLite: `SELECT
 *    function_id FROM band_index WHERE band_key = ?`; PostgreSQL: `band_keys && ARRAY[key]` on the
 *    GIN index), for keys of stored functions: random ones, and the fixtures' own, which every exact
 *    copy shares; a function's 20 bands (SampleStore.bandBucketMembers, as matching reads them),
 *    SampleStore.picHashMatches and picBlockHashMatches for hashes of stored functions (keys chosen
 *    through SampleStore.getFunction, the same on both stores), and absent keys (the floor);
 *    latencies also by number of rows found, and the distribution of band bucket sizes (the corpus
 *    has 788 source functions, so at 1,000,000 functions each has ~1,270 copies: buckets are large).
 * 5. Ceilings: what each stage could sustain alone (executor threads scale with cores; the single
 *    writer and the HTTP event loop do not).
 *
 * Aims (from the issue): 9,000 functions/s ingest (MCRIT: 177 functions/s through its API, 31
 * reports, 10,066 functions); lookups under a millisecond at 1,000,000 functions. The machine may be
 * shared: CPU time and the load average are reported next to wall time. No timing is asserted.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULTS, type ServiceConfig } from '../src/config.js';
import { bandHashes } from '../src/minhash/bands.js';
import { hashFunction } from '../src/minhash/hash-function.js';
import { checkReportHead, prepareSample } from '../src/samples/prepare-sample.js';
import type { NewSample } from '../src/samples/types.js';
import { startService } from '../src/service.js';
import { scanJson } from '../src/smda/json-scanner.js';
import { parseSmdaReport } from '../src/smda/parse-report.js';
import { PoolScope } from '../src/storage/postgres/connection.js';
import { PgSampleStore } from '../src/storage/postgres/pg-sample-store.js';
import type { PgStorage } from '../src/storage/postgres/pg-storage.js';
import type { SampleStore } from '../src/storage/sample-store.js';
import { openSqliteDatabase } from '../src/storage/sqlite/database.js';
import { bandKey } from '../src/storage/sqlite/sqlite-band-index.js';
import { SqliteSampleStore } from '../src/storage/sqlite/sqlite-sample-store.js';
import type { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import {
  QUICK,
  RecordingPgScope,
  STORES,
  benchSchema,
  byStore,
  fmt,
  median,
  note,
  openBenchStorage,
  pgOverSqlite,
  printTable,
  progress,
  recordStatements,
  round,
  sleep,
  storeCells,
  storeColumns,
  summarize,
  tempDir,
  writeResults,
  type BenchStorage,
  type StoreKind,
} from './support.js';
import { DEFAULT_MUTATIONS, DISTINCT_FIXTURES, FIXTURES_DIR, loadTemplates, seededRandom, syntheticReports, type CorpusOptions } from './synthetic-corpus.js';

const startedAt = new Date();
const AIM_FUNCTIONS_PER_S = 9_000;
const MCRIT_FUNCTIONS_PER_S = 177;
const AIM_LOOKUP_US = 1_000;

const SIZES = QUICK
  ? { apiReports: 12, apiRounds: 1, fixtureRounds: 2, directRounds: 1, collection: 100_000, checkpoints: [10_000, 100_000], lookups: 1_000, finalLookups: 2_000 }
  : { apiReports: 60, apiRounds: 2, fixtureRounds: 3, directRounds: 3, collection: 1_000_000, checkpoints: [10_000, 100_000, 1_000_000], lookups: 2_000, finalLookups: 5_000 };
const FUNCTIONS_PER_REPORT: [number, number] = [100, 600];
const API_CORPUS: CorpusOptions = { seed: 1, reports: SIZES.apiReports, functionsPerReport: FUNCTIONS_PER_REPORT };
const COLLECTION_SEED = 2;
const PREPARE_OPTIONS = { username: 'bench', labelTimestamp: '2024-01-01T00:00:00' };

interface Report {
  name: string;
  text: string;
  functions: number;
}

interface Corpus {
  name: string;
  reports: Report[];
  functions: number;
  bytes: number;
}

function corpus(name: string, reports: Report[]): Corpus {
  return {
    name,
    reports,
    functions: reports.reduce((n, r) => n + r.functions, 0),
    bytes: reports.reduce((n, r) => n + Buffer.byteLength(r.text), 0),
  };
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const load = (): number => round(loadavg()[0] ?? NaN, 2);
const perSecond = (count: number, milliseconds: number): number => round(count / (milliseconds / 1000), 0);

// ---------------------------------------------------------------------------------------------
// 1. through the API

interface ApiRun {
  store: StoreKind;
  corpus: string;
  workers: number;
  round: number;
  reports: number;
  functions: number;
  post_ms: number;
  total_ms: number;
  functions_per_s: number;
  functions_per_cpu_s: number;
  failed: number;
  /** POSTs answered 503 (database busy) and sent again. */
  busy_503: number;
  loadavg_1m: number;
}

async function apiRun(data: Corpus, workers: number, roundNumber: number, kind: StoreKind): Promise<ApiRun> {
  const dir = tempDir();
  const schema = kind === 'postgres' ? benchSchema() : undefined;
  const config: ServiceConfig = { ...DEFAULTS, dataDir: dir.path, database: schema?.url, port: 0, workers };
  const service = await startService(config);
  try {
    const cpu = process.cpuUsage();
    const start = performance.now();
    let busy = 0;
    for (const report of data.reports) {
      for (;;) {
        const response = await fetch(`${service.url}/samples`, { method: 'POST', body: report.text, headers: { 'content-type': 'application/json' } });
        const body = await response.text();
        if (response.status === 202) break;
        // 503: the database stayed busy with a long write; the client tries again, as it should
        if (response.status === 503 && busy++ < 100) {
          await sleep(50);
          continue;
        }
        throw new Error(`POST /samples of ${report.name}: ${response.status} ${body.slice(0, 300)}`);
      }
    }
    const postMs = performance.now() - start;
    let stats = await service.engine.store.stats(false);
    while (stats.finished + stats.failed < data.reports.length) {
      await sleep(10);
      stats = await service.engine.store.stats(false);
    }
    const totalMs = performance.now() - start;
    const cpuUsed = cpuMs(cpu);
    return {
      store: kind,
      corpus: data.name,
      workers,
      round: roundNumber,
      reports: data.reports.length,
      functions: data.functions,
      post_ms: round(postMs, 1),
      total_ms: round(totalMs, 1),
      functions_per_s: perSecond(data.functions, totalMs),
      functions_per_cpu_s: perSecond(data.functions, cpuUsed),
      failed: stats.failed,
      busy_503: busy,
      loadavg_1m: load(),
    };
  } finally {
    await service.stop();
    await schema?.drop();
    dir.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. inside one job

interface DirectRun {
  store: StoreKind;
  corpus: string;
  round: number;
  functions: number;
  prepare_ms: number;
  store_ms: number;
  prepare_functions_per_s: number;
  store_functions_per_s: number;
  functions_per_s: number;
  functions_per_cpu_s: number;
  loadavg_1m: number;
}

async function directRun(data: Corpus, roundNumber: number, kind: StoreKind): Promise<DirectRun> {
  const bench = await openBenchStorage(kind);
  try {
    let prepareMs = 0;
    let storeMs = 0;
    const cpu = process.cpuUsage();
    for (const report of data.reports) {
      const t0 = performance.now();
      const sample = prepareSample(report.text, PREPARE_OPTIONS);
      const t1 = performance.now();
      await bench.storage.samples.addSample(sample);
      const t2 = performance.now();
      prepareMs += t1 - t0;
      storeMs += t2 - t1;
    }
    const cpuUsed = cpuMs(cpu);
    return {
      store: kind,
      corpus: data.name,
      round: roundNumber,
      functions: data.functions,
      prepare_ms: round(prepareMs, 1),
      store_ms: round(storeMs, 1),
      prepare_functions_per_s: perSecond(data.functions, prepareMs),
      store_functions_per_s: perSecond(data.functions, storeMs),
      functions_per_s: perSecond(data.functions, prepareMs + storeMs),
      functions_per_cpu_s: perSecond(data.functions, cpuUsed),
      loadavg_1m: load(),
    };
  } finally {
    await bench.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. where the time goes

interface Phase {
  phase: string;
  part_of: string;
  ms: number;
  us_per_function: number;
}

type RawObject = Record<string, unknown>;

/** What a statement is, for the split: its first words and table. */
function statementKind(sql: string): string {
  const match = /^\s*(INSERT(?: OR IGNORE)? INTO|UPDATE|SELECT .* FROM|DELETE FROM)\s+(\w+)/is.exec(sql);
  if (!match) return sql.trim().slice(0, 40);
  const verb = match[1]!.toUpperCase().startsWith('SELECT') ? 'SELECT FROM' : match[1]!.toUpperCase();
  return `${verb} ${match[2]}`;
}

/** A sample store whose statements are recorded and timed one by one; `remove` closes it and returns them. */
async function recordedSampleStore(kind: StoreKind): Promise<{ samples: SampleStore; remove(): Promise<{ sql: string; ms: number }[]> }> {
  if (kind === 'sqlite') {
    const dir = tempDir();
    const db = openSqliteDatabase(join(dir.path, 'mcrit.sqlite'));
    const recorder = recordStatements(db);
    return {
      samples: new SqliteSampleStore(db),
      async remove() {
        recorder.stop();
        db.close();
        dir.remove();
        return recorder.executed;
      },
    };
  }
  const bench = await openBenchStorage(kind);
  const scope = new RecordingPgScope(new PoolScope((bench.storage as PgStorage).pool));
  return {
    samples: new PgSampleStore(scope),
    async remove() {
      await bench.remove();
      return scope.executed;
    },
  };
}

/** Rows per function in the functions table, the band index, the PicBlockHash index and the labels. */
async function rowsPerFunctionOf(bench: BenchStorage, functions: number): Promise<Record<string, number>> {
  const status = await bench.storage.samples.status();
  const reads = rawReads(bench);
  return {
    functions: round(status.numFunctions / functions, 2),
    band_index_entries: round(status.numBandEntries / functions, 2),
    picblockhash_index: round((await reads.count('picblockhash_index')) / functions, 2),
    function_labels: round((await reads.count('function_labels')) / functions, 2),
  };
}

/** The few reads the benchmark makes below the store interface, in each store's SQL. */
interface RawReads {
  count(table: string): Promise<number>;
  /** Functions under one band key (how many). */
  bandKeyMembers(key: number): Promise<number>;
  /** Functions per band key, for every key. */
  bucketSizes(): Promise<number[]>;
}

function rawReads(bench: BenchStorage): RawReads {
  if (bench.kind === 'sqlite') {
    const db = (bench.storage as SqliteStorage).db;
    // Candidate ids as numbers (pluck); the same statement returning row objects costs about twice as much per row.
    const candidates = db.prepare<[number], number>('SELECT function_id FROM band_index WHERE band_key = ?').pluck();
    return {
      count: async (table) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      bandKeyMembers: async (key) => candidates.all(key).length,
      bucketSizes: async () => db.prepare('SELECT count(*) FROM band_index GROUP BY band_key').pluck().all() as number[],
    };
  }
  const pool = (bench.storage as PgStorage).pool;
  return {
    count: async (table) => (await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n,
    bandKeyMembers: async (key) => (await pool.query({ text: 'SELECT id FROM functions WHERE band_keys && ARRAY[$1::bigint]', values: [key], rowMode: 'array' })).rowCount ?? 0,
    bucketSizes: async () => (await pool.query<{ n: number }>('SELECT count(*) AS n FROM functions, unnest(band_keys) AS k GROUP BY k')).rows.map((r) => r.n),
  };
}

/**
 * Where the time of prepareSample + addSample goes, report by report over the corpus (as a job sees
 * it), each phase timed on its own: the parts of prepareSample one after the other, then
 * prepareSample whole (the xcfg deflate also alone, on the same texts); addSample on a plain store
 * (its total), and addSample on a second store whose statements are timed one by one
 * (recordedSampleStore): the database work. The rest of addSample is its transaction (BEGIN, COMMIT:
 * the WAL write), row encoding and JavaScript. One warm-up pass first (JIT, hashing caches: a worker
 * that ran jobs before).
 */
async function costSplit(data: Corpus, kind: StoreKind): Promise<{
  store: StoreKind;
  phases: Phase[];
  statements: { statement: string; runs: number; runs_per_function: number; us_per_function: number; us_per_run: number }[];
  rowsPerFunction: Record<string, number>;
  xcfgBytes: { json: number; deflated: number };
}> {
  const n = data.functions;
  for (const report of data.reports) prepareSample(report.text, PREPARE_OPTIONS);
  const ms = { plainParse: 0, routeCheck: 0, losslessParse: 0, validate: 0, hash: 0, prepare: 0, deflate: 0, add: 0, addRecorded: 0 };
  const bytes = { json: 0, deflated: 0 };
  const plain = await openBenchStorage(kind);
  const recorded = await recordedSampleStore(kind);
  let rowsPerFunction: Record<string, number>;
  let executed: { sql: string; ms: number }[];
  try {
    for (const report of data.reports) {
      const text = report.text;
      let t = performance.now();
      JSON.parse(text);
      ms.plainParse += performance.now() - t;
      t = performance.now();
      const raw = JSON.parse(scanJson(text, 3).tokenized) as RawObject;
      ms.losslessParse += performance.now() - t;
      t = performance.now();
      const parsed = parseSmdaReport(raw);
      ms.validate += performance.now() - t;
      t = performance.now();
      for (const fn of parsed.functions) hashFunction(parsed, fn);
      ms.hash += performance.now() - t;
      t = performance.now();
      checkReportHead(text);
      ms.routeCheck += performance.now() - t;
      t = performance.now();
      const sample = prepareSample(text, PREPARE_OPTIONS);
      ms.prepare += performance.now() - t;
      const texts = sample.functions.map((fn) => inflateRawSync(fn.xcfgDeflated));
      t = performance.now();
      for (const text of texts) bytes.deflated += deflateRawSync(text, { level: 1 }).length;
      ms.deflate += performance.now() - t;
      for (const text of texts) bytes.json += text.length;
      t = performance.now();
      await plain.storage.samples.addSample(sample);
      ms.add += performance.now() - t;
      t = performance.now();
      await recorded.samples.addSample(sample);
      ms.addRecorded += performance.now() - t;
    }
    rowsPerFunction = await rowsPerFunctionOf(plain, n);
  } finally {
    executed = await recorded.remove();
    await plain.remove();
  }
  const byStatement = new Map<string, { runs: number; ms: number }>();
  for (const statement of executed) {
    const kind = statementKind(statement.sql);
    const entry = byStatement.get(kind) ?? { runs: 0, ms: 0 };
    entry.runs++;
    entry.ms += statement.ms;
    byStatement.set(kind, entry);
  }
  const sqlMs = [...byStatement.values()].reduce((sum, e) => sum + e.ms, 0);
  const partsMs = ms.losslessParse + ms.validate + ms.hash + ms.deflate;
  const phase = (name: string, partOf: string, value: number): Phase => ({ phase: name, part_of: partOf, ms: round(value, 1), us_per_function: round((value * 1000) / n, 2) });
  return {
    store: kind,
    phases: [
      phase('JSON.parse alone (reference, not a phase)', '-', ms.plainParse),
      phase('POST /samples check (checkReportHead, on the event loop: not a phase of the job)', '-', ms.routeCheck),
      phase('lossless JSON parse (scan: integer tokens + layout; JSON.parse)', 'prepareSample', ms.losslessParse),
      phase('validation (parseSmdaReport of the parsed object)', 'prepareSample', ms.validate),
      phase('hashFunction (MinHash, bands, PicHash, PicBlockHashes)', 'prepareSample', ms.hash),
      phase('rest of prepareSample (xcfg texts, labels: whole - parts above)', 'prepareSample', ms.prepare - partsMs),
      phase('prepareSample, measured whole', 'total', ms.prepare),
      phase('xcfg deflate (deflateRawSync level 1, timed alone)', 'prepareSample', ms.deflate),
      phase('database statements (timed one by one, second store)', 'addSample', sqlMs),
      phase('rest of addSample (commit, row encoding, JS)', 'addSample', ms.add - sqlMs),
      phase('addSample, measured whole', 'total', ms.add),
    ],
    statements: [...byStatement]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([statement, e]) => ({
        statement,
        runs: e.runs,
        runs_per_function: round(e.runs / n, 2),
        us_per_function: round((e.ms * 1000) / n, 2),
        us_per_run: round((e.ms * 1000) / e.runs, 2),
      })),
    rowsPerFunction,
    xcfgBytes: { json: round(bytes.json / n, 0), deflated: round(bytes.deflated / n, 0) },
  };
}

// ---------------------------------------------------------------------------------------------
// 4. a large collection

interface Segment {
  store: StoreKind;
  up_to: number;
  functions: number;
  reports: number;
  generate_s: number;
  prepare_s: number;
  store_s: number;
  prepare_functions_per_s: number;
  store_functions_per_s: number;
  functions_per_s: number;
  /** Report generation, prepareSample and this store's addSample since the start of the build. */
  elapsed_s: number;
  database_mb: number;
  bytes_per_function: number;
  /** BenchStorage.settle before the lookups (PostgreSQL: VACUUM ANALYZE), not in any other time. */
  settle_s: number;
  loadavg_1m: number;
}

interface LookupStats {
  store: StoreKind;
  size: number;
  kind: string;
  lookups: number;
  /** µs p50 of the lookups by rows found (bins 0, 1-10, 11-100, 101-1000, >1000). */
  us_p50_by_rows: Record<string, { n: number; us_p50: number }>;
  rows_p50: number;
  rows_p99: number;
  rows_max: number;
  us_p50: number;
  us_p99: number;
  us_max: number;
}

interface LookupKind {
  name: string;
  /** Runs lookup i, returns the number of rows found. */
  run(i: number): Promise<number>;
}

/** Keys of stored functions: their band hashes (random functions, fixture functions), PicHashes and PicBlockHashes. */
interface LookupKeys {
  random: number[][];
  fixture: number[][];
  picHashes: bigint[];
  blockHashes: bigint[];
}

/**
 * Keys of `count` stored functions of each kind, chosen with a seeded generator and read through
 * SampleStore.getFunction: the same keys on every store (which hold the same functions under the same ids).
 */
async function lookupKeys(samples: SampleStore, count: number, numFunctions: number, fixtureFunctions: number, seed: number): Promise<LookupKeys> {
  const random = seededRandom(seed);
  const signatures = async (idRange: number): Promise<number[][]> => {
    const out: number[][] = [];
    for (let tries = 0; out.length < count && tries < count * 50; tries++) {
      const minhash = (await samples.getFunction(Math.floor(random() * idRange)))?.minhash;
      if (minhash) out.push(bandHashes(minhash));
    }
    return out;
  };
  const keys: LookupKeys = { random: await signatures(numFunctions), fixture: await signatures(fixtureFunctions), picHashes: [], blockHashes: [] };
  for (let tries = 0; (keys.picHashes.length < count || keys.blockHashes.length < count) && tries < count * 50; tries++) {
    const fn = await samples.getFunction(Math.floor(random() * numFunctions));
    if (fn?.picHash !== undefined && fn.picHash !== null && keys.picHashes.length < count) keys.picHashes.push(fn.picHash);
    const blocks = fn?.picBlockHashes ?? [];
    if (blocks.length > 0 && keys.blockHashes.length < count) keys.blockHashes.push(blocks[Math.floor(random() * blocks.length)]!.hash);
  }
  return keys;
}

function lookupKinds(bench: BenchStorage, keys: LookupKeys, seed: number): LookupKind[] {
  const random = seededRandom(seed);
  const reads = rawReads(bench);
  const samples = bench.storage.samples;
  const oneBand = (signatures: number[][]) => (i: number) => {
    const hashes = signatures[i % signatures.length]!;
    const band = Math.floor(random() * hashes.length);
    return reads.bandKeyMembers(bandKey(band, hashes[band]!));
  };
  return [
    { name: 'band key, random stored function', run: oneBand(keys.random) },
    { name: 'band key, fixture function (shared by its copies)', run: oneBand(keys.fixture) },
    {
      name: "20 band keys: one function's candidates (SampleStore.bandBucketMembers)",
      run: async (i) => new Set(await samples.bandBucketMembers(keys.random[i % keys.random.length]!)).size,
    },
    { name: 'band key, absent', run: () => reads.bandKeyMembers(bandKey(20, Math.floor(random() * 2 ** 32))) },
    { name: 'PicHash (SampleStore.picHashMatches)', run: async (i) => (await samples.picHashMatches(keys.picHashes[i % keys.picHashes.length]!)).length },
    { name: 'PicHash, absent', run: async () => (await samples.picHashMatches(BigInt(Math.floor(random() * 2 ** 52)) * 4099n + 1n)).length },
    {
      name: 'PicBlockHash (SampleStore.picBlockHashMatches)',
      run: async (i) => (await samples.picBlockHashMatches(keys.blockHashes[i % keys.blockHashes.length]!)).length,
    },
  ];
}

const ROW_BINS = [
  { name: '0', max: 0 },
  { name: '1-10', max: 10 },
  { name: '11-100', max: 100 },
  { name: '101-1000', max: 1000 },
  { name: '>1000', max: Infinity },
];

/** Every kind once per round (noise spreads over all kinds), `count` rounds after 100 untimed ones. */
async function measureLookups(store: StoreKind, kinds: LookupKind[], count: number, size: number): Promise<LookupStats[]> {
  for (let i = 0; i < 100; i++) for (const kind of kinds) await kind.run(i);
  const times = kinds.map(() => [] as number[]);
  const rows = kinds.map(() => [] as number[]);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < kinds.length; k++) {
      const start = performance.now();
      const found = await kinds[k]!.run(i);
      times[k]!.push((performance.now() - start) * 1000);
      rows[k]!.push(found);
    }
  }
  return kinds.map((kind, k) => {
    const t = summarize(times[k]!);
    const r = summarize(rows[k]!);
    const bins = new Map<string, number[]>();
    rows[k]!.forEach((found, i) => {
      const bin = ROW_BINS.find((b) => found <= b.max)!.name;
      const list = bins.get(bin) ?? [];
      list.push(times[k]![i]!);
      bins.set(bin, list);
    });
    return {
      store,
      size,
      kind: kind.name,
      lookups: count,
      us_p50_by_rows: Object.fromEntries(ROW_BINS.filter((b) => bins.has(b.name)).map((b) => [b.name, { n: bins.get(b.name)!.length, us_p50: round(median(bins.get(b.name)!), 1) }])),
      rows_p50: r.p50,
      rows_p99: r.p99,
      rows_max: r.max,
      us_p50: round(t.p50, 1),
      us_p99: round(t.p99, 1),
      us_max: round(t.max, 1),
    };
  });
}

/** One store's side of the collection build. */
interface StoreCollection {
  store: StoreKind;
  store_s: number;
  database_bytes: number;
  segments: Segment[];
  lookups: LookupStats[];
  tables: { name: string; mb: number; bytes_per_function: number }[];
}

interface Collection {
  target: number;
  functions: number;
  reports: number;
  /** Wall time of the whole build (all stores), lookups not counted. */
  build_s: number;
  prepare_s: number;
  generate_s: number;
  stores: StoreCollection[];
  buckets: BucketSizes;
}

/** Functions per band key over the whole band index: per key, and as a stored function's key sees it. */
interface BucketSizes {
  keys: number;
  entries: number;
  per_key: { p50: number; p90: number; p99: number; max: number };
  /** The bucket size of a random entry's key: what a lookup of a stored function's band returns. */
  per_entry: { p50: number; p90: number; p99: number };
  /** Share of the entries in buckets of more than 100 / 1000 functions. */
  entries_in_buckets_over_100: number;
  entries_in_buckets_over_1000: number;
}

function bucketSizes(counts: number[]): BucketSizes {
  const sizes = Float64Array.from(counts).sort();
  const entries = sizes.reduce((a, b) => a + b, 0);
  const at = (p: number) => sizes[Math.min(sizes.length - 1, Math.max(0, Math.ceil((p / 100) * sizes.length) - 1))] ?? NaN;
  // entry-weighted percentiles: walk the sorted sizes accumulating entries
  const weighted = (p: number) => {
    let seen = 0;
    for (const size of sizes) {
      seen += size;
      if (seen >= (p / 100) * entries) return size;
    }
    return NaN;
  };
  const share = (limit: number) => round(sizes.reduce((sum, size) => sum + (size > limit ? size : 0), 0) / entries, 3);
  return {
    keys: sizes.length,
    entries,
    per_key: { p50: at(50), p90: at(90), p99: at(99), max: sizes[sizes.length - 1] ?? NaN },
    per_entry: { p50: weighted(50), p90: weighted(90), p99: weighted(99) },
    entries_in_buckets_over_100: share(100),
    entries_in_buckets_over_1000: share(1000),
  };
}

/** A store being built: its storage, its addSample time so far and at the last checkpoint, what it measured. */
interface StoreBuild {
  bench: BenchStorage;
  storeMs: number;
  lastStoreMs: number;
  segments: Segment[];
  lookups: LookupStats[];
}

/**
 * The collection, built on every store in lockstep: each report generated and prepared once, then
 * added to each store in turn. At each checkpoint a segment per store, then the lookups on each store.
 */
async function buildCollection(fixtures: Corpus): Promise<Collection> {
  const templates = loadTemplates();
  const builds: StoreBuild[] = [];
  try {
    for (const kind of STORES) builds.push({ bench: await openBenchStorage(kind), storeMs: 0, lastStoreMs: 0, segments: [], lookups: [] });
    let functions = 0;
    let reports = 0;
    let generateMs = 0;
    let prepareMs = 0;
    const last = { functions: 0, reports: 0, generateMs: 0, prepareMs: 0 };
    const buildStart = performance.now();
    let lookupMs = 0;
    const ingest = async (text: string): Promise<number> => {
      const t0 = performance.now();
      const sample: NewSample = prepareSample(text, PREPARE_OPTIONS);
      prepareMs += performance.now() - t0;
      for (const build of builds) {
        const t1 = performance.now();
        await build.bench.storage.samples.addSample(sample);
        build.storeMs += performance.now() - t1;
      }
      reports++;
      return sample.functions.length;
    };
    for (const report of fixtures.reports) functions += await ingest(report.text);
    const fixtureFunctions = functions;
    const checkpoints = [...SIZES.checkpoints];
    const reportsIterator = syntheticReports(templates, { seed: COLLECTION_SEED, reports: Number.MAX_SAFE_INTEGER, functionsPerReport: FUNCTIONS_PER_REPORT });
    while (checkpoints.length > 0) {
      const g0 = performance.now();
      const report = reportsIterator.next().value!;
      generateMs += performance.now() - g0;
      functions += await ingest(report.text);
      if (functions < checkpoints[0]!) continue;
      checkpoints.shift();
      const segmentFunctions = functions - last.functions;
      const segmentPrepareMs = prepareMs - last.prepareMs;
      for (const build of builds) {
        const segmentStoreMs = build.storeMs - build.lastStoreMs;
        const bytes = await build.bench.bytes();
        const segment: Segment = {
          store: build.bench.kind,
          up_to: functions,
          functions: segmentFunctions,
          reports: reports - last.reports,
          generate_s: round((generateMs - last.generateMs) / 1000, 1),
          prepare_s: round(segmentPrepareMs / 1000, 1),
          store_s: round(segmentStoreMs / 1000, 1),
          prepare_functions_per_s: perSecond(segmentFunctions, segmentPrepareMs),
          store_functions_per_s: perSecond(segmentFunctions, segmentStoreMs),
          functions_per_s: perSecond(segmentFunctions, segmentPrepareMs + segmentStoreMs),
          elapsed_s: round((generateMs + prepareMs + build.storeMs) / 1000, 1),
          database_mb: round(bytes / 2 ** 20, 1),
          bytes_per_function: round(bytes / functions, 0),
          settle_s: round((await build.bench.settle()) / 1000, 1),
          loadavg_1m: load(),
        };
        build.segments.push(segment);
        build.lastStoreMs = build.storeMs;
        progress(
          `  ${build.bench.kind}, ${fmt(functions)} functions: ${fmt(segment.functions_per_s)}/s in this segment (prepare ${fmt(segment.prepare_functions_per_s)}/s, store ${fmt(segment.store_functions_per_s)}/s), ${fmt(segment.database_mb)} MB`,
        );
      }
      Object.assign(last, { functions, reports, generateMs, prepareMs });
      const l0 = performance.now();
      const count = checkpoints.length === 0 ? SIZES.finalLookups : SIZES.lookups;
      const keys = await lookupKeys(builds[0]!.bench.storage.samples, count, functions, fixtureFunctions, 7 + functions);
      for (const build of builds) build.lookups.push(...(await measureLookups(build.bench.kind, lookupKinds(build.bench, keys, 7 + functions), count, functions)));
      lookupMs += performance.now() - l0;
    }
    const buildMs = performance.now() - buildStart - lookupMs;
    progress('  band index bucket sizes, size by table');
    const buckets = bucketSizes(await rawReads(builds[0]!.bench).bucketSizes());
    const stores: StoreCollection[] = [];
    for (const build of builds) {
      const tables = (await build.bench.relations())
        .filter((t) => t.bytes > 1 << 20)
        .map((t) => ({ name: t.name, mb: round(t.bytes / 2 ** 20, 1), bytes_per_function: round(t.bytes / functions, 0) }));
      stores.push({
        store: build.bench.kind,
        store_s: round(build.storeMs / 1000, 1),
        database_bytes: await build.bench.bytes(),
        segments: build.segments,
        lookups: build.lookups,
        tables,
      });
    }
    return {
      target: SIZES.collection,
      functions,
      reports,
      build_s: round(buildMs / 1000, 1),
      prepare_s: round(prepareMs / 1000, 1),
      generate_s: round(generateMs / 1000, 1),
      stores,
      buckets,
    };
  } finally {
    for (const build of builds) await build.bench.remove();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  progress(`ingest on ${STORES.join(' and ')}${QUICK ? ' (--quick)' : ''}: load average ${load()}`);
  const fixtures = corpus(
    'fixtures',
    DISTINCT_FIXTURES.map((name) => {
      const text = readFileSync(join(FIXTURES_DIR, `${name}.smda`), 'utf8');
      return { name, text, functions: parseSmdaReport(text).functions.length };
    }),
  );
  progress('generating the synthetic corpus');
  const g0 = performance.now();
  const templates = loadTemplates();
  const synthetic = corpus(
    'synthetic',
    [...syntheticReports(templates, API_CORPUS)].map((r) => ({ name: r.filename, text: r.text, functions: r.functions.length })),
  );
  const generateMs = performance.now() - g0;
  const corpora = [fixtures, synthetic];
  printTable(
    'Corpora',
    ['corpus', 'reports', 'functions', 'MB of JSON', 'KB/function', 'functions/report'],
    corpora.map((c) => [c.name, c.reports.length, c.functions, round(c.bytes / 2 ** 20, 1), round(c.bytes / 1024 / c.functions, 2), Math.round(c.functions / c.reports.length)]),
  );
  note(
    `synthetic: seed ${API_CORPUS.seed}, ${FUNCTIONS_PER_REPORT.join('-')} functions per report, mutations ${JSON.stringify(DEFAULT_MUTATIONS)}; generated in ${fmt(generateMs / 1000)} s (not timed below)`,
  );

  // 2. inside one job (first: it also warms the JIT for the rest); rounds alternate the stores
  const direct: DirectRun[] = [];
  for (const data of corpora) {
    const rounds = data === fixtures ? SIZES.fixtureRounds + 1 : SIZES.directRounds;
    for (let r = 0; r < rounds; r++) {
      for (const kind of STORES) {
        progress(`in-job: ${data.name}, ${kind}, round ${r + 1}/${rounds}`);
        direct.push(await directRun(data, r, kind));
      }
    }
  }

  // 1. through the API
  const api: ApiRun[] = [];
  for (const data of corpora) {
    for (const workers of [1, 2]) {
      const rounds = data === fixtures ? SIZES.fixtureRounds : SIZES.apiRounds;
      for (let r = 0; r < rounds; r++) {
        for (const kind of STORES) {
          progress(`API: ${data.name}, ${kind}, ${workers} worker(s), round ${r + 1}/${rounds}`);
          api.push(await apiRun(data, workers, r, kind));
        }
      }
    }
  }

  // 3. cost split
  const splits: Awaited<ReturnType<typeof costSplit>>[] = [];
  for (const kind of STORES) {
    progress(`cost split (synthetic corpus), ${kind}`);
    splits.push(await costSplit(synthetic, kind));
  }

  // 4. collection
  progress(`collection of ${fmt(SIZES.collection)} functions on ${STORES.join(' and ')}`);
  const collection = await buildCollection(fixtures);

  const ceilings = printIngestRates(corpora, fixtures, synthetic, api, direct, collection);
  printCostSplit(synthetic, splits);
  printCollection(collection);

  const path = writeResults(
    'ingest',
    {
      stores: STORES,
      aims: { functions_per_s: AIM_FUNCTIONS_PER_S, mcrit_functions_per_s: MCRIT_FUNCTIONS_PER_S, lookup_us: AIM_LOOKUP_US },
      corpora: corpora.map((c) => ({ name: c.name, reports: c.reports.length, functions: c.functions, bytes: c.bytes })),
      synthetic_corpus: { ...API_CORPUS, mutations: DEFAULT_MUTATIONS, generate_s: round(generateMs / 1000, 2) },
      api,
      direct,
      cost_split: splits,
      collection: { ...collection, seed: COLLECTION_SEED, functions_per_report: FUNCTIONS_PER_REPORT },
      ceilings_functions_per_s: ceilings,
    },
    startedAt,
  );
  note(`\nwrote ${path}`);
}

const medianOf = <T>(rows: T[], value: (row: T) => number): number => median(rows.map(value));
const storeOf = <T extends { store: StoreKind }>(rows: T[], kind: StoreKind): T[] => rows.filter((row) => row.store === kind);

/** The ingest rate table (API, in-job, collection build; each store, and PG against SQLite), the ceilings and the in-job rounds. Returns the ceilings. */
function printIngestRates(corpora: Corpus[], fixtures: Corpus, synthetic: Corpus, api: ApiRun[], direct: DirectRun[], collection: Collection): Record<string, number> {
  const rateRows: { path: string; corpus: Corpus | undefined; store: StoreKind; rounds: number; seconds: number; postS?: number; fps: number; cpuFps?: number; load: number }[] = [];
  for (const data of corpora) {
    for (const workers of [1, 2]) {
      for (const kind of STORES) {
        const runs = storeOf(api, kind).filter((a) => a.corpus === data.name && a.workers === workers);
        rateRows.push({
          path: `API, ${workers} worker${workers > 1 ? 's' : ''}`,
          corpus: data,
          store: kind,
          rounds: runs.length,
          seconds: medianOf(runs, (a) => a.total_ms) / 1000,
          postS: medianOf(runs, (a) => a.post_ms) / 1000,
          fps: medianOf(runs, (a) => a.functions_per_s),
          cpuFps: medianOf(runs, (a) => a.functions_per_cpu_s),
          load: medianOf(runs, (a) => a.loadavg_1m),
        });
      }
    }
  }
  for (const data of corpora) {
    for (const kind of STORES) {
      const runs = storeOf(direct, kind).filter((d) => d.corpus === data.name && !(data === fixtures && d.round === 0));
      rateRows.push({
        path: 'in-job: prepareSample + addSample',
        corpus: data,
        store: kind,
        rounds: runs.length,
        seconds: medianOf(runs, (d) => d.prepare_ms + d.store_ms) / 1000,
        fps: medianOf(runs, (d) => d.functions_per_s),
        cpuFps: medianOf(runs, (d) => d.functions_per_cpu_s),
        load: medianOf(runs, (d) => d.loadavg_1m),
      });
    }
  }
  for (const built of collection.stores) {
    const seconds = collection.prepare_s + built.store_s;
    rateRows.push({
      path: `in-job, collection build (all ${fmt(collection.functions)})`,
      corpus: undefined,
      store: built.store,
      rounds: 1,
      seconds,
      fps: collection.functions / seconds,
      load: built.segments[built.segments.length - 1]!.loadavg_1m,
    });
  }
  const sqliteRate = (row: (typeof rateRows)[number]) => rateRows.find((r) => r.store === 'sqlite' && r.path === row.path && r.corpus === row.corpus)?.fps;
  printTable(
    `Ingest rate, report to indexed (median of rounds; aim ${fmt(AIM_FUNCTIONS_PER_S)} functions/s, MCRIT ${MCRIT_FUNCTIONS_PER_S}/s; x SQLite: functions/s against SQLite's on the same path)`,
    ['path', 'corpus', 'store', 'reports', 'functions', 'rounds', 'seconds', 'POSTs s', 'POST µs/function', 'functions/s', 'functions/cpu-s', 'x SQLite', 'x MCRIT', 'x aim', 'load'],
    rateRows.map((r) => [
      r.path,
      r.corpus?.name ?? 'synthetic',
      r.store,
      r.corpus?.reports.length ?? collection.reports,
      r.corpus?.functions ?? collection.functions,
      r.rounds,
      r.seconds,
      r.postS,
      r.postS === undefined ? undefined : (r.postS * 1e6) / r.corpus!.functions,
      r.fps,
      r.cpuFps,
      pgOverSqlite(sqliteRate(r), r.fps),
      r.fps / MCRIT_FUNCTIONS_PER_S,
      r.fps / AIM_FUNCTIONS_PER_S,
      r.load,
    ]),
  );
  note(
    'API: first POST until every job finished (reports POSTed one after the other); POSTs s: until the last 202 (the route checks' +
      ' each report structure and all but its functions on the event loop; jobs run meanwhile); cpu-s: the whole process, worker threads included' +
      ' (not the PostgreSQL server\'s); load: 1-minute load average. Collection build: prepareSample once per report, addSample on each store (lockstep).',
  );
  const failedRuns = api.filter((a) => a.failed > 0 || a.busy_503 > 0);
  if (failedRuns.length) note(`warning: failed jobs or 503 answers in ${failedRuns.map((a) => `${a.store}/${a.corpus}/${a.workers} workers (failed ${a.failed}, 503 ${a.busy_503})`).join(', ')}`);

  // What each stage could do alone: executor threads scale with cores, the writer and the event loop do not.
  const ceilings: { stage: string; store: StoreKind | '-'; parallel: string; fps: number }[] = [
    { stage: 'prepareSample (parse, validate, hash, xcfg text)', store: '-', parallel: 'executor threads (cores)', fps: medianOf(direct.filter((d) => d.corpus === 'synthetic'), (d) => d.prepare_functions_per_s) },
  ];
  for (const kind of STORES) {
    const syntheticDirect = storeOf(direct, kind).filter((d) => d.corpus === 'synthetic');
    const apiSynthetic = (workers: number) => storeOf(api, kind).filter((a) => a.corpus === 'synthetic' && a.workers === workers);
    const lastSegment = collection.stores.find((s) => s.store === kind)!.segments.at(-1)!;
    const postUs = medianOf(apiSynthetic(1), (a) => (a.post_ms * 1000) / a.functions);
    const writer = kind === 'sqlite' ? 'no: one writer at a time' : 'concurrent transactions';
    ceilings.push(
      { stage: `addSample, small collection (${fmt(synthetic.functions)} functions)`, store: kind, parallel: writer, fps: medianOf(syntheticDirect, (d) => d.store_functions_per_s) },
      { stage: `addSample at ${fmt(lastSegment.up_to)} functions (last build segment)`, store: kind, parallel: writer, fps: lastSegment.store_functions_per_s },
      { stage: 'POST /samples on the event loop (route check + upload; client in-process)', store: kind, parallel: 'no: one event loop', fps: 1e6 / postUs },
      {
        stage: `API end to end, this machine (${availableParallelism()} cores x functions per CPU-second, 2 workers)`,
        store: kind,
        parallel: '-',
        fps: availableParallelism() * medianOf(apiSynthetic(2), (a) => a.functions_per_cpu_s),
      },
    );
  }
  printTable(
    `Ceilings: functions/s each stage could sustain alone (synthetic corpus; aim ${fmt(AIM_FUNCTIONS_PER_S)})`,
    ['stage', 'store', 'parallel?', 'functions/s', 'x aim'],
    ceilings.map((c) => [c.stage, c.store, c.parallel, c.fps, c.fps / AIM_FUNCTIONS_PER_S]),
  );

  printTable(
    'Inside one job: hashing (prepareSample) and storing (addSample), functions/s',
    ['corpus', 'store', 'round', 'functions', 'prepare s', 'store s', 'prepare/s', 'store/s', 'both/s', 'functions/cpu-s', 'load'],
    direct.map((d) => [
      d.corpus,
      d.store,
      d.corpus === 'fixtures' && d.round === 0 ? '1 (cold)' : String(d.round + 1),
      d.functions,
      d.prepare_ms / 1000,
      d.store_ms / 1000,
      d.prepare_functions_per_s,
      d.store_functions_per_s,
      d.functions_per_s,
      d.functions_per_cpu_s,
      d.loadavg_1m,
    ]),
  );
  return Object.fromEntries(ceilings.map((c) => [`${c.stage}${c.store === '-' ? '' : ` (${c.store})`}`, round(c.fps, 0)]));
}

function printCostSplit(synthetic: Corpus, splits: Awaited<ReturnType<typeof costSplit>>[]): void {
  const splitOf = byStore(splits);
  const totalOf = (split: (typeof splits)[number]) =>
    split.phases.find((p) => p.phase.startsWith('prepareSample, measured'))!.ms + split.phases.find((p) => p.phase.startsWith('addSample, measured'))!.ms;
  printTable(
    `Where the time goes: ${fmt(synthetic.functions)} synthetic functions, each phase in its own pass (warm)`,
    ['phase', 'part of', ...storeColumns(['ms', 'µs/function', '% of ingest'], ['ms'])],
    splits[0]!.phases.map((p, i) => [
      p.phase,
      p.part_of,
      ...storeCells(
        splitOf,
        (split) => {
          const phase = split.phases[i]!;
          return [phase.ms, phase.us_per_function, phase.part_of === '-' ? null : round((100 * phase.ms) / totalOf(split), 1)];
        },
        (split) => [split.phases[i]!.ms],
      ),
    ]),
  );
  for (const split of splits) {
    printTable(
      `${split.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'} statements of addSample (timed one by one)`,
      ['statement', 'runs', 'runs/function', 'µs/run', 'µs/function'],
      split.statements.map((st) => [st.statement, st.runs, st.runs_per_function, st.us_per_run, st.us_per_function]),
    );
    note(
      `rows per function (${split.store}): ${Object.entries(split.rowsPerFunction).map(([t, n]) => `${t} ${n}`).join(', ')}; xcfg ${fmt(split.xcfgBytes.json)} bytes of JSON -> ${fmt(split.xcfgBytes.deflated)} deflated per function`,
    );
  }
}

function printCollection(collection: Collection): void {
  const first = collection.stores[0]!;
  printTable(
    `Collection build to ${fmt(collection.functions)} functions (prepareSample once per report, addSample on each store; generation of the report text not counted)`,
    ['up to', 'functions', 'reports', 'prepare s', 'prepare/s', ...storeColumns(['store s', 'store/s', 'both/s', 'elapsed s', 'MB', 'bytes/function', 'settle s'], ['store/s', 'MB']), 'load'],
    first.segments.map((s, i) => [
      s.up_to,
      s.functions,
      s.reports,
      s.prepare_s,
      s.prepare_functions_per_s,
      ...storeCells(
        byStore(collection.stores.map((c) => c.segments[i]!)),
        (x) => [x.store_s, x.store_functions_per_s, x.functions_per_s, x.elapsed_s, x.database_mb, x.bytes_per_function, x.settle_s],
        (x) => [x.store_functions_per_s, x.database_mb],
      ),
      collection.stores.at(-1)!.segments[i]!.loadavg_1m,
    ]),
  );
  for (const built of collection.stores) {
    const last = built.segments.at(-1)!;
    note(
      `${built.store}: addSample ${fmt(built.store_s)} s in all, ${fmt(built.database_bytes / 2 ** 20)} MB on disk at the end (${fmt(built.database_bytes / collection.functions)} bytes/function` +
        `${built.store === 'postgres' ? ': tables, indexes and TOAST, WAL not counted' : ', after checkpoint'}); last segment ${fmt(last.functions_per_s)} functions/s`,
    );
  }
  note('settle s: before the lookups of each checkpoint, what background maintenance does in a deployment (PostgreSQL: VACUUM ANALYZE, autovacuum\'s work; SQLite: nothing); in no other time.');
  note(`build: ${fmt(collection.build_s)} s wall for all stores (prepare ${fmt(collection.prepare_s)} s, report generation ${fmt(collection.generate_s)} s)`);
  for (const built of collection.stores) {
    if (built.tables.length === 0) continue;
    printTable(`Size on disk by table / index (over 1 MB), ${built.store}`, ['b-tree', 'MB', 'bytes/function'], built.tables.map((t) => [t.name, t.mb, t.bytes_per_function]));
  }

  const lookupRows = first.lookups.map((_, i) => byStore(collection.stores.map((c) => c.lookups[i]!)));
  printTable(
    `Lookups (µs per lookup, one at a time; aim < ${fmt(AIM_LOOKUP_US)} µs at 1,000,000 functions)`,
    ['functions', 'lookup', 'n', 'rows p50', 'rows p99', 'rows max', ...storeColumns(['µs p50', 'µs p99', 'µs max', `p99<${AIM_LOOKUP_US}`], ['µs p50', 'µs p99'])],
    lookupRows.map((row) => {
      const l = Object.values(row)[0]!;
      return [
        l.size,
        l.kind,
        l.lookups,
        l.rows_p50,
        l.rows_p99,
        l.rows_max,
        ...storeCells(row, (x) => [x.us_p50, x.us_p99, x.us_max, x.us_p99 < AIM_LOOKUP_US ? 'yes' : 'no'], (x) => [x.us_p50, x.us_p99]),
      ];
    }),
  );
  const finalLookups = collection.stores.flatMap((c) => c.lookups.filter((l) => l.size === collection.functions));
  printTable(
    `Lookups at ${fmt(collection.functions)} functions: µs p50 by rows found (n in brackets)`,
    ['lookup', 'store', ...ROW_BINS.map((b) => `${b.name} rows`)],
    finalLookups.map((l) => [l.kind, l.store, ...ROW_BINS.map((b) => (l.us_p50_by_rows[b.name] ? `${fmt(l.us_p50_by_rows[b.name]!.us_p50)} (${l.us_p50_by_rows[b.name]!.n})` : '-'))]),
  );
  const b = collection.buckets;
  note(
    `band index at ${fmt(collection.functions)} functions: ${fmt(b.entries)} entries under ${fmt(b.keys)} keys; functions per key p50/p90/p99/max ` +
      `${b.per_key.p50}/${b.per_key.p90}/${b.per_key.p99}/${fmt(b.per_key.max)}; as a stored function's band sees it p50/p90/p99 ` +
      `${fmt(b.per_entry.p50)}/${fmt(b.per_entry.p90)}/${fmt(b.per_entry.p99)}; entries in buckets > 100: ${fmt(100 * b.entries_in_buckets_over_100, 1)}%, > 1000: ${fmt(100 * b.entries_in_buckets_over_1000, 1)}%`,
  );
}

await main();
