/**
 * Band hashes (reference 5.1–5.4), MCRIT's default random projection: band b hashes the values of a
 * fixed set of 4 slots; 20 bands. Two functions become match candidates when they share band hashes.
 */
import { mmh3 } from './mmh3.js';
import { PythonRandom } from './python-random.js';
import { SIGNATURE_LENGTH } from './minhash.js';

/** Band number → the signature slots it hashes, in order. */
export type BandProjection = readonly (readonly number[])[];

/**
 * `STORAGE_BANDS` entries `[band size, number of bands]` in order; each band takes the first `size`
 * entries of a fresh shuffle of the slot numbers, one generator seeded once.
 */
export function randomBandProjection(bands: ReadonlyArray<readonly [size: number, count: number]>, seed: number, signatureLength: number): BandProjection {
  const random = new PythonRandom(seed);
  const projection: number[][] = [];
  for (const [size, count] of bands) {
    for (let band = 0; band < count; band++) {
      const slots = Array.from({ length: signatureLength }, (_, slot) => slot);
      random.shuffle(slots);
      projection.push(slots.slice(0, size));
    }
  }
  return projection;
}

/** `STORAGE_BANDS = {4: 20}`, `STORAGE_BAND_SEED = 0xDEADBEEF`. */
export const DEFAULT_BAND_PROJECTION = randomBandProjection([[4, 20]], 0xdeadbeef, SIGNATURE_LENGTH);

/** Per band, mmh3 of its slot values written in decimal without separators (`[120, 215, 253, 251]` → `"120215253251"`). */
export function bandHashes(signature: Uint8Array, projection: BandProjection = DEFAULT_BAND_PROJECTION): number[] {
  return projection.map((slots) => mmh3(slots.map((slot) => signature[slot]!).join('')));
}
