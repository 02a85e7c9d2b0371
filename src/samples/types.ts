import type { PicBlockHash } from '../minhash/types.js';

/**
 * The collection: families, samples and their functions, as MCRIT stores them.
 *
 * Glossary
 * - family: a named group of samples (malware family, library). Family 0 is the unnamed family `""`.
 * - sample: one binary, known by its sha256, stored with the metadata of its SMDA report.
 * - function: one function of a sample, with its MinHash signature (64 bytes, or none when it is
 *   too small), PicHash, PicBlockHashes and its code (`xcfg`, the report's function object).
 * - label: a name given to a function (from the report's function name, or by a user).
 * - band index: (band number, band hash) → functions; two functions sharing bands are candidates.
 * Ids are integers from 0 in insertion order (families from 1: 0 is reserved), never reused.
 * Addresses and PicHashes are unsigned 64-bit values, kept as bigint.
 */

export interface FamilyRecord {
  id: number;
  name: string;
  numSamples: number;
  numFunctions: number;
  numLibrarySamples: number;
}

export interface SampleRecord {
  id: number;
  sha256: string;
  familyId: number;
  family: string;
  architecture: string;
  baseAddr: bigint;
  binarySize: bigint;
  binweight: number;
  bitness: number;
  component: string;
  filename: string;
  isLibrary: boolean;
  smdaVersion: string;
  /** The report's statistics, with SMDA's keys (`num_functions`, ...). */
  statistics: Record<string, number | null>;
  /** As in the report: YYYY-MM-DDTHH-MM-SS. */
  timestamp: string;
  version: string;
  numFunctions: number;
}

export interface FunctionLabel {
  label: string;
  username: string;
  /** UTC, YYYY-MM-DDTHH:MM:SS */
  timestamp: string;
}

export interface FunctionRecord {
  id: number;
  sampleId: number;
  familyId: number;
  offset: bigint;
  functionName: string;
  architecture: string;
  numInstructions: number;
  numBlocks: number;
  binweight: number;
  picHash: bigint | null;
  minhash: Uint8Array | null;
  picBlockHashes: PicBlockHash[];
  labels: FunctionLabel[];
}

/** A function about to be stored: everything but the ids, plus its code, compressed. */
export interface NewFunction extends Omit<FunctionRecord, 'id' | 'sampleId' | 'familyId'> {
  bandHashes: number[] | null;
  /**
   * The report's function object, with the PicHash in force, as lossless JSON text deflated (raw
   * deflate, level 1). Compressed by the job before the store's write transaction (see prepareSample).
   */
  xcfgDeflated: Uint8Array;
}

/** A sample about to be stored. */
export interface NewSample extends Omit<SampleRecord, 'id' | 'familyId' | 'numFunctions'> {
  functions: NewFunction[];
}

export interface CollectionStatus {
  numFamilies: number;
  numSamples: number;
  numFunctions: number;
  numPicHashes: number;
  /** Entries of the band index (functions with a signature × bands). */
  numBandEntries: number;
}

/** [family_id, sample_id, function_id] */
export type PicHashMatch = [number, number, number];
/** [family_id, sample_id, function_id, block offset] */
export type PicBlockHashMatch = [number, number, number, bigint];

/** Changes to a sample's metadata; absent fields stay as they are. */
export interface SampleChanges {
  /** Files the sample under the family of this name (created when new; `""` is family 0). */
  family?: string;
  version?: string;
  component?: string;
  isLibrary?: boolean;
}

/** Changes to a family; absent fields stay as they are. */
export interface FamilyChanges {
  /** Renaming to the name of another family merges into it (see `SampleStore.modifyFamily`). */
  name?: string;
  /** Sets the flag of every sample of the family. */
  isLibrary?: boolean;
}

/** What a deletion removed. */
export interface DeletionCounts {
  numSamples: number;
  numFunctions: number;
  numBandEntries: number;
}

export interface DeletedFamily extends DeletionCounts {
  name: string;
  /** Samples moved to family 0 instead of deleted (`keep_samples`). */
  numSamplesMoved: number;
}

export interface BandIndexRebuild {
  /** Functions with a signature, now indexed. */
  numFunctions: number;
  numBandEntries: number;
}
