/**
 * Python `mmh3.hash(text, seed) & 0xFFFFFFFF`: MurmurHash3 x86 32-bit of the UTF-8 bytes, unsigned
 * (reference 4.3). MCRIT hashes every shingle and band string with seed 0.
 */
import murmurHash3 from 'murmurhash3js-revisited';

const encoder = new TextEncoder();
/** Reused for every call; UTF-8 needs at most 3 bytes per UTF-16 code unit. */
let utf8 = new Uint8Array(1024);

export function mmh3(text: string, seed = 0): number {
  if (text.length * 3 > utf8.length) utf8 = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, utf8);
  return murmurHash3.x86.hash32(utf8.subarray(0, written), seed);
}
