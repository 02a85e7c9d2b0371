/** CIL (.NET) escaping, SMDA 4.4.4's CilInstructionEscaper (reference 2.5). */
import { isPythonInt, pythonStrip } from '../../smda/python-text.js';
import type { SmdaInstruction } from '../../smda/types.js';
import {
  CIL_ARITHMETIC_LOGIC,
  CIL_BRANCH_OPERAND,
  CIL_CONTROL_FLOW,
  CIL_FLOAT,
  CIL_MEMORY,
  CIL_NOP,
  CIL_PREFIX,
  CIL_PRIVILEGED,
  CIL_RESERVED,
  CIL_STACK,
  CIL_TOKEN_OPERAND,
} from './cil-tables.js';
import { groupsByMnemonic, mnemonicWithoutPrefixes, type InstructionEscaper, type MnemonicGroup } from './instruction-escaper.js';

/** Tables in lookup order (none overlap in SMDA 4.4.4). */
const GROUP_BY_MNEMONIC = groupsByMnemonic([
  ['A', CIL_ARITHMETIC_LOGIC],
  ['C', CIL_CONTROL_FLOW],
  ['M', CIL_MEMORY],
  ['S', CIL_STACK],
  ['N', CIL_PREFIX],
  ['P', CIL_PRIVILEGED],
  ['F', CIL_FLOAT],
  ['N', CIL_NOP],
  ['U', CIL_RESERVED],
]);

/**
 * One comma-separated operand; later rules override earlier ones. So member references
 * (`System.String::Concat`) and all-hex names (`F`) are CONST, other names and strings PTR.
 */
function escapeCilOperand(operand: string): string {
  const field = pythonStrip(operand);
  if (field === '') return '';
  let escaped = field;
  if (!field.startsWith('-') && !field.startsWith('0')) escaped = 'PTR';
  if (isPythonInt(field, 10) || isPythonInt(field, 16) || field.includes(':')) escaped = 'CONST';
  return escaped;
}

/** Opcode length in hex digits: two-byte opcodes start with fe. */
function opcodeDigits(bytes: string): number {
  return bytes.startsWith('fe') ? 4 : 2;
}

/**
 * Metadata tokens keep the opcode and the table byte (the last), branch targets keep the opcode;
 * everything else is kept.
 */
function escapedBinary(instruction: SmdaInstruction): string {
  const { bytes, mnemonic } = instruction;
  const opcode = opcodeDigits(bytes);
  if (CIL_TOKEN_OPERAND.has(mnemonic)) {
    if (bytes.length < opcode + 8) return bytes;
    return bytes.slice(0, opcode) + '?'.repeat(bytes.length - opcode - 2) + bytes.slice(-2);
  }
  if (CIL_BRANCH_OPERAND.has(mnemonic)) return bytes.slice(0, opcode) + '?'.repeat(Math.max(0, bytes.length - opcode));
  return bytes;
}

export const CIL_ESCAPER: InstructionEscaper = {
  mnemonicGroup(instruction: SmdaInstruction): MnemonicGroup {
    return GROUP_BY_MNEMONIC.get(mnemonicWithoutPrefixes(instruction.mnemonic)) ?? 'U';
  },
  escapedOperands(instruction: SmdaInstruction): string {
    return instruction.operands.split(',').map(escapeCilOperand).join(', ');
  },
  escapedBinary,
};
