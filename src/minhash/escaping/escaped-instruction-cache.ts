/**
 * Escaped instructions (`"M REG, PTR"`) remembered by mnemonic and operand text, which is all they
 * depend on for a given escaper. Instructions repeat a lot; the cache forgets everything once it
 * holds `capacity` entries. Keyed by the two strings in nested maps, so a lookup builds no key.
 */
import type { SmdaInstruction } from '../../smda/types.js';
import { escapedInstruction, type InstructionEscaper } from './instruction-escaper.js';

export class EscapedInstructionCache {
  private byMnemonic = new Map<string, Map<string, string>>();
  private size = 0;

  constructor(
    private readonly escaper: InstructionEscaper,
    private readonly capacity: number,
  ) {}

  get(instruction: SmdaInstruction): string {
    let byOperands = this.byMnemonic.get(instruction.mnemonic);
    let escaped = byOperands?.get(instruction.operands);
    if (escaped !== undefined) return escaped;
    escaped = escapedInstruction(this.escaper, instruction);
    if (this.size >= this.capacity) {
      this.byMnemonic = new Map();
      this.size = 0;
      byOperands = undefined;
    }
    if (byOperands === undefined) {
      byOperands = new Map();
      this.byMnemonic.set(instruction.mnemonic, byOperands);
    }
    byOperands.set(instruction.operands, escaped);
    this.size++;
    return escaped;
  }
}
