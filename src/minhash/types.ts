/**
 * What MCRIT 1.6.2 (default configuration, SMDA 4.4.4) computes for a function, bit-exact.
 *
 * Glossary
 * - escaping: reducing an instruction to what is position independent. Its mnemonic becomes a group
 *   letter, its operands classes (`REG`, `PTR`, `CONST`, ...), its bytes hex text with `?` for
 *   address-dependent digits (`escaping/`).
 * - shingle: a string describing a piece of a function: sorted escaped-instruction trigrams of a
 *   block (EscapedBlockShingler) or bucketed statistics (FuzzyStatPairShingler) (`shingling/`).
 * - MinHash signature: 64 slots of one byte; slot i is the low byte of the minimum over its shingler's
 *   shingle hashes (mmh3, seed 0) XORed with seed i. Slots 0–15 belong to FuzzyStatPairShingler,
 *   16–63 to EscapedBlockShingler. Only functions of more than 10 instructions have one.
 * - score: the percentage of equal slots of two signatures; above 50 is a match.
 * - band: 4 fixed slots of a signature; its hash (mmh3 of the slot values in decimal) keys the index
 *   that finds candidate matches. 20 bands, slots chosen once by a seeded shuffle.
 * - PicHash: SHA-256 of a function's escaped bytes (as text), first 8 bytes little-endian: an
 *   unsigned 64-bit bigint. PicBlockHash: the same per block of at least 4 instructions, always with
 *   the Intel escaper.
 * - worker path / report path: MCRIT stores signatures computed from a function rebuilt without its
 *   report (worker path: calls are counted as `call` mnemonics for every architecture); only
 *   single-function queries hash with the report attached (report path, reference 1.8).
 */

/** PicBlockHash of one basic block (FunctionEntry `picblockhashes` entry). */
export interface PicBlockHash {
  /** Block start address. */
  offset: bigint;
  /** Number of instructions. */
  length: number;
  /** Number of bytes. */
  size: number;
  hash: bigint;
}

/** The hash-derived fields of MCRIT's FunctionEntry, plus the band hashes its index stores. */
export interface FunctionHashes {
  offset: bigint;
  numBlocks: number;
  numInstructions: number;
  /** From the report (`metadata.binweight`), not recomputed. */
  binweight: number;
  /** 64 bytes; null when the function is too small (FunctionEntry `minhash` `""`). */
  minhash: Uint8Array | null;
  /** Band number → unsigned 32-bit hash; null when there is no signature. */
  bandHashes: number[] | null;
  /** null only when the report's PicHash is kept and was null. */
  picHash: bigint | null;
  /** Distinct hashes in order of first occurrence, each hash's blocks in block order. */
  picBlockHashes: PicBlockHash[];
}

/**
 * How the function was materialised in MCRIT (see the glossary): stored data uses `worker`. The
 * `report` path is exact for Intel and CIL; for AArch64 SMDA would classify with capstone there,
 * which this build replaces by its text classification (the reference found both to agree on the
 * fixtures).
 */
export type HashingPath = 'worker' | 'report';
