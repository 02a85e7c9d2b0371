/**
 * Instruction escaping (SMDA 4.4.4, reference section 2): what the shinglers and PicHashes see of an
 * instruction. One escaper per architecture (`escaper-for.ts`).
 */
import type { SmdaInstruction } from '../../smda/types.js';

/**
 * One letter: `A` arithmetic/logic, `C` control flow (on Intel also compares and tests), `M` memory,
 * `S` stack, `P` privileged, `Y` crypto, `F` floating point, `X` SIMD (Intel), `V` virtualisation
 * (Intel) or vector (AArch64), `N` nop or prefix, `U` unknown.
 */
export type MnemonicGroup = 'A' | 'C' | 'M' | 'S' | 'P' | 'Y' | 'F' | 'X' | 'V' | 'N' | 'U';

/** The image an instruction belongs to: addresses in `[lower, upper)` are wildcarded by Intel escaping. */
export interface ImageBounds {
  /** The report's `base_addr`. */
  lower: bigint;
  /** `base_addr + binary_size` (exclusive). */
  upper: bigint;
  /** The report's bitness (Intel: 64-bit code has 8-byte absolute `movabs` addresses). */
  bitness: number;
}

export interface InstructionEscaper {
  mnemonicGroup(instruction: SmdaInstruction): MnemonicGroup;
  /** The operand text with registers, constants, pointers... replaced by class names (`REG, PTR`). */
  escapedOperands(instruction: SmdaInstruction): string;
  /**
   * The instruction bytes as hex text with address-dependent digits replaced by `?`, escaping
   * intraprocedural jumps too (the only way PicHash and PicBlockHash use it).
   */
  escapedBinary(instruction: SmdaInstruction, image: ImageBounds): string;
}

/** Mnemonic → group from tables in lookup order: the first table containing a mnemonic decides. */
export function groupsByMnemonic(tables: ReadonlyArray<readonly [MnemonicGroup, ReadonlySet<string>]>): ReadonlyMap<string, MnemonicGroup> {
  const groups = new Map<string, MnemonicGroup>();
  for (const [group, mnemonics] of tables) {
    for (const mnemonic of mnemonics) if (!groups.has(mnemonic)) groups.set(mnemonic, group);
  }
  return groups;
}

/** The last space-separated token of the mnemonic (`rep stosd` → `stosd`): what groups are looked up by. */
export function mnemonicWithoutPrefixes(mnemonic: string): string {
  const space = mnemonic.lastIndexOf(' ');
  return space === -1 ? mnemonic : mnemonic.slice(space + 1);
}

/** Group and escaped operands, `"M REG, PTR"` (`"C "` for an instruction without operands): what shinglers hash. */
export function escapedInstruction(escaper: InstructionEscaper, instruction: SmdaInstruction): string {
  return `${escaper.mnemonicGroup(instruction)} ${escaper.escapedOperands(instruction)}`;
}
