/**
 * CPython's `random.Random` (3.11/3.12): MT19937 seeded from an integer by `init_by_array`, and the
 * `getrandbits`, `randbelow`, `randint` and `shuffle` built on it (reference Appendix A). MCRIT
 * derives its 64 MinHash XOR seeds and its band projections from it.
 */

const STATE_WORDS = 624;
const SHIFT_DISTANCE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class PythonRandom {
  private readonly state = new Uint32Array(STATE_WORDS);
  private index = STATE_WORDS;

  /** `random.seed(seed)` for a non-negative or negative integer (its absolute value is used). */
  constructor(seed: number | bigint) {
    let magnitude = BigInt(seed);
    if (magnitude < 0n) magnitude = -magnitude;
    const key: number[] = [];
    do {
      key.push(Number(magnitude & 0xffffffffn));
      magnitude >>= 32n;
    } while (magnitude > 0n);
    this.initByArray(key);
  }

  private initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed;
    for (let i = 1; i < STATE_WORDS; i++) {
      const previous = mt[i - 1]!;
      mt[i] = Math.imul(1812433253, previous ^ (previous >>> 30)) + i;
    }
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.state;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(STATE_WORDS, key.length); k > 0; k--) {
      const previous = mt[i - 1]!;
      mt[i] = (mt[i]! ^ Math.imul(previous ^ (previous >>> 30), 1664525)) + key[j]! + j;
      i++;
      j++;
      if (i >= STATE_WORDS) {
        mt[0] = mt[STATE_WORDS - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = STATE_WORDS - 1; k > 0; k--) {
      const previous = mt[i - 1]!;
      mt[i] = (mt[i]! ^ Math.imul(previous ^ (previous >>> 30), 1566083941)) - i;
      i++;
      if (i >= STATE_WORDS) {
        mt[0] = mt[STATE_WORDS - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.index = STATE_WORDS;
  }

  private twist(): void {
    const mt = this.state;
    for (let i = 0; i < STATE_WORDS; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[(i + 1) % STATE_WORDS]! & LOWER_MASK);
      mt[i] = mt[(i + SHIFT_DISTANCE) % STATE_WORDS]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }

  /** The next raw 32-bit output (`genrand_uint32`). */
  nextUint32(): number {
    if (this.index >= STATE_WORDS) this.twist();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `getrandbits(bits)` for 1 ≤ bits ≤ 53; 32-bit words are assembled least significant first. */
  getrandbits(bits: number): number {
    if (bits <= 32) return this.nextUint32() >>> (32 - bits);
    let value = 0;
    let scale = 1;
    for (let remaining = bits; remaining > 0; remaining -= 32) {
      const word = remaining < 32 ? this.nextUint32() >>> (32 - remaining) : this.nextUint32();
      value += word * scale;
      scale *= 2 ** 32;
    }
    return value;
  }

  /** `_randbelow(n)`: uniform in [0, n) by rejection sampling with `n.bit_length()` bits. */
  randbelow(n: number): number {
    const bits = n.toString(2).length;
    let value = this.getrandbits(bits);
    while (value >= n) value = this.getrandbits(bits);
    return value;
  }

  /** `randint(low, high)`, both inclusive. */
  randint(low: number, high: number): number {
    return low + this.randbelow(high - low + 1);
  }

  /** `shuffle(list)` in place. */
  shuffle<T>(list: T[]): void {
    for (let i = list.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  }
}
