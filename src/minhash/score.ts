/** The MinHash score of two signatures (reference 4.10); MCRIT matches pairs scoring above 50. */

/** `100 * equal slots / slots`: a multiple of 1.5625 for 64-slot signatures. */
export function minhashScore(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`signatures of ${a.length} and ${b.length} slots cannot be compared`);
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return (100 * equal) / a.length;
}
