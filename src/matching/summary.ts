import type { SampleRecord } from '../samples/types.js';
import { IS_LIBRARY_FLAG, IS_MINHASH_FLAG, IS_PICHASH_FLAG, type MatchableFunction, type MatchTable } from './types.js';

/**
 * The summaries of a match table (reference 6.6): aggregation counts, the function list and one
 * summary per matched foreign sample. Sums are accumulated in own-entry order, as MCRIT does, so
 * that the floating-point results are bit-identical.
 */

/** Functions below this many instructions do not count as matchable code. */
const MATCHABLE_MIN_INSTRUCTIONS = 10;

export type MatchTuple = [familyId: number, sampleId: number, functionId: number, score: number, flags: number];

export interface Aggregation {
  num_own_functions_matched: number;
  num_foreign_functions_matched: number;
  num_own_functions_matched_as_library: number;
  num_self_matches: number;
  bytes_matched: number;
}

export interface FunctionMatches {
  num_bytes: number;
  num_instructions: number;
  offset: bigint;
  matches: MatchTuple[];
  fid: number;
}

const BYTE_KEYS = ['unweighted', 'score_weighted', 'frequency_weighted', 'nonlib_unweighted', 'nonlib_score_weighted', 'nonlib_frequency_weighted'] as const;
export type ByteKey = (typeof BYTE_KEYS)[number];

export interface SampleSummary {
  family: string;
  family_id: number;
  version: string;
  bitness: number;
  sha256: string;
  filename: string;
  sample_id: number;
  num_bytes: number;
  is_library: boolean;
  num_functions: number | null;
  matched: {
    functions: { minhashes: number; pichashes: number; combined: number; library: number };
    bytes: Record<ByteKey, number>;
    percent: Record<ByteKey, number>;
  };
}

/** Which foreign samples are libraries. */
export type LibraryTest = (sampleId: number) => boolean;

export function aggregate(table: MatchTable, own: readonly MatchableFunction[], ownSampleId: number, isLibrary: LibraryTest): Aggregation {
  const foreign = new Set<number>();
  const selfMatched = new Set<number>();
  let ownMatched = 0;
  let asLibrary = 0;
  let bytes = 0;
  for (const [ownId, row] of table) {
    for (const [foreignId, match] of row) {
      if (match.foreignSampleId === ownSampleId) selfMatched.add(ownId).add(foreignId);
    }
  }
  for (const fn of own) {
    const row = table.get(fn.id);
    if (row === undefined) continue;
    let matched = false;
    let library = false;
    for (const [foreignId, match] of row) {
      if (match.foreignSampleId === ownSampleId) continue;
      matched = true;
      foreign.add(foreignId);
      library ||= isLibrary(match.foreignSampleId);
    }
    if (matched) {
      ownMatched++;
      bytes += fn.binweight;
    }
    if (library) asLibrary++;
  }
  return {
    num_own_functions_matched: ownMatched,
    num_foreign_functions_matched: foreign.size,
    num_own_functions_matched_as_library: asLibrary,
    num_self_matches: selfMatched.size,
    bytes_matched: bytes,
  };
}

const compareTuples = (a: MatchTuple, b: MatchTuple): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

/** One entry per own function, unmatched ones included; self matches are not listed. */
export function functionMatches(table: MatchTable, own: readonly MatchableFunction[], ownSampleId: number, isLibrary: LibraryTest): FunctionMatches[] {
  return own.map((fn) => {
    const matches: MatchTuple[] = [];
    for (const [foreignId, match] of table.get(fn.id) ?? []) {
      if (match.foreignSampleId === ownSampleId) continue;
      const flags =
        (match.isPicHash ? IS_PICHASH_FLAG : 0) | (match.isMinHash ? IS_MINHASH_FLAG : 0) | (isLibrary(match.foreignSampleId) ? IS_LIBRARY_FLAG : 0);
      matches.push([match.foreignFamilyId, match.foreignSampleId, foreignId, match.score, flags]);
    }
    matches.sort(compareTuples);
    return { num_bytes: fn.binweight, num_instructions: fn.numInstructions, offset: fn.offset, matches, fid: fn.id };
  });
}

interface Recorded {
  pic: number | null;
  min: number | null;
  library: boolean;
}

/** `1` for an own function matching fewer than 3 families, else `1 + floor(log2(families))`. */
function familyAdjustment(tuples: readonly MatchTuple[]): number {
  const families = new Set(tuples.map((tuple) => tuple[0])).size;
  return families < 3 ? 1 : 1 + Math.floor(Math.log2(families));
}

const zeroBytes = (): Record<ByteKey, number> => Object.fromEntries(BYTE_KEYS.map((key) => [key, 0])) as Record<ByteKey, number>;

/** One summary per foreign sample with a listed match, in the order they are first met. */
export function sampleSummaries(functions: readonly FunctionMatches[], own: readonly MatchableFunction[], foreignSamples: ReadonlyMap<number, SampleRecord>): SampleSummary[] {
  const matchable = own.reduce((sum, fn) => (fn.numInstructions >= MATCHABLE_MIN_INSTRUCTIONS ? sum + fn.binweight : sum), 0);
  const libraryBytes = functions.reduce((sum, fn) => (fn.matches.some((t) => t[4] & IS_LIBRARY_FLAG) ? sum + fn.num_bytes : sum), 0);
  const nonlibMatchable = matchable - libraryBytes;
  const summaries = new Map<number, SampleSummary>();
  for (const fn of functions) {
    if (fn.matches.length === 0) continue;
    const library = fn.matches.some((tuple) => tuple[4] & IS_LIBRARY_FLAG);
    const adjustment = familyAdjustment(fn.matches);
    const recorded = new Map<number, Recorded>();
    for (const [, sampleId, , score, flags] of fn.matches) {
      let entry = recorded.get(sampleId);
      if (entry === undefined) recorded.set(sampleId, (entry = { pic: null, min: null, library }));
      if (flags & IS_PICHASH_FLAG) entry.pic = Math.max(entry.pic ?? score, score);
      if (flags & IS_MINHASH_FLAG) entry.min = Math.max(entry.min ?? score, score);
    }
    for (const [sampleId, entry] of recorded) {
      let summary = summaries.get(sampleId);
      if (summary === undefined) summaries.set(sampleId, (summary = emptySummary(foreignSamples.get(sampleId)!)));
      const counts = summary.matched.functions;
      counts.combined++;
      if (entry.library) counts.library++;
      if (entry.min !== null) counts.minhashes++;
      if (entry.pic !== null) counts.pichashes++;
      const best = Math.max(entry.pic ?? 0, entry.min ?? 0);
      const bytes = summary.matched.bytes;
      const weighted = (fn.num_bytes * best) / 100;
      bytes.unweighted += fn.num_bytes;
      bytes.score_weighted += weighted;
      bytes.frequency_weighted += weighted / adjustment;
      if (!entry.library) {
        bytes.nonlib_unweighted += fn.num_bytes;
        bytes.nonlib_score_weighted += weighted;
        bytes.nonlib_frequency_weighted += weighted / adjustment;
      }
    }
  }
  for (const summary of summaries.values()) {
    const { bytes, percent } = summary.matched;
    for (const key of BYTE_KEYS) {
      const base = key.startsWith('nonlib_') ? nonlibMatchable : matchable;
      percent[key] = base > 0 ? (100 * bytes[key]) / base : 0;
    }
  }
  return [...summaries.values()];
}

function emptySummary(sample: SampleRecord): SampleSummary {
  return {
    family: sample.family,
    family_id: sample.familyId,
    version: sample.version,
    bitness: sample.bitness,
    sha256: sample.sha256,
    filename: sample.filename,
    sample_id: sample.id,
    num_bytes: sample.binweight,
    is_library: sample.isLibrary,
    num_functions: sample.statistics['num_functions'] ?? null,
    matched: { functions: { minhashes: 0, pichashes: 0, combined: 0, library: 0 }, bytes: zeroBytes(), percent: zeroBytes() },
  };
}
