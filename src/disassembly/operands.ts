/** Reading Capstone's Intel-syntax operand text (the forms SMDA's rules look at). */

const ABSOLUTE = /^(?:dword|qword) ptr \[0x([0-9a-f]+)\]$/;
const RIP_RELATIVE = /^qword ptr \[rip ([+-]) 0x([0-9a-f]+)\]$/;
const IMMEDIATE = /^(?:0x([0-9a-f]+)|(\d+))$/;
const FIRST_HEX = /(-\s*)?0x([0-9a-f]+)/;

export const GENERAL_REGISTERS = new Set([
  'eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp',
  'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip',
]);

/** `dword ptr [0x1234]` / `qword ptr [0x1234]` → 0x1234. */
export function absoluteSlot(operands: string): number | undefined {
  const match = ABSOLUTE.exec(operands);
  return match ? parseInt(match[1]!, 16) : undefined;
}

/** `qword ptr [rip ± 0xd]` → the slot address relative to the next instruction. */
export function ripSlot(operands: string, nextAddress: number): number | undefined {
  const match = RIP_RELATIVE.exec(operands);
  if (!match) return undefined;
  const displacement = parseInt(match[2]!, 16);
  return match[1] === '+' ? nextAddress + displacement : nextAddress - displacement;
}

/** A direct target or immediate (`0x401000`, or small numbers Capstone prints in decimal). */
export function immediate(operands: string): number | undefined {
  const match = IMMEDIATE.exec(operands);
  if (!match) return undefined;
  return match[1] !== undefined ? parseInt(match[1], 16) : Number(match[2]);
}

/** The first `0x…` number in the text, negative when written `- 0x…`. */
export function firstHex(operands: string): number | undefined {
  const match = FIRST_HEX.exec(operands);
  if (!match) return undefined;
  const value = parseInt(match[2]!, 16);
  return match[1] ? -value : value;
}

/** The mnemonic without prefix words (`bnd jmp` → `jmp`, `rep stosd` → `stosd`). */
export function baseMnemonic(mnemonic: string): string {
  const space = mnemonic.lastIndexOf(' ');
  return space < 0 ? mnemonic : mnemonic.slice(space + 1);
}
