import type { PicBlockHash } from '../minhash/types.js';
import type { FamilyRecord } from '../samples/types.js';

/** Column encodings and rows both stores share. */

/** A function's PicBlockHashes as stored: JSON [[offset, length, size, hash], ...], 64-bit values as decimal strings. */
export function encodePicBlockHashes(hashes: readonly PicBlockHash[]): string {
  return JSON.stringify(hashes.map((h) => [h.offset.toString(), h.length, h.size, h.hash.toString()]));
}

export function decodePicBlockHashes(text: string): PicBlockHash[] {
  return (JSON.parse(text) as [string, number, number, string][]).map(([offset, length, size, hash]) => ({
    offset: BigInt(offset),
    length,
    size,
    hash: BigInt(hash),
  }));
}

export interface FamilyStatsRow {
  id: number;
  name: string;
  num_samples: number;
  num_functions: number;
  num_library_samples: number;
}

export function toFamily(row: FamilyStatsRow): FamilyRecord {
  return {
    id: row.id,
    name: row.name,
    numSamples: row.num_samples,
    numFunctions: row.num_functions,
    numLibrarySamples: row.num_library_samples,
  };
}
