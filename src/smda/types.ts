/**
 * The SMDA report as MCRIT reads it (SMDA 4.4.4's `SmdaReport.fromDict`; reference section 1).
 *
 * Glossary
 * - report: the JSON an SMDA disassembly produces for one binary; `parseSmdaReport` validates it.
 * - function: one entry of the report's `xcfg`, keyed by its entry address (`offset`). For CIL the
 *   offset is the method header and not a block start.
 * - block: a basic block, a run of instructions keyed by its start address. Blocks are always
 *   processed in ascending start order; instruction order is the report's.
 * - instruction: `[offset, bytes, mnemonic, operands]`: address, raw bytes as hex text in memory order,
 *   capstone-style mnemonic (Intel may carry prefixes: `rep stosd`) and operand text (`""` if none).
 * - address: an unsigned 64-bit integer, kept as a bigint (64-bit kernels live above 2^53).
 * - PicHash: a position-independent hash of a function's bytes, unsigned 64-bit (bigint). A report
 *   stores one per function; whether it is still current depends on the SMDA version that wrote
 *   the report (`storedPicHashesAreCurrent`, reference 1.7).
 * - lossless JSON: parsed JSON whose integers beyond 2^53 are bigints (`LosslessJson`).
 *
 * Field names are camelCase; the JSON key is given where it differs in more than case.
 */
import type { LosslessJson } from './lossless-json.js';

export const SMDA_ARCHITECTURES = ['intel', 'aarch64', 'cil'] as const;
/** The architectures this build hashes (SMDA also knows `dalvik`; MCRIT has no fixtures for it). */
export type SmdaArchitecture = (typeof SMDA_ARCHITECTURES)[number];

export const SMDA_BITNESSES = [16, 32, 64] as const;
export type SmdaBitness = (typeof SMDA_BITNESSES)[number];

export interface SmdaInstruction {
  offset: bigint;
  /** Hex text, two characters per byte, memory order (`"83ec0c"`). */
  bytes: string;
  mnemonic: string;
  /** JSON `op_str` position: the operand text, `""` when there are none. */
  operands: string;
}

export interface SmdaBlock {
  start: bigint;
  instructions: SmdaInstruction[];
}

/** `xcfg[<offset>].metadata`. */
export interface SmdaFunctionMetadata {
  /** Code bytes of the function (FunctionEntry.binweight, `num_bytes` in match reports). */
  binweight: number;
  characteristics: string | null;
  confidence: number | null;
  functionName: string;
  /** `pic_hash` as written in the report; only current if the report's `storedPicHashesAreCurrent`. */
  storedPicHash: bigint | null;
  nestingDepth: number | null;
  stronglyConnectedComponents: LosslessJson;
  tfidf: number | null;
}

/** `xcfg[<offset>]`. */
export interface SmdaFunction {
  offset: bigint;
  /** Ascending by start. */
  blocks: SmdaBlock[];
  /** `apirefs`: instruction address → `"dll!api"`. */
  apiRefs: Map<bigint, string>;
  /** `blockrefs`: block start → successor block starts. */
  blockRefs: Map<bigint, bigint[]>;
  /** `inrefs`: call sites referring to this function. */
  inRefs: bigint[];
  /** `outrefs`: instruction address → called function addresses. */
  outRefs: Map<bigint, bigint[]>;
  /** `stringrefs`, absent in older reports. */
  stringRefs: LosslessJson | undefined;
  isExported: boolean;
  architectureMetadata: LosslessJson | undefined;
  metadata: SmdaFunctionMetadata;
}

/** The report's `metadata`; absent keys are null (binweight 0), as SMDA's defaults. */
export interface SmdaReportMetadata {
  /** Total code bytes of all functions (SampleEntry.binweight). */
  binweight: number;
  component: string | null;
  /** Family name MCRIT files the sample under; `""` is the reserved family 0. */
  family: string | null;
  filename: string | null;
  isLibrary: boolean | null;
  isBuffer: boolean | null;
  version: string | null;
}

/** The report's `statistics`, stored verbatim in the SampleEntry. */
export interface SmdaStatistics {
  numFunctions: number;
  numRecursiveFunctions: number;
  numLeafFunctions: number;
  /** null when the report lacks it. */
  numThunkFunctions: number | null;
  numBasicBlocks: number;
  numInstructions: number;
  numApiCalls: number;
  numFunctionCalls: number;
  numFailedFunctions: number;
  numFailedInstructions: number;
}

export interface SmdaReport {
  architecture: SmdaArchitecture;
  /** `base_addr`: image base, lower bound for address wildcarding. */
  baseAddr: bigint;
  binarySize: bigint;
  bitness: SmdaBitness;
  sha256: string;
  smdaVersion: string | null;
  /** Whether the functions' `storedPicHash` is what SMDA 4.4.4 would compute (reference 1.7). */
  storedPicHashesAreCurrent: boolean;
  /** `"%Y-%m-%dT%H-%M-%S"` (dashes in the time). */
  timestamp: string;
  statistics: SmdaStatistics;
  metadata: SmdaReportMetadata;
  /** Ascending by offset (SMDA's `getFunctions()`, the order MCRIT numbers them in). */
  functions: SmdaFunction[];
}
