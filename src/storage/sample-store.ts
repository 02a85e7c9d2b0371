import type {
  CollectionStatus,
  FamilyRecord,
  FunctionRecord,
  NewSample,
  PicBlockHashMatch,
  PicHashMatch,
  SampleRecord,
} from '../samples/types.js';

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
}
