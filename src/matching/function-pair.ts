import { minhashScore } from '../minhash/score.js';
import type { FunctionRecord, SampleRecord } from '../samples/types.js';
import { IS_LIBRARY_FLAG, IS_MINHASH_FLAG, IS_PICHASH_FLAG } from './types.js';

/**
 * Two stored functions compared directly (MCRIT's getMatchFunctionVs, reference 6.8): the score, or
 * null when either has no signature; MinHash flag when the score reaches the threshold (`>=`, as
 * MCRIT does here), PicHash flag when the PicHashes are equal, library flag when B's sample is one.
 * MCRIT re-encodes these flags wrongly (PicHash+MinHash as 5); they are reported as matches are (3).
 */
export function functionPairMatch(a: FunctionRecord, b: FunctionRecord, sampleB: SampleRecord, threshold: number) {
  const score = a.minhash && b.minhash ? minhashScore(a.minhash, b.minhash) : null;
  const flags =
    (score !== null && score >= threshold ? IS_MINHASH_FLAG : 0) |
    (a.picHash !== null && a.picHash === b.picHash ? IS_PICHASH_FLAG : 0) |
    (sampleB.isLibrary ? IS_LIBRARY_FLAG : 0);
  return { fid: a.id, num_bytes: a.binweight, offset: BigInt.asIntN(64, a.offset), matches: [b.familyId, b.sampleId, b.id, score, flags] };
}
