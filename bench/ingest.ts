/**
 * Ingest: SMDA reports to indexed functions, and lookups in a large collection.
 *
 *   node --import tsx bench/ingest.ts [--quick]
 *
 * Corpora: the distinct fixture reports (6 reports, 788 functions) and a synthetic corpus generated
 * from their functions with seeded mutations (bench/synthetic-corpus.ts): new sha256, relocated
 * functions, a tenth exact copies, the rest with changed immediates / registers, dropped, duplicated
 * or replaced instructions in some blocks. Report texts are generated before any timing starts.
 *
 * 1. Through the API: a real service (SQLite in a temporary folder, in-process worker threads),
 *    every report POSTed to /samples one after the other (a 503, database busy, is sent again after
 *    50 ms and counted), timed from the first POST until every addSmdaReport job is finished (polled
 *    every 10 ms). With 1 and 2 executor threads.
 * 2. Inside one job: prepareSample (parse, validate, hash, shape) then SampleStore.addSample (one
 *    transaction), called directly on the main thread: hashing time and storing time per report.
 * 3. Where the time goes, report by report over the synthetic corpus, each phase timed on its own:
 *    lossless JSON parse, validation, hashFunction, xcfg deflate (timed alone on the same texts), the
 *    rest of prepareSample; in addSample the SQLite statements (timed one by one on a second store)
 *    and the remainder (commit, row encoding, JavaScript); and the check POST /samples makes.
 * 4. A large collection: the fixtures, then synthetic reports (another seed) through prepareSample +
 *    addSample until 1,000,000 functions (100,000 with --quick), with the rates, file size and
 *    lookups at checkpoints: band-index candidate lookups (`SELECT function_id FROM band_index WHERE
 *    band_key = ?`, keys of stored functions: random ones, and the fixtures' own, which every
 *    exact copy shares), a function's 20 band lookups, SampleStore.picHashMatches and
 *    picBlockHashMatches for hashes of stored functions, and absent keys (the floor); latencies
 *    also by number of rows found, and the distribution of band bucket sizes (the corpus has 788
 *    source functions, so at 1,000,000 functions each has ~1,270 copies: buckets are large).
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
import type Database from 'better-sqlite3';
import { DEFAULTS, type ServiceConfig } from '../src/config.js';
import { bandHashes } from '../src/minhash/bands.js';
import { hashFunction } from '../src/minhash/hash-function.js';
import { checkReportHead, prepareSample } from '../src/samples/prepare-sample.js';
import type { NewSample } from '../src/samples/types.js';
import { startService } from '../src/service.js';
import { scanJson } from '../src/smda/json-scanner.js';
import { parseSmdaReport } from '../src/smda/parse-report.js';
import { openSqliteDatabase } from '../src/storage/sqlite/database.js';
import { SqliteSampleStore } from '../src/storage/sqlite/sqlite-sample-store.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import {
  QUICK,
  databaseBytes,
  fmt,
  median,
  note,
  printTable,
  progress,
  recordStatements,
  round,
  sleep,
  summarize,
  tempDir,
  writeResults,
  type Cell,
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
/** The band index key, as the store writes it (migrations: band number * 2^32 + band hash). */
const bandKey = (band: number, hash: number): number => band * 2 ** 32 + hash;

// ---------------------------------------------------------------------------------------------
// 1. through the API

interface ApiRun {
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

async function apiRun(data: Corpus, workers: number, roundNumber: number): Promise<ApiRun> {
  const dir = tempDir();
  const config: ServiceConfig = { ...DEFAULTS, dataDir: dir.path, port: 0, workers };
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
    dir.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. inside one job

interface DirectRun {
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

async function directRun(data: Corpus, roundNumber: number): Promise<DirectRun> {
  const dir = tempDir();
  const storage = new SqliteStorage(join(dir.path, 'mcrit.sqlite'));
  try {
    let prepareMs = 0;
    let storeMs = 0;
    const cpu = process.cpuUsage();
    for (const report of data.reports) {
      const t0 = performance.now();
      const sample = prepareSample(report.text, PREPARE_OPTIONS);
      const t1 = performance.now();
      await storage.samples.addSample(sample);
      const t2 = performance.now();
      prepareMs += t1 - t0;
      storeMs += t2 - t1;
    }
    const cpuUsed = cpuMs(cpu);
    return {
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
    await storage.close();
    dir.remove();
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

/**
 * Where the time of prepareSample + addSample goes, report by report over the corpus (as a job sees
 * it), each phase timed on its own: the parts of prepareSample one after the other, then
 * prepareSample whole (the xcfg deflate also alone, on the same texts); addSample on a plain store
 * (its total), and addSample on a second store whose statements are timed one by one (recordStatements):
 * the SQLite work. The rest of addSample is its transaction (BEGIN, COMMIT: the WAL write), row
 * encoding and JavaScript. One warm-up pass first (JIT, hashing caches: a worker that ran jobs before).
 */
async function costSplit(data: Corpus): Promise<{
  phases: Phase[];
  statements: { statement: string; runs_per_function: number; us_per_function: number; us_per_run: number }[];
  rowsPerFunction: Record<string, number>;
  xcfgBytes: { json: number; deflated: number };
}> {
  const n = data.functions;
  for (const report of data.reports) prepareSample(report.text, PREPARE_OPTIONS);
  const ms = { plainParse: 0, routeCheck: 0, losslessParse: 0, validate: 0, hash: 0, prepare: 0, deflate: 0, add: 0, addRecorded: 0 };
  const bytes = { json: 0, deflated: 0 };
  const dirs = [tempDir(), tempDir()];
  const plain = new SqliteStorage(join(dirs[0]!.path, 'mcrit.sqlite'));
  const recordedDb = openSqliteDatabase(join(dirs[1]!.path, 'mcrit.sqlite'));
  const recorder = recordStatements(recordedDb);
  const recorded = new SqliteSampleStore(recordedDb);
  let rowsPerFunction: Record<string, number>;
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
      await plain.samples.addSample(sample);
      ms.add += performance.now() - t;
      t = performance.now();
      await recorded.addSample(sample);
      ms.addRecorded += performance.now() - t;
    }
    const count = (table: string) => (plain.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    rowsPerFunction = Object.fromEntries(
      ['functions', 'band_index', 'picblockhash_index', 'function_labels'].map((table) => [table, round(count(table) / n, 2)]),
    );
  } finally {
    recorder.stop();
    recordedDb.close();
    await plain.close();
    for (const dir of dirs) dir.remove();
  }
  const byStatement = new Map<string, { runs: number; ms: number }>();
  for (const statement of recorder.executed) {
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
    phases: [
      phase('JSON.parse alone (reference, not a phase)', '-', ms.plainParse),
      phase('POST /samples check (checkReportHead, on the event loop: not a phase of the job)', '-', ms.routeCheck),
      phase('lossless JSON parse (scan: integer tokens + layout; JSON.parse)', 'prepareSample', ms.losslessParse),
      phase('validation (parseSmdaReport of the parsed object)', 'prepareSample', ms.validate),
      phase('hashFunction (MinHash, bands, PicHash, PicBlockHashes)', 'prepareSample', ms.hash),
      phase('rest of prepareSample (xcfg texts, labels: whole - parts above)', 'prepareSample', ms.prepare - partsMs),
      phase('prepareSample, measured whole', 'total', ms.prepare),
      phase('xcfg deflate (deflateRawSync level 1, timed alone)', 'prepareSample', ms.deflate),
      phase('SQLite statements (timed one by one, second store)', 'addSample', sqlMs),
      phase('rest of addSample (commit, row encoding, JS)', 'addSample', ms.add - sqlMs),
      phase('addSample, measured whole', 'total', ms.add),
    ],
    statements: [...byStatement]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([statement, e]) => ({
        statement,
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
  up_to: number;
  functions: number;
  reports: number;
  generate_s: number;
  prepare_s: number;
  store_s: number;
  prepare_functions_per_s: number;
  store_functions_per_s: number;
  functions_per_s: number;
  elapsed_s: number;
  database_mb: number;
  bytes_per_function: number;
  loadavg_1m: number;
}

interface LookupStats {
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
  run(i: number): Promise<number> | number;
}

/** Keys of stored functions, chosen with a seeded generator: band keys, PicHashes, PicBlockHashes. */
function lookupKinds(storage: SqliteStorage, count: number, numFunctions: number, fixtureFunctions: number, seed: number): LookupKind[] {
  const db: Database.Database = storage.db;
  const random = seededRandom(seed);
  const minhashOf = db.prepare<[number], { minhash: Buffer | null }>('SELECT minhash FROM functions WHERE id = ?');
  const pichashOf = db.prepare<[number], { pichash: bigint | null }>('SELECT pichash FROM functions WHERE id = ?').safeIntegers(true);
  const blocksOf = db.prepare<[number], { picblockhashes: string }>('SELECT picblockhashes FROM functions WHERE id = ?');
  // Candidate ids as numbers (pluck); the same statement returning row objects costs about twice as much per row.
  const candidates = db.prepare<[number], number>('SELECT function_id FROM band_index WHERE band_key = ?').pluck();
  const candidateRows = db.prepare<[number], { function_id: number }>('SELECT function_id FROM band_index WHERE band_key = ?');
  const keysOf = (minhash: Buffer) => bandHashes(new Uint8Array(minhash)).map((hash, band) => bandKey(band, hash));

  const signatures = (fromId: number, idRange: number): number[][] => {
    const out: number[][] = [];
    for (let tries = 0; out.length < count && tries < count * 50; tries++) {
      const row = minhashOf.get(fromId + Math.floor(random() * idRange));
      if (row?.minhash) out.push(keysOf(row.minhash));
    }
    return out;
  };
  const randomSignatures = signatures(0, numFunctions);
  const fixtureSignatures = signatures(0, fixtureFunctions);
  const picHashes: bigint[] = [];
  const blockHashes: bigint[] = [];
  for (let tries = 0; (picHashes.length < count || blockHashes.length < count) && tries < count * 50; tries++) {
    const id = Math.floor(random() * numFunctions);
    const pichash = pichashOf.get(id)?.pichash;
    if (pichash !== undefined && pichash !== null && picHashes.length < count) picHashes.push(BigInt.asUintN(64, pichash));
    const blocks = JSON.parse(blocksOf.get(id)?.picblockhashes ?? '[]') as [string, number, number, string][];
    if (blocks.length > 0 && blockHashes.length < count) blockHashes.push(BigInt(blocks[Math.floor(random() * blocks.length)]![3]));
  }
  const band = (keys: number[][]) => (i: number) => candidates.all(keys[i % keys.length]![Math.floor(random() * 20)]!).length;
  return [
    { name: 'band key, random stored function (ids: pluck)', run: band(randomSignatures) },
    {
      name: 'band key, random stored function, .all() row objects',
      run: (i) => candidateRows.all(randomSignatures[i % randomSignatures.length]![Math.floor(random() * 20)]!).length,
    },
    { name: 'band key, fixture function (shared by its copies)', run: band(fixtureSignatures) },
    {
      name: 'band keys x20: one function\'s candidates',
      run: (i) => {
        const ids = new Set<number>();
        for (const key of randomSignatures[i % randomSignatures.length]!) for (const id of candidates.all(key)) ids.add(id);
        return ids.size;
      },
    },
    { name: 'band key, absent', run: () => candidates.all(20 * 2 ** 32 + Math.floor(random() * 2 ** 32)).length },
    { name: 'PicHash (SampleStore.picHashMatches)', run: async (i) => (await storage.samples.picHashMatches(picHashes[i % picHashes.length]!)).length },
    { name: 'PicHash, absent', run: async () => (await storage.samples.picHashMatches(BigInt(Math.floor(random() * 2 ** 52)) * 4099n + 1n)).length },
    {
      name: 'PicBlockHash (SampleStore.picBlockHashMatches)',
      run: async (i) => (await storage.samples.picBlockHashMatches(blockHashes[i % blockHashes.length]!)).length,
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
async function measureLookups(kinds: LookupKind[], count: number, size: number): Promise<LookupStats[]> {
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

interface Collection {
  target: number;
  functions: number;
  reports: number;
  build_s: number;
  prepare_s: number;
  store_s: number;
  generate_s: number;
  database_bytes: number;
  segments: Segment[];
  lookups: LookupStats[];
  tables: { name: string; mb: number; bytes_per_function: number }[];
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

function bucketSizes(db: Database.Database): BucketSizes {
  const sizes = Float64Array.from(db.prepare('SELECT count(*) FROM band_index GROUP BY band_key').pluck().all() as number[]).sort();
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

async function buildCollection(fixtures: Corpus): Promise<Collection> {
  const templates = loadTemplates();
  const dir = tempDir('mcrit-bench-ingest-');
  const path = join(dir.path, 'mcrit.sqlite');
  const storage = new SqliteStorage(path);
  const segments: Segment[] = [];
  const lookups: LookupStats[] = [];
  let tables: Collection['tables'] = [];
  try {
    let functions = 0;
    let reports = 0;
    let generateMs = 0;
    let prepareMs = 0;
    let storeMs = 0;
    const last = { functions: 0, reports: 0, generateMs: 0, prepareMs: 0, storeMs: 0, at: performance.now() };
    const buildStart = performance.now();
    let lookupMs = 0;
    const ingest = async (text: string): Promise<number> => {
      const t0 = performance.now();
      const sample: NewSample = prepareSample(text, PREPARE_OPTIONS);
      const t1 = performance.now();
      await storage.samples.addSample(sample);
      prepareMs += t1 - t0;
      storeMs += performance.now() - t1;
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
      const now = performance.now();
      const segmentFunctions = functions - last.functions;
      const segment: Segment = {
        up_to: functions,
        functions: segmentFunctions,
        reports: reports - last.reports,
        generate_s: round((generateMs - last.generateMs) / 1000, 1),
        prepare_s: round((prepareMs - last.prepareMs) / 1000, 1),
        store_s: round((storeMs - last.storeMs) / 1000, 1),
        prepare_functions_per_s: perSecond(segmentFunctions, prepareMs - last.prepareMs),
        store_functions_per_s: perSecond(segmentFunctions, storeMs - last.storeMs),
        functions_per_s: perSecond(segmentFunctions, prepareMs - last.prepareMs + storeMs - last.storeMs),
        elapsed_s: round((now - buildStart - lookupMs) / 1000, 1),
        database_mb: round(databaseBytes(path) / 2 ** 20, 1),
        bytes_per_function: round(databaseBytes(path) / functions, 0),
        loadavg_1m: load(),
      };
      segments.push(segment);
      progress(
        `  ${fmt(functions)} functions: ${fmt(segment.functions_per_s)}/s in this segment (prepare ${fmt(segment.prepare_functions_per_s)}/s, store ${fmt(segment.store_functions_per_s)}/s), ${fmt(segment.database_mb)} MB`,
      );
      Object.assign(last, { functions, reports, generateMs, prepareMs, storeMs, at: now });
      const l0 = performance.now();
      const final = checkpoints.length === 0;
      const kinds = lookupKinds(storage, final ? SIZES.finalLookups : SIZES.lookups, functions, fixtureFunctions, 7 + functions);
      lookups.push(...(await measureLookups(kinds, final ? SIZES.finalLookups : SIZES.lookups, functions)));
      lookupMs += performance.now() - l0;
    }
    const buildMs = performance.now() - buildStart - lookupMs;
    progress('  band index bucket sizes, size by table');
    const buckets = bucketSizes(storage.db);
    storage.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = databaseBytes(path);
    try {
      tables = (
        storage.db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[]
      )
        .filter((t) => t.bytes > 1 << 20)
        .map((t) => ({ name: t.name, mb: round(t.bytes / 2 ** 20, 1), bytes_per_function: round(t.bytes / functions, 0) }));
    } catch {
      // no dbstat in this SQLite build
    }
    return {
      target: SIZES.collection,
      functions,
      reports,
      build_s: round(buildMs / 1000, 1),
      prepare_s: round(prepareMs / 1000, 1),
      store_s: round(storeMs / 1000, 1),
      generate_s: round(generateMs / 1000, 1),
      database_bytes: bytes,
      segments,
      lookups,
      tables,
      buckets,
    };
  } finally {
    await storage.close();
    dir.remove();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  progress(`ingest${QUICK ? ' (--quick)' : ''}: load average ${load()}`);
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

  // 2. inside one job (first: it also warms the JIT for the rest)
  const direct: DirectRun[] = [];
  for (const data of corpora) {
    const rounds = data === fixtures ? SIZES.fixtureRounds + 1 : SIZES.directRounds;
    for (let r = 0; r < rounds; r++) {
      progress(`in-job: ${data.name}, round ${r + 1}/${rounds}`);
      direct.push(await directRun(data, r));
    }
  }

  // 1. through the API
  const api: ApiRun[] = [];
  for (const data of corpora) {
    for (const workers of [1, 2]) {
      const rounds = data === fixtures ? SIZES.fixtureRounds : SIZES.apiRounds;
      for (let r = 0; r < rounds; r++) {
        progress(`API: ${data.name}, ${workers} worker(s), round ${r + 1}/${rounds}`);
        api.push(await apiRun(data, workers, r));
      }
    }
  }

  // 3. cost split
  progress('cost split (synthetic corpus)');
  const split = await costSplit(synthetic);

  // 4. collection
  progress(`collection of ${fmt(SIZES.collection)} functions`);
  const collection = await buildCollection(fixtures);

  // ---- tables
  const medianOf = <T>(rows: T[], value: (row: T) => number): number => median(rows.map(value));
  const apiRows: Cell[][] = [];
  for (const data of corpora) {
    for (const workers of [1, 2]) {
      const runs = api.filter((a) => a.corpus === data.name && a.workers === workers);
      const fps = medianOf(runs, (a) => a.functions_per_s);
      apiRows.push([
        `API, ${workers} worker${workers > 1 ? 's' : ''}`,
        data.name,
        data.reports.length,
        data.functions,
        runs.length,
        medianOf(runs, (a) => a.total_ms) / 1000,
        medianOf(runs, (a) => a.post_ms) / 1000,
        (medianOf(runs, (a) => a.post_ms) * 1000) / data.functions,
        fps,
        medianOf(runs, (a) => a.functions_per_cpu_s),
        fps / MCRIT_FUNCTIONS_PER_S,
        fps / AIM_FUNCTIONS_PER_S,
        medianOf(runs, (a) => a.loadavg_1m),
      ]);
    }
  }
  for (const data of corpora) {
    const runs = direct.filter((d) => d.corpus === data.name).slice(data === fixtures ? 1 : 0);
    const fps = medianOf(runs, (d) => d.functions_per_s);
    apiRows.push([
      'in-job: prepareSample + addSample',
      data.name,
      data.reports.length,
      data.functions,
      runs.length,
      medianOf(runs, (d) => d.prepare_ms + d.store_ms) / 1000,
      null,
      null,
      fps,
      medianOf(runs, (d) => d.functions_per_cpu_s),
      fps / MCRIT_FUNCTIONS_PER_S,
      fps / AIM_FUNCTIONS_PER_S,
      medianOf(runs, (d) => d.loadavg_1m),
    ]);
  }
  const last = collection.segments[collection.segments.length - 1]!;
  apiRows.push([
    `in-job, collection build (all ${fmt(collection.functions)})`,
    'synthetic',
    collection.reports,
    collection.functions,
    1,
    collection.prepare_s + collection.store_s,
    null,
    null,
    collection.functions / (collection.prepare_s + collection.store_s),
    null,
    collection.functions / (collection.prepare_s + collection.store_s) / MCRIT_FUNCTIONS_PER_S,
    collection.functions / (collection.prepare_s + collection.store_s) / AIM_FUNCTIONS_PER_S,
    last.loadavg_1m,
  ]);
  printTable(
    `Ingest rate, report to indexed (median of rounds; aim ${fmt(AIM_FUNCTIONS_PER_S)} functions/s, MCRIT ${MCRIT_FUNCTIONS_PER_S}/s)`,
    ['path', 'corpus', 'reports', 'functions', 'rounds', 'seconds', 'POSTs s', 'POST µs/function', 'functions/s', 'functions/cpu-s', 'x MCRIT', 'x aim', 'load'],
    apiRows,
  );
  note(
    'API: first POST until every job finished (reports POSTed one after the other); POSTs s: until the last 202 (the route checks' +
      ' each report structure and all but its functions on the event loop; jobs run meanwhile); cpu-s: the whole process, worker threads included; load: 1-minute load average.',
  );

  const failedRuns = api.filter((a) => a.failed > 0 || a.busy_503 > 0);
  if (failedRuns.length) note(`warning: failed jobs or 503 answers in ${failedRuns.map((a) => `${a.corpus}/${a.workers} workers (failed ${a.failed}, 503 ${a.busy_503})`).join(', ')}`);

  // What each stage could do alone: executor threads scale with cores, the writer and the event loop do not.
  const syntheticDirect = direct.filter((d) => d.corpus === 'synthetic');
  const apiSynthetic = (workers: number) => api.filter((a) => a.corpus === 'synthetic' && a.workers === workers);
  const postUs = medianOf(apiSynthetic(1), (a) => (a.post_ms * 1000) / a.functions);
  const ceilings: Cell[][] = [
    ['prepareSample (parse, validate, hash, xcfg text)', 'executor threads (cores)', medianOf(syntheticDirect, (d) => d.prepare_functions_per_s)],
    ['addSample, small collection (' + fmt(synthetic.functions) + ' functions)', 'no: one writer at a time', medianOf(syntheticDirect, (d) => d.store_functions_per_s)],
    [`addSample at ${fmt(last.up_to)} functions (last build segment)`, 'no: one writer at a time', last.store_functions_per_s],
    ['POST /samples on the event loop (route check + upload; client in-process)', 'no: one event loop', 1e6 / postUs],
    [`API end to end, this machine (${availableParallelism()} cores x functions per CPU-second, 2 workers)`, '-', availableParallelism() * medianOf(apiSynthetic(2), (a) => a.functions_per_cpu_s)],
  ];
  printTable(
    `Ceilings: functions/s each stage could sustain alone (synthetic corpus; aim ${fmt(AIM_FUNCTIONS_PER_S)})`,
    ['stage', 'parallel?', 'functions/s', 'x aim'],
    ceilings.map((row) => [...row, (row[2] as number) / AIM_FUNCTIONS_PER_S]),
  );

  printTable(
    'Inside one job: hashing (prepareSample) and storing (addSample), functions/s',
    ['corpus', 'round', 'functions', 'prepare s', 'store s', 'prepare/s', 'store/s', 'both/s', 'functions/cpu-s', 'load'],
    direct.map((d) => [
      d.corpus,
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

  const prepareTotal = split.phases.find((p) => p.phase.startsWith('prepareSample, measured'))!.ms;
  const addTotal = split.phases.find((p) => p.phase.startsWith('addSample, measured'))!.ms;
  printTable(
    `Where the time goes: ${fmt(synthetic.functions)} synthetic functions, each phase in its own pass (warm)`,
    ['phase', 'part of', 'ms', 'µs/function', '% of ingest', 'functions/s alone'],
    split.phases.map((p) => [
      p.phase,
      p.part_of,
      p.ms,
      p.us_per_function,
      p.part_of === '-' ? null : round((100 * p.ms) / (prepareTotal + addTotal), 1),
      perSecond(synthetic.functions, p.ms),
    ]),
  );
  printTable(
    'SQLite statements of addSample (timed one by one)',
    ['statement', 'runs/function', 'µs/run', 'µs/function'],
    split.statements.map((st) => [st.statement, st.runs_per_function, st.us_per_run, st.us_per_function]),
  );
  note(
    `rows per function: ${Object.entries(split.rowsPerFunction).map(([t, n]) => `${t} ${n}`).join(', ')}; xcfg ${fmt(split.xcfgBytes.json)} bytes of JSON -> ${fmt(split.xcfgBytes.deflated)} deflated per function`,
  );

  printTable(
    `Collection build to ${fmt(collection.functions)} functions (prepareSample + addSample per report; generation of the report text not counted)`,
    ['up to', 'functions', 'reports', 'prepare s', 'store s', 'prepare/s', 'store/s', 'both/s', 'elapsed s', 'MB on disk', 'bytes/function', 'load'],
    collection.segments.map((s) => [
      s.up_to,
      s.functions,
      s.reports,
      s.prepare_s,
      s.store_s,
      s.prepare_functions_per_s,
      s.store_functions_per_s,
      s.functions_per_s,
      s.elapsed_s,
      s.database_mb,
      s.bytes_per_function,
      s.loadavg_1m,
    ]),
  );
  note(
    `build: ${fmt(collection.build_s)} s (prepare ${fmt(collection.prepare_s)} s, store ${fmt(collection.store_s)} s, report generation ${fmt(collection.generate_s)} s), ` +
      `${fmt(collection.database_bytes / 2 ** 20)} MB on disk after checkpoint (${fmt(collection.database_bytes / collection.functions)} bytes/function); ` +
      `last segment ${fmt(last.functions_per_s)} functions/s`,
  );
  if (collection.tables.length > 0) {
    printTable(
      'Size on disk by table / index (over 1 MB)',
      ['b-tree', 'MB', 'bytes/function'],
      collection.tables.map((t) => [t.name, t.mb, t.bytes_per_function]),
    );
  }
  printTable(
    `Lookups (µs per lookup, one at a time; aim < ${fmt(AIM_LOOKUP_US)} µs at 1,000,000 functions)`,
    ['functions', 'lookup', 'n', 'rows p50', 'rows p99', 'rows max', 'µs p50', 'µs p99', 'µs max', `p99 < ${AIM_LOOKUP_US}`],
    collection.lookups.map((l) => [l.size, l.kind, l.lookups, l.rows_p50, l.rows_p99, l.rows_max, l.us_p50, l.us_p99, l.us_max, l.us_p99 < AIM_LOOKUP_US ? 'yes' : 'no']),
  );

  const finalLookups = collection.lookups.filter((l) => l.size === collection.functions);
  printTable(
    `Lookups at ${fmt(collection.functions)} functions: µs p50 by rows found (n in brackets)`,
    ['lookup', ...ROW_BINS.map((b) => `${b.name} rows`)],
    finalLookups.map((l) => [l.kind, ...ROW_BINS.map((b) => (l.us_p50_by_rows[b.name] ? `${fmt(l.us_p50_by_rows[b.name]!.us_p50)} (${l.us_p50_by_rows[b.name]!.n})` : '-'))]),
  );
  const b = collection.buckets;
  note(
    `band index at ${fmt(collection.functions)} functions: ${fmt(b.entries)} entries under ${fmt(b.keys)} keys; functions per key p50/p90/p99/max ` +
      `${b.per_key.p50}/${b.per_key.p90}/${b.per_key.p99}/${fmt(b.per_key.max)}; as a stored function's band sees it p50/p90/p99 ` +
      `${fmt(b.per_entry.p50)}/${fmt(b.per_entry.p90)}/${fmt(b.per_entry.p99)}; entries in buckets > 100: ${fmt(100 * b.entries_in_buckets_over_100, 1)}%, > 1000: ${fmt(100 * b.entries_in_buckets_over_1000, 1)}%`,
  );

  const path = writeResults(
    'ingest',
    {
      aims: { functions_per_s: AIM_FUNCTIONS_PER_S, mcrit_functions_per_s: MCRIT_FUNCTIONS_PER_S, lookup_us: AIM_LOOKUP_US },
      corpora: corpora.map((c) => ({ name: c.name, reports: c.reports.length, functions: c.functions, bytes: c.bytes })),
      synthetic_corpus: { ...API_CORPUS, mutations: DEFAULT_MUTATIONS, generate_s: round(generateMs / 1000, 2) },
      api,
      direct,
      cost_split: split,
      collection: { ...collection, seed: COLLECTION_SEED, functions_per_report: FUNCTIONS_PER_REPORT },
      ceilings_functions_per_s: Object.fromEntries(ceilings.map((row) => [row[0] as string, round(row[2] as number, 0)])),
    },
    startedAt,
  );
  note(`\nwrote ${path}`);
}

await main();
