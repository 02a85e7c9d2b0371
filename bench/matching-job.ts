/**
 * One matching run in a process of its own (so that its peak memory is its own), for
 * bench/matching.ts: `node --import tsx bench/matching-job.ts <SQLite file | postgres:// URL> <sample|query> <sample id | report file>`.
 * Does what the jobs getMatchesForSample / getMatchesForSmdaReport do (open the store as an executor
 * thread does, read a snapshot, match, write the report text) and prints one JSON line: times, the
 * matcher's work counts, peak RSS (of this process: PostgreSQL's server processes are not in it).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { runMatch, storedSample, type MatchRun } from '../src/matching/match-run.js';
import { querySubject } from '../src/matching/query-subject.js';
import { stringifyReport } from '../src/matching/report.js';
import { DEFAULT_MATCHING_BUDGET, DEFAULT_MATCHING_PARAMETERS } from '../src/matching/types.js';
import { prepareSample } from '../src/samples/prepare-sample.js';
import { openStorage } from '../src/storage/open-storage.js';
import { isPostgresUrl } from '../src/storage/postgres/connection.js';

const [location, kind, argument, maxPairs] = process.argv.slice(2) as [string, 'sample' | 'query', string, string | undefined];
const storage = await openStorage(isPostgresUrl(location) ? { kind: 'postgres', url: location } : { kind: 'sqlite', path: location }, { onEventLoop: false });
const budget = { ...DEFAULT_MATCHING_BUDGET, maxPairs: maxPairs ? Number(maxPairs) : DEFAULT_MATCHING_BUDGET.maxPairs };

const start = performance.now();
const cpu = process.cpuUsage();
const { text, stats } = await storage.samples.snapshot(async (samples) => {
  let run: MatchRun;
  if (kind === 'sample') {
    const id = Number(argument);
    const ownSample = await storedSample(samples, id);
    const subject = { ownSampleId: id, ownFamilyId: ownSample.familyId, ownFunctions: await samples.matchableFunctions(id) };
    run = { type: 'matcher_sample', label: `MatcherSample(${id})`, ownSample, subject };
  } else {
    const { ownSample, subject } = querySubject(prepareSample(readFileSync(argument, 'utf8'), { username: 'bench', labelTimestamp: '' }));
    run = { type: 'matcher_query', label: 'MatcherQuery(bench)', ownSample, subject };
  }
  const { report, stats } = await runMatch(samples, run, DEFAULT_MATCHING_PARAMETERS, () => {}, budget);
  return { text: stringifyReport(report), stats };
});
const wallMs = performance.now() - start;
const used = process.cpuUsage(cpu);
const report = JSON.parse(text);
console.log(
  JSON.stringify({
    wall_ms: wallMs,
    cpu_ms: (used.user + used.system) / 1000,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    report_mb: Buffer.byteLength(text) / 2 ** 20,
    own_functions: report.matches.functions.length,
    match_tuples: report.matches.functions.reduce((n: number, fn: { matches: unknown[] }) => n + fn.matches.length, 0),
    matched_samples: report.matches.samples.length,
    functions_with_a_100_match: report.matches.functions.filter((fn: { matches: number[][] }) => fn.matches.some((t) => t[3] === 100)).length,
    ...stats,
  }),
);
await storage.close();
