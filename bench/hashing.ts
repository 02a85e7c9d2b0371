/**
 * Hashing throughput: functions hashed per second over every function of the shared fixture reports.
 *
 *   node --import tsx bench/hashing.ts [--quick]
 *
 * 1. parse: `parseSmdaReport` of each report's JSON text (lossless integers, full validation);
 * 2. hashFunction: every function of every report, repeated until at least 2 s of work (0.3 s with
 *    --quick), per report and in total. The first round is reported apart: it runs with cold
 *    caches (escaped instructions, shingle hashes) and unoptimised code;
 * 3. cost split over the same functions, each phase timed in its own loop: escaping + shingling
 *    (minhashable functions), MinHash from the shingles, band hashes from the signature, PicHash +
 *    PicBlockHashes (every function).
 * CPU time is reported next to wall time: the machine may be shared. The fixtures are small, so the
 * caches hit more often than on a real corpus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bandHashes } from '../src/minhash/bands.js';
import { escaperFor } from '../src/minhash/escaping/escaper-for.js';
import { hashFunction, imageBounds } from '../src/minhash/hash-function.js';
import { functionShingles, isMinHashable, segmentedSignature } from '../src/minhash/minhash.js';
import { picBlockHashes, picHash } from '../src/minhash/pichash.js';
import { parseSmdaReport } from '../src/smda/parse-report.js';
import type { SmdaReport } from '../src/smda/types.js';
import { QUICK, printTable, progress, round, writeResults } from './support.js';

const startedAt = new Date();
const FIXTURES = join(process.env['MCRIT_FIXTURES'] ?? '/work/shared/fixtures', 'mcrit-tests');
const NAMES = [
  'example_report',
  'example_report_2',
  'example_report_3',
  'example_report_meta',
  'library_report',
  'crossarch_aarch64_a',
  'crossarch_aarch64_b',
  'crossarch_cil_a',
  'crossarch_cil_b',
];
const MIN_WORK_MS = QUICK ? 300 : 2000;

interface Timing {
  iterations: number;
  wallMs: number;
  cpuMs: number;
}

/** Runs `round` (which does `unitsPerRound` units) until `minMs` of wall time have passed. */
function timeRounds(round: () => void, minMs = MIN_WORK_MS): Timing {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let iterations = 0;
  do {
    round();
    iterations++;
  } while (performance.now() - start < minMs);
  const cpu = process.cpuUsage(cpuStart);
  return { iterations, wallMs: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function hashAll(report: SmdaReport): void {
  for (const fn of report.functions) hashFunction(report, fn);
}

// 1. parse
progress('parsing');
const texts = NAMES.map((name) => readFileSync(join(FIXTURES, `${name}.smda`), 'utf8'));
const reports = texts.map((text) => parseSmdaReport(text));
const totalBytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
const parsing = timeRounds(() => texts.forEach((text) => parseSmdaReport(text)), MIN_WORK_MS / 2);
const parseMbPerSecond = (totalBytes * parsing.iterations) / 1e6 / (parsing.wallMs / 1000);

// 2. hashFunction
progress('hashing');
const totalFunctions = reports.reduce((sum, report) => sum + report.functions.length, 0);
const instructionsOf = (report: SmdaReport) => report.functions.reduce((sum, fn) => sum + fn.blocks.reduce((n, block) => n + block.instructions.length, 0), 0);
const totalInstructions = reports.reduce((sum, report) => sum + instructionsOf(report), 0);
const firstStart = performance.now();
reports.forEach(hashAll);
const firstRoundMs = performance.now() - firstStart;
const perReport = reports.map((report, index) => {
  const timing = timeRounds(() => hashAll(report), MIN_WORK_MS / NAMES.length);
  const hashed = timing.iterations * report.functions.length;
  return {
    report: NAMES[index]!,
    architecture: report.architecture,
    functions: report.functions.length,
    minhashable: report.functions.filter(isMinHashable).length,
    instructions: instructionsOf(report),
    functions_per_s: round(hashed / (timing.wallMs / 1000), 0),
    functions_per_cpu_s: round(hashed / (timing.cpuMs / 1000), 0),
    us_per_function: round((timing.wallMs * 1000) / hashed, 1),
  };
});
const overall = timeRounds(() => reports.forEach(hashAll));
const overallHashed = overall.iterations * totalFunctions;

// 3. cost split
progress('cost split');
const minhashable = reports.flatMap((report) => report.functions.filter(isMinHashable).map((fn) => ({ report, fn })));
const shingles = minhashable.map(({ report, fn }) => functionShingles(fn, report.architecture));
const signatures = shingles.map((functionShingle) => segmentedSignature(functionShingle));
const phases: [string, number, () => void][] = [
  ['escaping + shingling', minhashable.length, () => minhashable.forEach(({ report, fn }) => functionShingles(fn, report.architecture))],
  ['minhash (mmh3 + minima)', minhashable.length, () => shingles.forEach((functionShingle) => segmentedSignature(functionShingle))],
  ['band hashes', minhashable.length, () => signatures.forEach((signature) => bandHashes(signature))],
  [
    'pichash + picblockhashes',
    totalFunctions,
    () =>
      reports.forEach((report) => {
        const image = imageBounds(report);
        const escaper = escaperFor(report.architecture);
        for (const fn of report.functions) {
          picHash(fn, escaper, image);
          picBlockHashes(fn, image);
        }
      }),
  ],
];
const split = phases.map(([phase, functions, run]) => {
  const timing = timeRounds(run, MIN_WORK_MS / phases.length);
  const msPerRound = timing.wallMs / timing.iterations;
  return { phase, functions, ms_per_pass: round(msPerRound, 2), us_per_function: round((msPerRound * 1000) / functions, 2) };
});
const splitTotal = split.reduce((sum, phase) => sum + phase.ms_per_pass, 0);

printTable(
  `hashFunction over ${totalFunctions} fixture functions (${round(overall.wallMs / 1000, 1)} s, ${overall.iterations} passes)`,
  ['report', 'arch', 'functions', 'minhashable', 'instructions', 'functions/s', 'functions/cpu-s', 'µs/function'],
  perReport.map((row) => [row.report, row.architecture, row.functions, row.minhashable, row.instructions, row.functions_per_s, row.functions_per_cpu_s, row.us_per_function]),
);
printTable('all reports', ['', 'value'], [
  ['functions/s (wall)', round(overallHashed / (overall.wallMs / 1000), 0)],
  ['functions/s (cpu)', round(overallHashed / (overall.cpuMs / 1000), 0)],
  ['instructions/s (wall)', round((overall.iterations * totalInstructions) / (overall.wallMs / 1000), 0)],
  ['first pass, cold (ms)', round(firstRoundMs, 1)],
  ['parse MB/s', round(parseMbPerSecond, 1)],
]);
printTable(
  'cost split (one pass over the fixtures, each phase alone)',
  ['phase', 'functions', 'ms/pass', 'µs/function', 'share %'],
  split.map((phase) => [phase.phase, phase.functions, phase.ms_per_pass, phase.us_per_function, round((100 * phase.ms_per_pass) / splitTotal, 1)]),
);

const path = writeResults(
  'hashing',
  {
    fixtures: FIXTURES,
    total_functions: totalFunctions,
    total_instructions: totalInstructions,
    overall: {
      passes: overall.iterations,
      wall_s: round(overall.wallMs / 1000, 2),
      functions_per_s: round(overallHashed / (overall.wallMs / 1000), 0),
      functions_per_cpu_s: round(overallHashed / (overall.cpuMs / 1000), 0),
      instructions_per_s: round((overall.iterations * totalInstructions) / (overall.wallMs / 1000), 0),
      first_pass_ms: round(firstRoundMs, 1),
    },
    parse: { bytes: totalBytes, mb_per_s: round(parseMbPerSecond, 1) },
    per_report: perReport,
    cost_split: split,
  },
  startedAt,
);
console.log(`\nwrote ${path}`);
