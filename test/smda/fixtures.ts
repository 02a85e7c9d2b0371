/**
 * MCRIT's test reports and the golden values MCRIT 1.6.2 / SMDA 4.4.4 computed for them, read from
 * the shared fixture folder at test time (`MCRIT_FIXTURES` overrides its location).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSmdaReport } from '../../src/smda/parse-report.js';
import type { SmdaFunction, SmdaReport } from '../../src/smda/types.js';

export const FIXTURES_DIR = process.env['MCRIT_FIXTURES'] ?? '/work/shared/fixtures';
const REPORTS_DIR = join(FIXTURES_DIR, 'mcrit-tests');

/** Report names without `.smda`, sorted. */
export const FIXTURE_REPORTS: readonly string[] = readdirSync(REPORTS_DIR)
  .filter((file) => file.endsWith('.smda'))
  .map((file) => file.slice(0, -'.smda'.length))
  .sort();

export function fixtureText(name: string): string {
  return readFileSync(join(REPORTS_DIR, `${name}.smda`), 'utf8');
}

const parsed = new Map<string, SmdaReport>();

/** The parsed report (parsed once per test process). */
export function fixtureReport(name: string): SmdaReport {
  let report = parsed.get(name);
  if (report === undefined) {
    report = parseSmdaReport(fixtureText(name));
    parsed.set(name, report);
  }
  return report;
}

export function functionAt(report: SmdaReport, offset: bigint | number): SmdaFunction {
  const fn = report.functions.find((candidate) => candidate.offset === BigInt(offset));
  if (fn === undefined) throw new Error(`no function at 0x${offset.toString(16)}`);
  return fn;
}

/** One function of `golden/<report>.golden.json` (see the fixtures README). */
export interface GoldenFunction {
  offset: number;
  function_id: number;
  num_instructions: number;
  num_blocks: number;
  binweight: number;
  /** Unsigned 64-bit, decimal. */
  pichash: string | null;
  /** 128 hex digits, `""` when the function has no MinHash. */
  minhash: string;
  /** Band number (decimal string) → unsigned 32-bit hash. */
  band_hashes: Record<string, number>;
  picblockhashes: { offset: number; length: number; size: number; hash: string }[];
}

export function goldenFunctions(name: string): GoldenFunction[] {
  const golden = JSON.parse(readFileSync(join(FIXTURES_DIR, 'golden', `${name}.golden.json`), 'utf8')) as { functions: GoldenFunction[] };
  return golden.functions;
}

/** A MCRIT matching report of `golden/matching_*.golden.json`, as far as the hashing tests read it. */
export interface GoldenMatchingCollection {
  /** Reports in insertion order; function ids were assigned in this order, from 0. */
  order: string[];
  reports: Record<string, { matches: { functions: { fid: number; offset: number; matches: [number, number, number, number, number][] }[] } }>;
}

export function goldenMatching(architecture: 'intel' | 'aarch64' | 'cil'): GoldenMatchingCollection {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'golden', `matching_${architecture}.golden.json`), 'utf8')) as GoldenMatchingCollection;
}
