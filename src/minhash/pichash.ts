/**
 * PicHash (SMDA, reference 3.1) and PicBlockHash (picblocks, reference 3.2): SHA-256 of escaped
 * instruction bytes as text, the first 8 digest bytes read as an unsigned 64-bit little-endian integer.
 */
import { hash as digest } from 'node:crypto';
import type { SmdaBlock, SmdaFunction } from '../smda/types.js';
import type { ImageBounds, InstructionEscaper } from './escaping/instruction-escaper.js';
import { INTEL_ESCAPER } from './escaping/intel-escaper.js';
import type { PicBlockHash } from './types.js';

/** picblocks' `min_block_size`: smaller blocks get no PicBlockHash. */
const MIN_BLOCK_INSTRUCTIONS = 4;

/** SHA-256 of the escaped text (ASCII: hex digits and `?`), first 8 bytes little-endian. */
function sha256Prefix64(text: string): bigint {
  return digest('sha256', text, 'buffer').readBigUInt64LE(0);
}

function escapedBlock(block: SmdaBlock, escaper: InstructionEscaper, image: ImageBounds): string {
  let escaped = '';
  for (const instruction of block.instructions) escaped += escaper.escapedBinary(instruction, image);
  return escaped;
}

/** The PicHash of a function over all its blocks, with its architecture's escaper. */
export function picHash(fn: Pick<SmdaFunction, 'blocks'>, escaper: InstructionEscaper, image: ImageBounds): bigint {
  let escaped = '';
  for (const block of fn.blocks) escaped += escapedBlock(block, escaper, image);
  return sha256Prefix64(escaped);
}

/**
 * PicBlockHashes of the blocks of at least 4 instructions, escaped with the Intel escaper whatever the
 * architecture (as picblocks does; for AArch64 and CIL that hashes the raw bytes in practice).
 * Grouped by hash: distinct hashes in order of first occurrence, each hash's blocks in block order.
 */
export function picBlockHashes(fn: SmdaFunction, image: ImageBounds): PicBlockHash[] {
  const byHash = new Map<bigint, PicBlockHash[]>();
  for (const block of fn.blocks) {
    if (block.instructions.length < MIN_BLOCK_INSTRUCTIONS) continue;
    const hash = sha256Prefix64(escapedBlock(block, INTEL_ESCAPER, image));
    let size = 0;
    for (const instruction of block.instructions) size += instruction.bytes.length / 2;
    const entry = { offset: block.start, length: block.instructions.length, size, hash };
    const group = byHash.get(hash);
    if (group === undefined) byHash.set(hash, [entry]);
    else group.push(entry);
  }
  return [...byHash.values()].flat();
}
