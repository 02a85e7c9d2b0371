/**
 * Intel escaped binary (SMDA 4.4.4's `IntelInstructionEscaper.escapeBinary` with intraprocedural jumps
 * escaped; reference 2.3): the instruction's hex text with jump/call targets, absolute and
 * RIP-relative addresses and in-image immediates replaced by `?`.
 */
import type { SmdaInstruction } from '../../smda/types.js';
import { mnemonicWithoutPrefixes, type ImageBounds } from './instruction-escaper.js';
import { startsWithAny, words } from './words.js';

const JUMPS_AND_CALLS = words('call lcall jmp ljmp loop loopne loope je jne js jns jp jnp jo jno jl jle jg jge jb jbe ja jae jcxz jecxz jrcxz');
/** Legacy prefix bytes skipped before looking at the opcode (REX bytes 40–4f are not among them). */
const LEGACY_PREFIXES = new Set(['26', '2e', '36', '3e', '64', '65', '66', '67', 'f0', 'f2', 'f3']);
const ADDRESS_SIZE_PREFIX = '67';
const REX = /^4[0-9a-f]$/;
const MOVABS_MOFFS_OPCODES = new Set(['a0', 'a1', 'a2', 'a3']);

const ABSOLUTE_MEMORY_HINTS = ['ptr [0x', '[rip + 0x', '[rip - 0x'];
/** Brackets holding only a hex number, optionally `rip ± `. */
const ABSOLUTE_MEMORY = /\[(rip (\+|-) )?(0x[a-fA-F0-9]+)\]/;
const IMMEDIATE_HINTS = [', 0x', '+ 0x', '- 0x'];
const IMMEDIATE = /0x[0-9a-fA-F]{1,16}/g;
/** Immediates are only wildcarded in images loaded above 1 MiB. */
const IMMEDIATE_IMAGE_FLOOR = 0x100000n;
const U32_LIMIT = 1n << 32n;

function prefixLength(bytes: string): number {
  let length = 0;
  while (LEGACY_PREFIXES.has(bytes.slice(length, length + 2))) length += 2;
  return length;
}

/** Python `bytes[:-digits] + "?" * digits`. */
function wildcardLast(bytes: string, digits: number): string {
  return bytes.slice(0, Math.max(0, bytes.length - digits)) + '?'.repeat(digits);
}

function includesAny(text: string, parts: readonly string[]): boolean {
  return parts.some((part) => text.includes(part));
}

/** Jumps and calls: wildcard the target (first matching rule), or keep the bytes. */
function escapedJumpOrCall(bytes: string): string {
  const clean = bytes.slice(prefixLength(bytes));
  if (startsWithAny(clean, ['7', 'e0', 'e1', 'e2', 'e3', 'eb'])) return wildcardLast(bytes, 2);
  if (startsWithAny(clean, ['0f8', 'e8', 'e9'])) return wildcardLast(bytes, 8);
  if (clean.startsWith('ff')) {
    if (clean.length <= 8) return bytes;
    if (startsWithAny(clean, ['ff14', 'ff15', 'ff24', 'ff25', 'ffaa'])) return wildcardLast(bytes, 8);
  }
  if (clean.startsWith('48ff61') && clean.length === 8) return wildcardLast(bytes, 2);
  if (clean.startsWith('48ff25')) return wildcardLast(bytes, 8);
  if (startsWithAny(clean, ['ea', '9a'])) return wildcardLast(bytes, 12);
  return bytes;
}

/** What capstone reports as `disp_size == 8`: `movabs` with a 64-bit moffs (a0–a3 in 64-bit code). */
function hasEightByteDisplacement(bytes: string, bitness: number): boolean {
  if (bitness !== 64) return false;
  let position = prefixLength(bytes);
  for (let i = 0; i < position; i += 2) if (bytes.slice(i, i + 2) === ADDRESS_SIZE_PREFIX) return false;
  if (REX.test(bytes.slice(position, position + 2))) position += 2;
  return MOVABS_MOFFS_OPCODES.has(bytes.slice(position, position + 2));
}

/** Python `struct.pack("<I"/"<Q", value).hex()`, null where packing fails. */
function littleEndianHex(value: bigint, size: 4 | 8): string | null {
  if (value < 0n || value >= 1n << BigInt(8 * size)) return null;
  const buffer = Buffer.alloc(size);
  if (size === 4) buffer.writeUInt32LE(Number(value));
  else buffer.writeBigUInt64LE(value);
  return buffer.toString('hex');
}

/** Occurrences starting at every character position (overlapping, nibble-misaligned ones included). */
function countOccurrences(text: string, pattern: string): number {
  let count = 0;
  for (let at = text.indexOf(pattern); at !== -1; at = text.indexOf(pattern, at + 1)) count++;
  return count;
}

/** Python `"?" * len(pattern)`.join(text.rsplit(pattern, replacements)). */
function replaceFromRight(text: string, pattern: string, replacements: number): string {
  let end = text.length;
  let tail = '';
  for (let i = 0; i < replacements && end >= pattern.length; i++) {
    const at = text.lastIndexOf(pattern, end - pattern.length);
    if (at === -1) break;
    tail = '?'.repeat(pattern.length) + text.slice(at + pattern.length, end) + tail;
    end = at;
  }
  return text.slice(0, end) + tail;
}

/** Absolute `[0x…]` and RIP-relative operands: the displacement is wildcarded (the last of two hits). */
function escapeAbsoluteMemory(bytes: string, operands: string, bitness: number): string {
  if (!includesAny(operands, ABSOLUTE_MEMORY_HINTS)) return bytes;
  const match = ABSOLUTE_MEMORY.exec(operands);
  if (match === null) return bytes;
  const width = hasEightByteDisplacement(bytes, bitness) ? 8 : 4;
  let address = BigInt(match[3]!);
  if (operands.includes('rip -')) address = (1n << BigInt(8 * width)) - address;
  const pattern = littleEndianHex(address, width === 4 && address < U32_LIMIT ? 4 : 8);
  if (pattern === null) return bytes;
  const occurrences = countOccurrences(bytes, pattern);
  return occurrences === 1 || occurrences === 2 ? replaceFromRight(bytes, pattern, 1) : bytes;
}

/** Immediates inside `[lower, upper)` of an image above 1 MiB: wildcarded (both of two hits). */
function escapeImmediates(escaped: string, operands: string, image: ImageBounds): string {
  if (image.lower <= IMMEDIATE_IMAGE_FLOOR) return escaped;
  if (!operands.startsWith('0x') && !includesAny(operands, IMMEDIATE_HINTS)) return escaped;
  for (const [literal] of operands.matchAll(IMMEDIATE)) {
    const value = BigInt(literal);
    if (value < image.lower || value >= image.upper) continue;
    const pattern = littleEndianHex(value, value < U32_LIMIT ? 4 : 8)!;
    const occurrences = countOccurrences(escaped, pattern);
    if (occurrences === 1 || occurrences === 2) escaped = replaceFromRight(escaped, pattern, occurrences);
  }
  return escaped;
}

export function intelEscapedBinary(instruction: SmdaInstruction, image: ImageBounds): string {
  const { bytes, operands } = instruction;
  if (JUMPS_AND_CALLS.has(mnemonicWithoutPrefixes(instruction.mnemonic))) return escapedJumpOrCall(bytes);
  return escapeImmediates(escapeAbsoluteMemory(bytes, operands, image.bitness), operands, image);
}
