/**
 * Intel (x86/x64) escaping, SMDA 4.4.4's IntelInstructionEscaper (reference 2.2): mnemonic groups and
 * operand classes. The escaped binary is in `intel-binary.ts`.
 */
import { isPythonInt, pythonStrip } from '../../smda/python-text.js';
import type { SmdaInstruction } from '../../smda/types.js';
import { groupsByMnemonic, mnemonicWithoutPrefixes, type InstructionEscaper, type MnemonicGroup } from './instruction-escaper.js';
import { intelEscapedBinary } from './intel-binary.js';
import {
  INTEL_ARITHMETIC_LOGIC,
  INTEL_CONTROL_FLOW,
  INTEL_CONTROL_REGISTERS,
  INTEL_CRYPTO,
  INTEL_EXTENDED_REGISTERS,
  INTEL_FLOAT,
  INTEL_MEMORY,
  INTEL_NOP,
  INTEL_PRIVILEGED,
  INTEL_REGISTERS,
  INTEL_SEGMENT_REGISTERS,
  INTEL_STACK,
  INTEL_VM,
  INTEL_XMM,
} from './intel-tables.js';

/** Tables in lookup order (none overlap in SMDA 4.4.4). */
const GROUP_BY_MNEMONIC = groupsByMnemonic([
  ['A', INTEL_ARITHMETIC_LOGIC],
  ['C', INTEL_CONTROL_FLOW],
  ['M', INTEL_MEMORY],
  ['S', INTEL_STACK],
  ['P', INTEL_PRIVILEGED],
  ['Y', INTEL_CRYPTO],
  ['F', INTEL_FLOAT],
  ['X', INTEL_XMM],
  ['V', INTEL_VM],
  ['N', INTEL_NOP],
]);

const POINTER_PREFIXES = ['xmmword ptr', 'ymmword ptr', 'zmmword ptr', 'xword ptr', 'tbyte ptr', 'qword ptr', 'dword ptr', 'word ptr', 'byte ptr', 'ptr', '['];
const ZMM_REGISTER = /zmm[0-9]+/;

function registerClass(field: string): string | undefined {
  if (INTEL_REGISTERS.has(field)) return 'REG';
  if (INTEL_SEGMENT_REGISTERS.has(field)) return 'SREG';
  if (INTEL_EXTENDED_REGISTERS.has(field) || ZMM_REGISTER.test(field)) return 'XREG';
  if (INTEL_CONTROL_REGISTERS.has(field)) return 'CREG';
  if (field.startsWith('st')) return 'FREG';
  if (field.startsWith('mm')) return 'MMREG';
  return undefined;
}

/** One comma-separated operand; each later rule overrides an earlier one (`dword ptr fs:[0x30]` is CONST). */
function escapeIntelOperand(operand: string): string {
  const field = pythonStrip(operand);
  if (field === '') return '';
  let escaped = registerClass(field) ?? field;
  if (POINTER_PREFIXES.some((prefix) => field.startsWith(prefix))) escaped = 'PTR';
  if (isPythonInt(field, 10) || isPythonInt(field, 16) || field.includes(':')) escaped = 'CONST';
  return escaped;
}

export const INTEL_ESCAPER: InstructionEscaper = {
  mnemonicGroup(instruction: SmdaInstruction): MnemonicGroup {
    return GROUP_BY_MNEMONIC.get(mnemonicWithoutPrefixes(instruction.mnemonic)) ?? 'U';
  },
  escapedOperands(instruction: SmdaInstruction): string {
    return instruction.operands.split(',').map(escapeIntelOperand).join(', ');
  },
  escapedBinary: intelEscapedBinary,
};
