/**
 * Matching: one sample against collections of 10,000 / 100,000 / 1,000,000 functions.
 *
 *   node --import tsx bench/matching.ts [--quick] [--store sqlite|postgres|both]
 *   (--quick: 10,000 and 100,000 functions; --store: default both, side by side with the ratio PG/SQLite)
 *
 * The collection: the distinct fixture reports, a 1,355-function synthetic sample (the size of the
 * sample MCRIT matched in 2.07 s against 10,066 functions), then synthetic reports (seed 2, 100-600
 * functions each; bench/synthetic-corpus.ts: relocated copies of the fixtures' 788 functions, a tenth
 * exact, the rest with seeded mutations) up to each size. The corpus is adversarial for candidate
 * retrieval: every function has ~size/788 relatives, so band buckets hold ~1,270 functions at 1M
 * (MCRIT measured p50 7 candidates per function on Malpedia).
 *
 * With both stores (PostgreSQL: a fresh schema of MCRIT_BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test) the collections are built in lockstep, each report
 * prepared once and added to each store (SampleStore.addSample): the same functions under the same ids.
 * At each size and store, each run in a fresh process (its peak RSS is its own), as the jobs do it:
 * - getMatchesForSample of the stored 1,355-function sample;
 * - getMatchesForSmdaReport (a query, not stored) of a 788-function report (MCRIT: 2.5 s at 10,066);
 * - a query of a 5,000-function report (the issue's aim: under 10 s at 1,000,000 functions).
 * Queries are synthetic reports of other seeds; their exact copies (known from the manifest) must
 * each find a score-100 match, which is checked and printed.
 * Baseline in the same run: scoring the same number of pairs byte by byte (src/minhash/score.ts)
 * against the word-wise scorer the matcher uses. MCRIT's figures are quoted for scale.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { MatchStats } from '../src/matching/matcher.js';
import { equalSlots, signatureWords } from '../src/matching/signature-scoring.js';
import { minhashScore } from '../src/minhash/score.js';
import { prepareSample } from '../src/samples/prepare-sample.js';
import {
  QUICK,
  REPO_ROOT,
  STORES,
  byStore,
  fmt,
  note,
  openBenchStorage,
  printTable,
  progress,
  round,
  storeCells,
  storeColumns,
  tempDir,
  writeResults,
  type BenchStorage,
  type StoreKind,
} from './support.js';
import { DISTINCT_FIXTURES, FIXTURES_DIR, isExactCopy, loadTemplates, seededRandom, syntheticReport, syntheticReports, type SyntheticReport } from './synthetic-corpus.js';

const startedAt = new Date();
const SIZES = QUICK ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const MCRIT = { sample_1355_s: 2.07, query_788_s: 2.5, pairs_per_s: 1_590_000 };
const AIM = { pairs_per_s_per_core: 20_000_000, query_5000_at_1m_s: 10 };
const PREPARE = { username: 'bench', labelTimestamp: '2024-01-01T00:00:00' };

interface JobRun extends MatchStats {
  store: StoreKind;
  size: number;
  job: string;
  wall_ms: number;
  cpu_ms: number;
  peak_rss_mb: number;
  report_mb: number;
  own_functions: number;
  match_tuples: number;
  matched_samples: number;
  functions_with_a_100_match: number;
  exact_copies: number;
  pairs_per_s: number;
}

/** Exact copies with at least 10 instructions: each must find its original (PicHash, score 100). */
function knownMatches(report: SyntheticReport): number {
  const sample = prepareSample(report.text, PREPARE);
  const byOffset = new Map(sample.functions.map((fn) => [Number(fn.offset), fn.numInstructions]));
  return report.functions.filter((fn) => isExactCopy(fn) && (byOffset.get(fn.offset) ?? 0) >= 10).length;
}

function runJob(bench: BenchStorage, size: number, job: string, kind: 'sample' | 'query', argument: string, exactCopies: number): JobRun {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/matching-job.ts'), bench.location, kind, argument], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (child.status !== 0) throw new Error(`${job} failed: ${child.stderr}`);
  const run = JSON.parse(child.stdout.trim().split('\n').pop()!);
  return { store: bench.kind, size, job, ...run, exact_copies: exactCopies, pairs_per_s: round(run.scoredPairs / (Math.max(run.scoringMs, 0.001) / 1000), 0) };
}

/** Pairs per second of the word-wise scorer and of the byte-wise baseline, on the same random pairs. */
function scoringThroughput(pairs: number): { words: number; bytes: number } {
  const random = seededRandom(5);
  const rows = 100_000;
  const signatures = new Uint8Array(rows * 64).map(() => (random() < 0.5 ? 7 : Math.floor(random() * 256)));
  const own = signatures.slice(0, 64);
  const [ownWords, rowWords] = [signatureWords(own), signatureWords(signatures)];
  let checksum = 0;
  let start = performance.now();
  for (let i = 0; i < pairs; i++) checksum += equalSlots(ownWords, 0, rowWords, i % rows);
  const words = pairs / ((performance.now() - start) / 1000);
  start = performance.now();
  for (let i = 0; i < pairs; i++) checksum -= (minhashScore(own, signatures.subarray((i % rows) * 64, (i % rows) * 64 + 64)) * 64) / 100;
  const bytes = pairs / ((performance.now() - start) / 1000);
  if (checksum !== 0) throw new Error('the two scorers disagree');
  return { words: round(words, 0), bytes: round(bytes, 0) };
}

async function main(): Promise<void> {
  const templates = loadTemplates();
  const dir = tempDir('mcrit-bench-matching-');
  const benches: BenchStorage[] = [];
  const runs: JobRun[] = [];
  const builds: { store: StoreKind; size: number; functions: number; build_s: number; database_mb: number; settle_s: number }[] = [];
  try {
    for (const kind of STORES) benches.push(await openBenchStorage(kind));
    const reference = syntheticReport(templates, { seed: 11, reports: 1, functionsPerReport: [1_355, 1_355] }, 0);
    const queries = [
      { job: 'query 788 functions', report: syntheticReport(templates, { seed: 13, reports: 1, functionsPerReport: [788, 788] }, 0) },
      { job: 'query 5,000 functions', report: syntheticReport(templates, { seed: 12, reports: 1, functionsPerReport: [5_000, 5_000] }, 0) },
    ].map((q) => {
      const file = join(dir.path, `${q.report.sha256}.smda`);
      writeFileSync(file, q.report.text);
      return { ...q, file, exact: knownMatches(q.report) };
    });
    let functions = 0;
    const buildMs = new Map<StoreKind, number>(STORES.map((kind) => [kind, 0]));
    /** Prepares a report once and adds it to every store; returns the sample id (the same on every store). */
    const add = async (text: string): Promise<number> => {
      const t0 = performance.now();
      const sample = prepareSample(text, PREPARE);
      const prepareMs = performance.now() - t0;
      let id = -1;
      for (const bench of benches) {
        const t1 = performance.now();
        const added = await bench.storage.samples.addSample(sample);
        buildMs.set(bench.kind, buildMs.get(bench.kind)! + prepareMs + performance.now() - t1);
        if (id >= 0 && added.sample.id !== id) throw new Error(`sample ids differ between stores: ${id} / ${added.sample.id}`);
        id = added.sample.id;
      }
      functions += sample.functions.length;
      return id;
    };
    for (const name of DISTINCT_FIXTURES) await add(readFileSync(join(FIXTURES_DIR, `${name}.smda`), 'utf8'));
    const referenceId = await add(reference.text);
    const referenceExact = knownMatches(reference);
    const corpus = syntheticReports(templates, { seed: 2, reports: Number.MAX_SAFE_INTEGER, functionsPerReport: [100, 600] });
    for (const size of SIZES) {
      while (functions < size) await add(corpus.next().value!.text);
      progress(`  ${fmt(functions)} functions stored; matching`);
      for (const bench of benches) {
        const databaseMb = round((await bench.bytes()) / 2 ** 20, 1);
        const settleS = round((await bench.settle()) / 1000, 1);
        builds.push({ store: bench.kind, size, functions, build_s: round(buildMs.get(bench.kind)! / 1000, 1), database_mb: databaseMb, settle_s: settleS });
        const atSize = [runJob(bench, functions, 'sample 1,355 functions', 'sample', String(referenceId), referenceExact)];
        for (const q of queries) atSize.push(runJob(bench, functions, q.job, 'query', q.file, q.exact));
        for (const run of atSize) progress(`    ${bench.kind}, ${run.job}: ${fmt(run.wall_ms / 1000)} s, ${fmt(run.scoredPairs)} pairs, ${fmt(run.peak_rss_mb)} MB peak`);
        runs.push(...atSize);
      }
    }
  } finally {
    for (const bench of benches) await bench.remove();
    dir.remove();
  }
  const scoring = scoringThroughput(QUICK ? 5_000_000 : 20_000_000);

  printTable(
    'Matching jobs (each in its own process; scored/s = scored pairs / time spent scoring)',
    ['collection', 'job', 'store', 'own functions (hashed)', 'wall s', 'cpu s', 'band lookups s', 'signature reads s', 'scoring s', 'scored pairs', 'scored/s while scoring', 'tuples', 'exact copies found', 'peak RSS MB', 'report MB'],
    runs.map((r) => [
      fmt(r.size),
      r.job,
      r.store,
      `${fmt(r.own_functions)} (${fmt(r.ownFunctionsHashed)})`,
      fmt(r.wall_ms / 1000),
      fmt(r.cpu_ms / 1000),
      fmt(r.bandLookupMs / 1000),
      fmt(r.signatureReadMs / 1000),
      fmt(r.scoringMs / 1000),
      fmt(r.scoredPairs),
      fmt(r.pairs_per_s),
      fmt(r.match_tuples),
      `${fmt(Math.min(r.functions_with_a_100_match, r.exact_copies))}/${fmt(r.exact_copies)}`,
      fmt(r.peak_rss_mb),
      fmt(r.report_mb),
    ]),
  );
  if (STORES.length > 1) printStoresSideBySide(runs);
  printTable(
    'Collections (built in lockstep; build s: prepareSample + addSample on that store; MB: SQLite file + WAL, PostgreSQL tables + indexes + TOAST;' +
      ' settle s: before the jobs, what background maintenance does in a deployment: PostgreSQL VACUUM ANALYZE, autovacuum\'s work)',
    ['functions', ...storeColumns(['build s', 'MB', 'settle s'], ['build s', 'MB'])],
    SIZES.map((size) => {
      const atSize = builds.filter((b) => b.size === size);
      return [atSize[0]!.functions, ...storeCells(byStore(atSize), (b) => [b.build_s, b.database_mb, b.settle_s], (b) => [b.build_s, b.database_mb])];
    }),
  );
  printTable('Scoring alone (one core): word-wise vs byte-wise baseline', ['scorer', 'pairs/s', 'vs baseline', 'vs MCRIT 1.59M/s (numpy, 8 cores)'], [
    ['equalSlots (16 words per pair)', fmt(scoring.words), `${fmt(scoring.words / scoring.bytes)}x`, `${fmt(scoring.words / MCRIT.pairs_per_s)}x`],
    ['byte loop (baseline)', fmt(scoring.bytes), '1x', `${fmt(scoring.bytes / MCRIT.pairs_per_s)}x`],
  ]);
  const smallest = runs.filter((r) => r.size === runs[0]!.size);
  note(
    `MCRIT 1.6.2 at 10,066 functions: 1,355-function sample ${MCRIT.sample_1355_s} s, 788-function query ${MCRIT.query_788_s} s. ` +
      `Here at ${fmt(runs[0]!.size)}: ${smallest.map((r) => `${r.job} (${r.store}) ${fmt(r.wall_ms / 1000)} s`).join(', ')}.`,
  );
  for (const run of runs) if (run.functions_with_a_100_match < run.exact_copies) note(`WARNING: ${run.job} on ${run.store} at ${run.size}: only ${run.functions_with_a_100_match} of ${run.exact_copies} exact copies found`);
  const file = writeResults('matching', { stores: STORES, sizes: SIZES, builds, runs, scoring, mcrit: MCRIT, aim: AIM }, startedAt);
  note(`results: ${file}`);
}

/** Each job on both stores: where the time goes, and PG/SQLite. Differing work counts would make the times incomparable: flagged. */
function printStoresSideBySide(runs: JobRun[]): void {
  const pairs = runs.filter((r) => r.store === STORES[0]).map((first) => byStore(runs.filter((r) => r.size === first.size && r.job === first.job)));
  printTable(
    'Matching jobs side by side (seconds; PG/SQLite)',
    ['collection', 'job', ...storeColumns(['wall', 'band lookups', 'signature reads', 'scoring'], ['wall', 'band lookups', 'signature reads']), 'same work'],
    pairs.map((pair) => {
      const any = Object.values(pair)[0]!;
      const same = pair.sqlite && pair.postgres && pair.sqlite.scoredPairs === pair.postgres.scoredPairs && pair.sqlite.match_tuples === pair.postgres.match_tuples;
      return [
        any.size,
        any.job,
        ...storeCells(
          pair,
          (r) => [r.wall_ms / 1000, r.bandLookupMs / 1000, r.signatureReadMs / 1000, r.scoringMs / 1000],
          (r) => [r.wall_ms, r.bandLookupMs, r.signatureReadMs],
        ),
        same ? 'yes' : 'NO (pairs or tuples differ)',
      ];
    }),
  );
}

await main();
