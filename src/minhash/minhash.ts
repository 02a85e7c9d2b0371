/**
 * The MinHash signature of a function, MCRIT's segmented strategy with default configuration
 * (reference 4.2–4.9): 64 one-byte slots, 0–15 from FuzzyStatPairShingler, 16–63 from
 * EscapedBlockShingler.
 */
import type { SmdaArchitecture, SmdaFunction } from '../smda/types.js';
import { BoundedCache } from './bounded-cache.js';
import { EscapedInstructionCache } from './escaping/escaped-instruction-cache.js';
import { escaperFor } from './escaping/escaper-for.js';
import { mmh3 } from './mmh3.js';
import { PythonRandom } from './python-random.js';
import { escapedBlockShingles } from './shingling/escaped-block-shingler.js';
import { fuzzyStatFeatures, fuzzyStatPairShingles } from './shingling/fuzzy-stat-pair-shingler.js';
import type { HashingPath } from './types.js';

/** `MINHASH_SIGNATURE_LENGTH`. */
export const SIGNATURE_LENGTH = 64;
/** `MINHASH_FN_MIN_INS`: functions with more instructions than this get a signature. */
const MIN_INSTRUCTIONS = 10;
/** `MINHASH_SEED`. */
const MINHASH_SEED = 0xdeadbeef;
/**
 * Slots `[0, 16)` belong to FuzzyStatPairShingler (weight 1 of 4), the rest to EscapedBlockShingler
 * (weight 3): shinglers by ascending weight, each `weight / total * 64` slots.
 */
const FUZZY_STAT_PAIR_SLOTS = 16;

/** Per slot, the value its shingle hashes are XORed with: 64 × `randint(0, 2^32 - 1)` after `seed(0xDEADBEEF)`. */
export const XOR_SEEDS: Uint32Array = (() => {
  const random = new PythonRandom(MINHASH_SEED);
  return Uint32Array.from({ length: SIGNATURE_LENGTH }, () => random.randint(0, 0xffffffff));
})();

export function numInstructions(fn: SmdaFunction): number {
  let count = 0;
  for (const block of fn.blocks) count += block.instructions.length;
  return count;
}

export function isMinHashable(fn: SmdaFunction): boolean {
  return numInstructions(fn) > MIN_INSTRUCTIONS;
}

/** Shingles and escaped instructions repeat a lot across functions: their hashes and texts are cached. */
const CACHE_CAPACITY = 1 << 16;
const shingleHashes = new BoundedCache<number>(CACHE_CAPACITY);
const escapedInstructions: Readonly<Record<SmdaArchitecture, EscapedInstructionCache>> = {
  intel: new EscapedInstructionCache(escaperFor('intel'), CACHE_CAPACITY),
  aarch64: new EscapedInstructionCache(escaperFor('aarch64'), CACHE_CAPACITY),
  cil: new EscapedInstructionCache(escaperFor('cil'), CACHE_CAPACITY),
};

function hashAll(shingles: readonly string[]): Uint32Array {
  const hashes = new Uint32Array(shingles.length);
  for (let i = 0; i < shingles.length; i++) hashes[i] = shingleHashes.get(shingles[i]!, mmh3);
  return hashes;
}

/** Slot `i` of `[from, to)`: the low byte of min(hash XOR seed_i) over `hashes`, unsigned. */
function fillSlots(signature: Uint8Array, from: number, to: number, hashes: Uint32Array): void {
  for (let slot = from; slot < to; slot++) {
    const seed = XOR_SEEDS[slot]!;
    let minimum = 0xffffffff;
    for (let i = 0; i < hashes.length; i++) {
      const value = (hashes[i]! ^ seed) >>> 0;
      if (value < minimum) minimum = value;
    }
    signature[slot] = minimum & 0xff;
  }
}

/** The escaped instructions of each block (`"M REG, PTR"`), what both shinglers read. */
export function escapedBlocks(fn: SmdaFunction, architecture: SmdaArchitecture): string[][] {
  const cache = escapedInstructions[architecture];
  return fn.blocks.map((block) => block.instructions.map((instruction) => cache.get(instruction)));
}

/** The shingles of each shingler. */
export interface FunctionShingles {
  fuzzyStatPair: string[];
  escapedBlock: string[];
}

export function functionShingles(fn: SmdaFunction, architecture: SmdaArchitecture, path: HashingPath = 'worker'): FunctionShingles {
  const blocks = escapedBlocks(fn, architecture);
  return {
    fuzzyStatPair: fuzzyStatPairShingles(fuzzyStatFeatures(fn, blocks, architecture, path)),
    escapedBlock: escapedBlockShingles(blocks),
  };
}

/** The 64-byte signature from the shingles of a function. */
export function segmentedSignature(shingles: FunctionShingles): Uint8Array {
  const signature = new Uint8Array(SIGNATURE_LENGTH);
  fillSlots(signature, 0, FUZZY_STAT_PAIR_SLOTS, hashAll(shingles.fuzzyStatPair));
  fillSlots(signature, FUZZY_STAT_PAIR_SLOTS, SIGNATURE_LENGTH, hashAll(shingles.escapedBlock));
  return signature;
}

/** The 64-byte signature of a minhashable function (check `isMinHashable` first). */
export function minhashSignature(fn: SmdaFunction, architecture: SmdaArchitecture, path: HashingPath = 'worker'): Uint8Array {
  return segmentedSignature(functionShingles(fn, architecture, path));
}

/** FunctionEntry `minhash`: lowercase hex, `""` for no signature. */
export function signatureHex(signature: Uint8Array | null): string {
  return signature === null ? '' : Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('hex');
}
