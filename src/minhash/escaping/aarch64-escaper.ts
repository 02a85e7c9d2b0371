/**
 * AArch64 escaping, SMDA 4.4.4's AArch64InstructionEscaper (reference 2.4). Groups and operands use its
 * text classification: the capstone-based one needs the report attached to the function, which
 * MCRIT's worker path (every stored MinHash) never has.
 */
import { isPythonAutoBaseInt, isPythonFloat, pythonStrip } from '../../smda/python-text.js';
import type { SmdaInstruction } from '../../smda/types.js';
import {
  AARCH64_ARITHMETIC_LOGIC,
  AARCH64_CONTROL_FLOW,
  AARCH64_FLOAT,
  AARCH64_IMMEDIATE_KEEP_MASKS,
  AARCH64_MEMORY,
  AARCH64_NOP,
  AARCH64_PRIVILEGED,
  AARCH64_STACK,
  AARCH64_VECTOR,
} from './aarch64-tables.js';
import { mnemonicWithoutPrefixes, type InstructionEscaper, type MnemonicGroup } from './instruction-escaper.js';
import { startsWithAny, words } from './words.js';

const VECTOR_REGISTER_OPERAND = /v[0-9]+\.[0-9]*[bhsd]/i;
const TRAPS = words('brk hlt udf');
const CONTROL_FLOW = words(`
  ret retaa retab eret eretaa eretab drps bl blr blraa blrab blraaz blrabz cbz cbnz tbz tbnz b.al b.nv
  bc.al bc.nv b br braa brab braaz brabz
`);
const WIDE_MULTIPLY = words('smaddl smull smulh umaddl umull umulh');
/**
 * Last resort: groups by mnemonic prefix, first match wins. (SMDA's list starts with the memory,
 * crypto and pointer-authentication prefixes, which the rules before it already catch.)
 */
const GROUP_BY_PREFIX: ReadonlyArray<readonly [MnemonicGroup, readonly string[]]> = [
  ['C', ['cb', 'tb']],
  ['P', ['at', 'ic', 'tlbi', 'clrex', 'svc', 'smc', 'mrs', 'msr', 'sys', 'dc', 'dsb', 'dmb', 'isb', 'bti', 'brk', 'udf', 'hlt', 'wfe', 'wfi', 'yield']],
  ['N', ['nop', 'hint']],
];

function mnemonicGroup(instruction: SmdaInstruction): MnemonicGroup {
  const mnemonic = mnemonicWithoutPrefixes(instruction.mnemonic);
  if (mnemonic === 'error') return 'U';
  if (VECTOR_REGISTER_OPERAND.test(instruction.operands)) return 'V';
  if (!TRAPS.has(mnemonic) && (startsWithAny(mnemonic, ['b.', 'bc.']) || CONTROL_FLOW.has(mnemonic))) return 'C';
  if (AARCH64_CONTROL_FLOW.has(mnemonic)) return 'C';
  if (TRAPS.has(mnemonic)) return 'P';
  if (AARCH64_NOP.has(mnemonic)) return 'N';
  // SMDA also lists the privileged mnemonics literally here; in 4.4.4 that list equals the table.
  if (AARCH64_PRIVILEGED.has(mnemonic)) return 'P';
  if (AARCH64_FLOAT.has(mnemonic) || startsWithAny(mnemonic, ['f', 'scvtf', 'ucvtf'])) return 'F';
  if (WIDE_MULTIPLY.has(mnemonic)) return 'A';
  if (AARCH64_VECTOR.has(mnemonic) || startsWithAny(mnemonic, ['aes', 'sha', 'sm4'])) return 'V';
  if (AARCH64_MEMORY.has(mnemonic) || startsWithAny(mnemonic, ['ld', 'st', 'swp', 'cas', 'prf'])) return 'M';
  if (AARCH64_STACK.has(mnemonic) || startsWithAny(mnemonic, ['pac', 'aut'])) return 'S';
  if (AARCH64_ARITHMETIC_LOGIC.has(mnemonic)) return 'A';
  return GROUP_BY_PREFIX.find(([, prefixes]) => startsWithAny(mnemonic, prefixes))?.[0] ?? 'U';
}

const REGISTER = /^(?:[wx][0-9]+|[sdqv][0-9]+|sp|wsp|xzr|wzr|fp|lr)(?:\.[0-9]+[bhsd])?$/;
const SCALAR_REGISTER = /^[bhsd][0-9]+$/;
const SHIFT = /^(?:lsl|lsr|asr|ror|sxtw|uxtw|sxtb|uxtb|sxth|uxth|sxtx|uxtx)(?:\s+#-?(?:0x[0-9a-fA-F]+|\d+))?$/i;
const CONDITION = /^(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al|nv)$/;
const BARRIER = /^(?:(?:sy|osh|nsh|ish)(?:ld|st)?|ld|st)$/i;
const PREFETCH_HINT = /^p(?:ld|st)[a-z0-9]+$/i;
const SYSTEM_REGISTER = /^[a-z][a-z0-9_]*(?:_el\d+)?$/;
const SYSTEM_OPERATION = /^[a-z][a-z0-9]+$/;

/** `{v0.16b, v1.16b}`: a register list. */
function isRegisterList(field: string): boolean {
  if (!field.startsWith('{') || !field.endsWith('}')) return false;
  const items = field.replace(/^[{}]+|[{}]+$/g, '').split(',');
  return items.every((item) => REGISTER.test(pythonStrip(item)));
}

function escapeOperand(field: string): string {
  if (field === '') return '';
  if (field.includes('[') && field.includes(']')) return 'PTR';
  if (REGISTER.test(field) || SCALAR_REGISTER.test(field) || isRegisterList(field)) return 'REG';
  const number = field.startsWith('#') ? field.slice(1) : field;
  if (isPythonAutoBaseInt(number) || isPythonFloat(number)) return 'CONST';
  if (SHIFT.test(field)) return 'SHIFT';
  if (CONDITION.test(field)) return 'COND';
  if (BARRIER.test(field)) return 'BARRIER';
  if (PREFETCH_HINT.test(field)) return 'HINT';
  if (SYSTEM_REGISTER.test(field)) return 'SYSREG';
  if (SYSTEM_OPERATION.test(field)) return 'SYSOP';
  return 'MISC';
}

/** Splits on commas outside `[...]` and `{...}`. */
function topLevelFields(operands: string): string[] {
  const fields: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < operands.length; i++) {
    const char = operands[i];
    if (char === '[' || char === '{') depth++;
    else if ((char === ']' || char === '}') && depth > 0) depth--;
    else if (char === ',' && depth === 0) {
      fields.push(operands.slice(start, i));
      start = i + 1;
    }
  }
  fields.push(operands.slice(start));
  return fields;
}

function escapedOperands(instruction: SmdaInstruction): string {
  if (instruction.mnemonic === 'prfm') return 'PTR';
  const escaped: string[] = [];
  for (const field of topLevelFields(instruction.operands)) {
    const stripped = pythonStrip(field);
    if (stripped === '') continue;
    const token = escapeOperand(stripped);
    if (token === 'SHIFT' && escaped.length > 0) continue;
    escaped.push(token);
  }
  return escaped.join(', ');
}

const SHIFT_AMOUNT = /\b(?:lsl|lsr|asr|ror|sxtw|uxtw|sxtb|uxtb|sxth|uxth|sxtx|uxtx)\s*#-?(?:0x[0-9a-fA-F]+|\d+)/gi;

function keepMask(mnemonic: string): number | undefined {
  const mask = AARCH64_IMMEDIATE_KEEP_MASKS.get(mnemonic);
  if (mask !== undefined) return mask;
  if (mnemonic.startsWith('b.') || mnemonic.startsWith('bc.')) return 0xc1;
  return AARCH64_IMMEDIATE_KEEP_MASKS.get(mnemonic.split('.', 1)[0]!);
}

/**
 * Instructions with an immediate (a `#` left after removing shift amounts) keep only the nibbles of
 * their keep mask. Bit n of the mask keeps nibble n of the little-endian word, nibble 2k being the
 * low nibble of byte k; the hex text shows byte k at characters 2k (high) and 2k + 1 (low).
 */
function escapedBinary(instruction: SmdaInstruction): string {
  const { bytes } = instruction;
  if (bytes.length !== 8) return bytes;
  const remainder = pythonStrip(instruction.operands.replace(SHIFT_AMOUNT, ''));
  if (remainder === '' || !remainder.includes('#')) return bytes;
  const mask = keepMask(instruction.mnemonic);
  if (mask === undefined) return bytes;
  let escaped = '';
  for (let byte = 0; byte < 4; byte++) {
    const keepHigh = (mask >> (2 * byte + 1)) & 1;
    const keepLow = (mask >> (2 * byte)) & 1;
    escaped += (keepHigh ? bytes[2 * byte]!.toLowerCase() : '?') + (keepLow ? bytes[2 * byte + 1]!.toLowerCase() : '?');
  }
  return escaped;
}

export const AARCH64_ESCAPER: InstructionEscaper = { mnemonicGroup, escapedOperands, escapedBinary };
