import type {
  BandIndexRebuild,
  CollectionStatus,
  DeletedFamily,
  DeletionCounts,
  FamilyChanges,
  FamilyRecord,
  FunctionRecord,
  NewSample,
  PicBlockHashMatch,
  PicHashMatch,
  SampleChanges,
  SampleRecord,
} from '../samples/types.js';
import type { MatchableFunction, SignatureRows } from '../matching/types.js';

/** The collection side of the storage interface (the job side is `JobStore`). */
export interface SampleStore {
  /**
   * Stores a sample with its functions, band index and PicBlockHash entries, in one transaction.
   * A sample whose sha256 is already stored is not added again: it is returned, with `created` false.
   */
  addSample(sample: NewSample): Promise<{ sample: SampleRecord; created: boolean }>;
  getSample(id: number): Promise<SampleRecord | undefined>;
  getSampleBySha256(sha256: string): Promise<SampleRecord | undefined>;
  listSamples(offset: number, limit: number): Promise<SampleRecord[]>;
  getFamily(id: number): Promise<FamilyRecord | undefined>;
  listFamilies(offset: number, limit: number): Promise<FamilyRecord[]>;
  samplesOfFamily(familyId: number): Promise<SampleRecord[]>;
  functionsOfSample(sampleId: number): Promise<FunctionRecord[]>;
  getFunction(id: number): Promise<FunctionRecord | undefined>;
  /** The stored function object (`xcfg`) as lossless JSON text. */
  getFunctionXcfg(id: number): Promise<string | undefined>;
  picHashMatches(picHash: bigint): Promise<PicHashMatch[]>;
  picBlockHashMatches(hash: bigint): Promise<PicBlockHashMatch[]>;
  status(): Promise<CollectionStatus>;

  /**
   * Changes a sample's metadata (a new family name files it under that family, created if needed;
   * families left empty stay). Undefined when there is no such sample.
   */
  modifySample(id: number, changes: SampleChanges): Promise<SampleRecord | undefined>;
  /**
   * Changes a family. `isLibrary` sets the flag of each of its samples. A rename to the name of
   * another family merges: the samples move to that family and this one is deleted. Returns the
   * family that holds the samples afterwards (the other one after a merge); undefined when there is
   * no such family. Family 0 (the unnamed family) keeps its empty name: renaming it throws.
   */
  modifyFamily(id: number, changes: FamilyChanges): Promise<FamilyRecord | undefined>;
  /**
   * Deletes a sample with its functions, their band index and PicBlockHash entries and labels, in
   * one transaction (a savepoint inside `commitJob`). Undefined when there is no such sample.
   */
  deleteSample(id: number): Promise<{ sample: SampleRecord; deleted: DeletionCounts } | undefined>;
  /**
   * Deletes a family and its samples (as `deleteSample`), or with `keepSamples` moves them to
   * family 0. Undefined when there is no such family; family 0 is never deleted: it throws.
   */
  deleteFamily(id: number, keepSamples: boolean): Promise<DeletedFamily | undefined>;
  /** Rebuilds the band index from the stored signatures, in one transaction. */
  rebuildBandIndex(progress?: (fraction: number) => void): Promise<BandIndexRebuild>;

  // Reads of matching (src/matching).
  /** The functions of a sample in storage order (ascending offset), with signatures. */
  matchableFunctions(sampleId: number): Promise<MatchableFunction[]>;
  /**
   * The function ids of the band index buckets (band i, `bandHashes[i]`) for every band, concatenated:
   * a function appears once per band it shares.
   */
  bandBucketMembers(bandHashes: readonly number[]): Promise<Int32Array>;
  /** Signatures of these functions (those deleted or without one are left out), in the given order. */
  signatureRows(functionIds: readonly number[]): Promise<SignatureRows>;
  /** Runs `read` with a store whose reads all see one state of the collection, whatever is written meanwhile. */
  snapshot<T>(read: (samples: SampleStore) => Promise<T>): Promise<T>;
}
