/**
 * Matching: which functions of the collection share code with the functions of one sample.
 *
 * Glossary
 * - own function: a function of the sample being matched (the reference sample). For a query it is
 *   a function of a report that is not stored: negative ids, sample id -1, family 0.
 * - foreign function: any other function; a match to a function of the own sample is a self match
 *   (counted, never listed).
 * - candidate: a stored function sharing at least `bandMatchesRequired` band hashes with an own
 *   function; candidates are scored by their MinHash signatures.
 * - score: `100 * equal slots / 64`; a MinHash match needs a score above `minhashThreshold`.
 * - PicHash match: an own and a foreign function with the same PicHash (score 100).
 * - match: (own function, foreign function) with its score and how it was found (MinHash, PicHash or
 *   both); reported as the tuple `[family_id, sample_id, function_id, score, flags]`.
 * - flags: 1 = MinHash, 2 = PicHash, 4 = the foreign sample is a library.
 * - pair budget: how many (own, candidate) pairs are held at once; bounds memory, not results.
 * The rules are MCRIT 1.6.2's (reference mcrit-algorithms.md, section 6); references below are to it.
 */

export const IS_MINHASH_FLAG = 1;
export const IS_PICHASH_FLAG = 2;
export const IS_LIBRARY_FLAG = 4;

/** A function as matching needs it (own or stored). */
export interface MatchableFunction {
  id: number;
  sampleId: number;
  familyId: number;
  offset: bigint;
  numInstructions: number;
  /** Code bytes (`num_bytes` in reports). */
  binweight: number;
  picHash: bigint | null;
  /** 64 bytes, or null when the function is too small to be hashed. */
  signature: Uint8Array | null;
}

/** Signatures of stored functions, dense: row i is function `ids[i]`, bytes `[64 i, 64 i + 64)`. */
export interface SignatureRows {
  ids: Int32Array;
  sampleIds: Int32Array;
  familyIds: Int32Array;
  signatures: Uint8Array;
}

/** The per-job parameters (MCRIT's names in the API: minhash_score/minhash_threshold, pichash_size, band_matches_required). */
export interface MatchingParameters {
  /** A MinHash match needs a score strictly above this (0-100). MCRIT 1.6.2 ignores the per-job value; we honour it. */
  minhashThreshold: number;
  /** PicHash matches need an own function of at least this many instructions. */
  picHashSize: number;
  /** Candidates share at least this many band hashes; 0 disables MinHash matching. */
  bandMatchesRequired: number;
}

export const DEFAULT_MATCHING_PARAMETERS: MatchingParameters = { minhashThreshold: 50, picHashSize: 10, bandMatchesRequired: 2 };

/** How much work is held at once (results do not depend on it). */
export interface MatchingBudget {
  /** Candidate pairs per batch. */
  maxPairs: number;
  /** Own functions per batch. */
  maxFunctions: number;
}

export const DEFAULT_MATCHING_BUDGET: MatchingBudget = { maxPairs: 2_000_000, maxFunctions: 10_000 };

/** A match of one own function to one foreign function. */
export interface Match {
  foreignFamilyId: number;
  foreignSampleId: number;
  score: number;
  isPicHash: boolean;
  isMinHash: boolean;
}

/** own function id → foreign function id → match (the foreign function determines its sample). */
export type MatchTable = Map<number, Map<number, Match>>;

export function setMatch(table: MatchTable, ownId: number, foreignId: number, match: Match): void {
  let row = table.get(ownId);
  if (row === undefined) table.set(ownId, (row = new Map()));
  row.set(foreignId, match);
}
