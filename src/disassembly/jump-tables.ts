/**
 * Jump-table resolution for indirect jumps (reference §3.5), with SMDA's heuristics: the table size
 * comes from the nearest `cmp reg, imm` (even an unrelated one), the table from the instructions
 * before the jump. Every table loop is clamped to the image end: SMDA's loops skip unreadable
 * entries past it, so clamping changes no result but removes its 2^28-iteration cliff (§6).
 */
import type { AnalysisImage } from './analysis-image.js';
import { firstHex, GENERAL_REGISTERS } from './operands.js';
import type { Instruction } from './types.js';

const SIZE_CMP = /^[a-z0-9]{2,4}, (?:0x[0-9a-f]+|\d)$/;
const TABLE_MOV = /^[a-z0-9]+, dword ptr \[[^ ]+ \+ 0x[0-9a-f]+\]$/;
const RIP_LEA = /^[a-z0-9]+, \[rip ([+-]) 0x([0-9a-f]+)\]$/;
const BONUS_MOV = /^[a-z0-9]+,.*0x[0-9a-f]+\]/;
/** Entries a relative table is read for when no size was found. */
const DEFAULT_RELATIVE_ENTRIES = 255;

export interface JumpTable {
  targets: number[];
  /** [from (the jmp), to (entry address), size] */
  dataRefs: [number, number, number][];
}

/**
 * Addresses that begin known tables: each `lea r64, [rip + d]` followed by a `movsxd`, `ja`, or a
 * `mov` then `movsxd` (SMDA's whole-image pre-scan), so a relative table stops where the next begins.
 */
export function knownTableAddresses(image: AnalysisImage): Set<number> {
  const { bytes, baseAddr, view } = image;
  const tables = new Set<number>();
  for (let lea = bytes.indexOf(0x8d, 1); lea >= 0 && lea + 7 <= bytes.length; lea = bytes.indexOf(0x8d, lea + 1)) {
    const p = lea - 1;
    if (bytes[p] !== 0x48 && bytes[p] !== 0x4c) continue;
    const tail = p + 7;
    const matches =
      (tail + 2 <= bytes.length && bytes[tail + 1] === 0x63) ||
      bytes[tail] === 0x77 ||
      (tail + 5 <= bytes.length && bytes[tail + 1] === 0x89 && bytes[tail + 4] === 0x63);
    if (!matches) continue;
    const table = baseAddr + p + 7 + view.getInt32(p + 3, true);
    if (image.contains(table)) tables.add(table);
    lea += 6; // matches do not overlap
  }
  return tables;
}

function tableSize(backtracked: Instruction[]): number {
  for (const instruction of backtracked) {
    if (instruction.mnemonic.startsWith('ret')) return 0;
    if (instruction.mnemonic === 'cmp' && SIZE_CMP.test(instruction.operands)) {
      return parseInt(instruction.operands.slice(instruction.operands.indexOf(', ') + 2), 16) + 1;
    }
  }
  return 0;
}

/** Entries of `width` bytes from `table`, at most `size`, until one is unreadable or outside the image. */
function memoryTable(jmp: Instruction, table: number, size: number, image: AnalysisImage): JumpTable {
  const width = image.bitness === 64 ? 8 : 4;
  const result: JumpTable = { targets: [], dataRefs: [] };
  const limit = Math.min(size, Math.ceil((image.end - table) / width));
  for (let i = 0; i < limit; i++) {
    const entry = table + i * width;
    const target = image.readPointer(entry, width);
    if (target === undefined || !image.contains(target)) break;
    result.dataRefs.push([jmp.address, entry, width]);
    result.targets.push(target);
  }
  return result;
}

function directTable(jmp: Instruction, backtracked: Instruction[], size: number, image: AnalysisImage): JumpTable {
  const register = jmp.operands;
  let table: number | undefined;
  for (const instruction of backtracked.slice(0, -1)) {
    const isTableMov = instruction.mnemonic === 'mov' && TABLE_MOV.test(instruction.operands);
    const isTableAdd = instruction.mnemonic === 'add' && instruction.operands.startsWith(register);
    if (isTableMov || isTableAdd) {
      table = firstHex(instruction.operands);
      break;
    }
  }
  if (table === undefined) return { targets: [], dataRefs: [] };
  const targets = new Set<number>();
  const limit = Math.min(size, Math.max(0, Math.ceil((image.end - table) / 4)));
  for (let i = 0; i < limit; i++) {
    const value = image.readU32(table + 4 * i);
    if (value !== undefined) targets.add(value);
  }
  return { targets: [...targets].sort((a, b) => a - b), dataRefs: [[jmp.address, table, 4]] };
}

function ripLeaTarget(instruction: Instruction): number | undefined {
  const match = instruction.mnemonic === 'lea' ? RIP_LEA.exec(instruction.operands) : null;
  if (!match) return undefined;
  const displacement = parseInt(match[2]!, 16);
  const next = instruction.address + instruction.size;
  return match[1] === '+' ? next + displacement : next - displacement;
}

function relativeTable(
  jmp: Instruction,
  backtracked: Instruction[],
  size: number,
  image: AnalysisImage,
  knownTables: ReadonlySet<number>,
  options: { alternativeBase: boolean; bonus: boolean },
): JumpTable {
  let table: number | undefined;
  for (const instruction of backtracked) {
    table = ripLeaTarget(instruction);
    if (table !== undefined) break;
  }
  if (table === undefined) return { targets: [], dataRefs: [] };
  let base: number | undefined;
  if (options.alternativeBase && backtracked[0]?.operands.includes('rsi')) {
    for (const instruction of backtracked) {
      if (!instruction.operands.includes('rsi')) continue;
      base = ripLeaTarget(instruction);
      if (base !== undefined) break;
    }
  }
  let bonus = 0;
  if (options.bonus) {
    const mov = backtracked.slice(0, 3).find((i) => i.mnemonic === 'mov');
    if (mov && BONUS_MOV.test(mov.operands)) bonus = firstHex(mov.operands) ?? 0;
  }
  const entries = size === 0 ? DEFAULT_RELATIVE_ENTRIES : size;
  const limit = Math.min(entries, Math.max(0, Math.ceil((image.end - table - bonus) / 4)));
  const targets = new Set<number>();
  for (let i = 0; i < limit; i++) {
    const entry = image.readI32(table + bonus + 4 * i);
    if (entry === undefined) continue;
    if (i > 0 && knownTables.has(table + 4 * i)) break;
    const target = image.wrap((base ?? table) + entry);
    if (!image.contains(target)) break;
    if (entry !== 0) targets.add(target);
    else if (base === undefined) break;
  }
  return { targets: [...targets].sort((a, b) => a - b), dataRefs: [[jmp.address, table, 4]] };
}

/**
 * Targets of an indirect `jmp` (not an absolute or RIP slot: those are import jumps). `backtracked`:
 * the function's instructions below the jump, nearest first (at most 50).
 */
export function jumpTableTargets(jmp: Instruction, backtracked: Instruction[], image: AnalysisImage, knownTables: ReadonlySet<number>): JumpTable {
  const size = tableSize(backtracked);
  const operands = jmp.operands;
  if (operands.startsWith('dword ptr [') || operands.startsWith('qword ptr [')) {
    const table = firstHex(operands);
    return table === undefined || size === 0 ? { targets: [], dataRefs: [] } : memoryTable(jmp, image.wrap(table), size, image);
  }
  if (!GENERAL_REGISTERS.has(operands)) return { targets: [], dataRefs: [] };
  const sequence = backtracked
    .slice(0, 3)
    .map((i) => i.mnemonic)
    .join('-');
  if (sequence.startsWith('mov')) return directTable(jmp, backtracked, size, image);
  if (sequence.startsWith('add-movsxd')) return relativeTable(jmp, backtracked, size, image, knownTables, { alternativeBase: true, bonus: false });
  if (sequence.startsWith('lea') || sequence.startsWith('add-add') || sequence.startsWith('add-shr')) {
    return relativeTable(jmp, backtracked, size, image, knownTables, { alternativeBase: false, bonus: false });
  }
  if (sequence.startsWith('add-mov')) return relativeTable(jmp, backtracked, size, image, knownTables, { alternativeBase: false, bonus: true });
  return { targets: [], dataRefs: [] };
}
