/**
 * MCRIT's FuzzyStatPairShingler (reference 4.7): seven statistics of a function, each spread over its
 * three LogBuckets, as 28 shingles like `num_ins_C=1:10`.
 */
import { pythonIntValue, pythonStrip } from '../../smda/python-text.js';
import { SmdaReportError } from '../../smda/smda-report-error.js';
import type { SmdaArchitecture, SmdaFunction } from '../../smda/types.js';
import { mnemonicWithoutPrefixes } from '../escaping/instruction-escaper.js';
import type { HashingPath } from '../types.js';
import { words } from '../escaping/words.js';
import { logBuckets } from './log-buckets.js';

/** The statistics, named as in the shingles, in MCRIT's order. */
export interface FuzzyStatFeatures {
  /** Instructions of group C (control flow). */
  num_ins_C: number;
  /** Instructions of group S (stack). */
  num_ins_S: number;
  /** Percentage (truncated) of group A (arithmetic/logic) instructions. */
  num_ins_A_rel: number;
  /** Percentage (truncated) of group M (memory) instructions. */
  num_ins_M_rel: number;
  num_calls: number;
  /** Intel only: the constant of an early `sub esp/rsp, <c>` below 100000, else 0. */
  stack_size: number;
  max_block_size: number;
}

/** Call mnemonics SMDA counts when the report is attached; without it, `call` for every architecture. */
const REPORT_PATH_CALLS: Readonly<Record<SmdaArchitecture, ReadonlySet<string>>> = {
  intel: words('call'),
  aarch64: words('bl blr blraa blrab blraaz blrabz'),
  cil: words('call calli callvirt'),
};
const WORKER_PATH_CALLS = words('call');

const STACK_SIZE_INSTRUCTIONS = 10;
const STACK_SIZE_LIMIT = 100_000;
const STACK_POINTERS = words('esp rsp');

/** The first `sub esp/rsp, <c>` among the entry block's first 10 instructions with 0 ≤ c < 100000 (hex tried first). */
function stackSize(fn: SmdaFunction): number {
  const entry = fn.blocks.find((block) => block.start === fn.offset);
  if (entry === undefined) {
    throw new SmdaReportError(`xcfg.${fn.offset}`, `function 0x${fn.offset.toString(16)} has no block at its offset (MCRIT fails on it)`);
  }
  for (const instruction of entry.instructions.slice(0, STACK_SIZE_INSTRUCTIONS)) {
    if (instruction.mnemonic !== 'sub') continue;
    const operands = instruction.operands.split(',').map(pythonStrip);
    if (operands.length !== 2 || !STACK_POINTERS.has(operands[0]!)) continue;
    for (const value of [pythonIntValue(operands[1]!, 16), pythonIntValue(operands[1]!, 10)]) {
      if (value !== null && value >= 0 && value < STACK_SIZE_LIMIT) return value;
    }
  }
  return 0;
}

/** `escapedBlocks`: per block, its escaped instructions, each starting with its group letter. */
export function fuzzyStatFeatures(
  fn: SmdaFunction,
  escapedBlocks: readonly (readonly string[])[],
  architecture: SmdaArchitecture,
  path: HashingPath,
): FuzzyStatFeatures {
  const groupCounts = { A: 0, C: 0, M: 0, S: 0 };
  let numInstructions = 0;
  let maxBlockSize = 0;
  for (const block of escapedBlocks) {
    numInstructions += block.length;
    maxBlockSize = Math.max(maxBlockSize, block.length);
    for (const escaped of block) {
      const group = escaped[0];
      if (group === 'A' || group === 'C' || group === 'M' || group === 'S') groupCounts[group]++;
    }
  }
  const calls = path === 'report' ? REPORT_PATH_CALLS[architecture] : WORKER_PATH_CALLS;
  let numCalls = 0;
  for (const block of fn.blocks) {
    for (const instruction of block.instructions) if (calls.has(mnemonicWithoutPrefixes(instruction.mnemonic))) numCalls++;
  }
  return {
    num_ins_C: groupCounts.C,
    num_ins_S: groupCounts.S,
    num_ins_A_rel: Math.trunc((100 * groupCounts.A) / numInstructions),
    num_ins_M_rel: Math.trunc((100 * groupCounts.M) / numInstructions),
    num_calls: numCalls,
    stack_size: architecture === 'intel' ? stackSize(fn) : 0,
    max_block_size: maxBlockSize,
  };
}

/**
 * Per feature, its buckets `[b0, b1, b2]` weighted 1, 2, 1, each repetition numbered:
 * `f=1:b0`, `f=1:b1`, `f=2:b1`, `f=1:b2`.
 */
export function fuzzyStatPairShingles(features: FuzzyStatFeatures): string[] {
  const shingles: string[] = [];
  for (const [name, value] of Object.entries(features)) {
    const [low, centre, high] = logBuckets(value);
    shingles.push(`${name}=1:${low}`, `${name}=1:${centre}`, `${name}=2:${centre}`, `${name}=1:${high}`);
  }
  return shingles;
}
