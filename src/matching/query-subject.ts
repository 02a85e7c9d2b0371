import type { NewSample, SampleRecord } from '../samples/types.js';
import type { MatchSubject } from './matcher.js';
import type { MatchableFunction } from './types.js';

/** The id of the query sample; its functions get -1, -2, ... in own-entry order. */
export const QUERY_SAMPLE_ID = -1;

/** A report that is not stored, as own sample and functions of a query. */
export function querySubject(sample: NewSample): { ownSample: SampleRecord; subject: MatchSubject } {
  const ownFunctions: MatchableFunction[] = sample.functions.map((fn, i) => ({
    id: -(i + 1),
    sampleId: QUERY_SAMPLE_ID,
    familyId: 0,
    offset: fn.offset,
    numInstructions: fn.numInstructions,
    binweight: fn.binweight,
    picHash: fn.picHash,
    signature: fn.minhash,
  }));
  const ownSample: SampleRecord = { ...sample, id: QUERY_SAMPLE_ID, familyId: 0, family: '', numFunctions: sample.functions.length };
  return { ownSample, subject: { ownSampleId: QUERY_SAMPLE_ID, ownFamilyId: 0, ownFunctions } };
}
