/**
 * `hashFunction`: everything MCRIT 1.6.2 stores about a function's code, from one function of a
 * parsed SMDA report: MinHash signature and band hashes (worker path), PicHash (the report's, or
 * recomputed as SMDA 4.4.4 does on load) and PicBlockHashes.
 */
import type { SmdaFunction, SmdaReport } from '../smda/types.js';
import { bandHashes } from './bands.js';
import { escaperFor } from './escaping/escaper-for.js';
import type { ImageBounds } from './escaping/instruction-escaper.js';
import { isMinHashable, minhashSignature, numInstructions } from './minhash.js';
import { picBlockHashes, picHash } from './pichash.js';
import type { FunctionHashes, HashingPath } from './types.js';

/** What of the report hashing depends on; a parsed `SmdaReport` is one. */
export type HashedReport = Pick<SmdaReport, 'architecture' | 'baseAddr' | 'binarySize' | 'bitness' | 'storedPicHashesAreCurrent'>;

export interface HashFunctionOptions {
  /** `worker` (default) for what MCRIT stores; `report` for single-function queries (reference 1.8). */
  path?: HashingPath;
}

export function imageBounds(report: HashedReport): ImageBounds {
  return { lower: report.baseAddr, upper: report.baseAddr + report.binarySize, bitness: report.bitness };
}

export function hashFunction(report: HashedReport, fn: SmdaFunction, options: HashFunctionOptions = {}): FunctionHashes {
  const image = imageBounds(report);
  const minhash = isMinHashable(fn) ? minhashSignature(fn, report.architecture, options.path) : null;
  return {
    offset: fn.offset,
    numBlocks: fn.blocks.length,
    numInstructions: numInstructions(fn),
    binweight: fn.metadata.binweight,
    minhash,
    bandHashes: minhash === null ? null : bandHashes(minhash),
    picHash: report.storedPicHashesAreCurrent ? fn.metadata.storedPicHash : picHash(fn, escaperFor(report.architecture), image),
    picBlockHashes: picBlockHashes(fn, image),
  };
}
