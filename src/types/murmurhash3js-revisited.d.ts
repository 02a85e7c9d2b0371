/** The part of murmurhash3js-revisited 3.0.0 this project uses (the package ships no types). */
declare module 'murmurhash3js-revisited' {
  interface MurmurHash3 {
    x86: {
      /** MurmurHash3_x86_32 of the bytes, unsigned; undefined if `bytes` are not all 0..255. */
      hash32(bytes: ArrayLike<number>, seed?: number): number;
    };
  }
  const murmurHash3: MurmurHash3;
  export = murmurHash3;
}
