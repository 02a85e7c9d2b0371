/** Builds instructions for escaper tests. */
import type { SmdaInstruction } from '../../src/smda/types.js';

export function instruction(bytes: string, mnemonic: string, operands = '', offset = 0n): SmdaInstruction {
  return { offset, bytes, mnemonic, operands };
}
