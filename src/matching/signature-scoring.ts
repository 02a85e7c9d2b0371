/**
 * MinHash scores over dense signature rows (64 one-byte slots each), compared four slots at a time:
 * a pair costs 16 XORs and a few bit operations instead of 64 byte comparisons.
 */
export const SLOTS = 64;
const WORDS = SLOTS / 4;

/** A copy of `bytes` (a multiple of 64 long) as 32-bit words, for `equalSlots`. */
export function signatureWords(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(bytes.byteLength / 4);
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

/** How many of the 64 slots of row `a` of `aWords` equal those of row `b` of `bWords`. */
export function equalSlots(aWords: Uint32Array, a: number, bWords: Uint32Array, b: number): number {
  let equal = 0;
  const aStart = a * WORDS;
  const bStart = b * WORDS;
  for (let i = 0; i < WORDS; i++) {
    const x = aWords[aStart + i]! ^ bWords[bStart + i]!;
    // The high bit of each byte of `zero` is set iff that byte of x is 0 (no carries cross bytes).
    const zero = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
    equal += Math.imul((zero >>> 7) & 0x01010101, 0x01010101) >>> 24;
  }
  return equal;
}

/** The score of `equal` equal slots: exact, a multiple of 1.5625. */
export const scoreOf = (equal: number): number => (100 * equal) / SLOTS;
