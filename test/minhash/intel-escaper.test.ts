import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapedInstruction, type ImageBounds } from '../../src/minhash/escaping/instruction-escaper.js';
import { INTEL_ESCAPER } from '../../src/minhash/escaping/intel-escaper.js';
import { instruction } from './instruction.js';

const escaped = (mnemonic: string, operands = '') => escapedInstruction(INTEL_ESCAPER, instruction('90', mnemonic, operands));
const bounds = (lower: number | bigint, upper: number | bigint, bitness = 32): ImageBounds => ({ lower: BigInt(lower), upper: BigInt(upper), bitness });
const binary = (bytes: string, mnemonic: string, operands: string, image: ImageBounds) =>
  INTEL_ESCAPER.escapedBinary(instruction(bytes, mnemonic, operands), image);
/** "any bounds" in the reference: checked without bounds and with a typical image. */
const ANY_BOUNDS = [bounds(0, 0), bounds(0x400000, 0x420000)];

test('escaped instructions of reference 2.2', () => {
  const cases: [string, string, string][] = [
    ['sub', 'esp, 0xc', 'A REG, CONST'],
    ['push', 'ebx', 'S REG'],
    ['push', '-1', 'S CONST'],
    ['push', 'dword ptr [esp + 0x10]', 'S PTR'],
    ['mov', 'esi, dword ptr [esp + 0x1c]', 'M REG, PTR'],
    ['lea', 'eax, [ebp - 8]', 'M REG, PTR'],
    ['mov', 'eax, dword ptr fs:[0x30]', 'M REG, CONST'],
    ['rep stosd', 'dword ptr es:[edi], eax', 'M CONST, REG'],
    ['call', '0x8ac', 'C CONST'],
    ['call', 'dword ptr [0x1a24]', 'C PTR'],
    ['jmp', 'dword ptr [eax*4 + 0x4010c0]', 'C PTR'],
    ['ljmp', '0x8:0', 'C CONST'],
    ['ret', '', 'C '],
    ['nop', '', 'N '],
    ['int3', '', 'P '],
    ['cpuid', '', 'P '],
    ['and', 'dword ptr [ebp - 4], 0', 'A PTR, CONST'],
    ['endbr64', '', 'C '],
    ['vcvtss2sd', 'xmm2, xmm14, xmm3', 'X XREG, XREG, XREG'],
    ['fld', 'st(0)', 'F FREG'],
    ['movq', 'mm0, mm1', 'X MMREG, MMREG'],
    ['mov', 'eax, cr0', 'M REG, CREG'],
    ['mov', 'es, ax', 'M SREG, REG'],
    ['vmovaps', 'zmm1, zmmword ptr [edx]', 'X XREG, PTR'],
    ['lock cmpxchg', 'dword ptr [edx], ecx', 'M PTR, REG'],
    ['nop', 'word ptr [eax + eax]', 'N PTR'],
    ['push', 'ebp', 'S REG'],
  ];
  for (const [mnemonic, operands, expected] of cases) assert.equal(escaped(mnemonic, operands), expected, `${mnemonic} ${operands}`);
});

test('operand quirks: splitting on every comma, all-hex words are constants, unknown text is kept', () => {
  assert.equal(escaped('mov', 'eax,ebx'), 'M REG, REG');
  assert.equal(escaped('mov', 'dead, beef'), 'M CONST, CONST');
  assert.equal(escaped('mov', 'k1, 1_0'), 'M k1, CONST');
  assert.equal(escaped('rep', ''), 'U ');
  assert.equal(escaped('error', ''), 'U ');
  assert.equal(escaped('vpaddd', 'zmm31{k1}, zmm2, zmm3'), 'X XREG, XREG, XREG');
});

test('escaped binary of reference 2.3', () => {
  const cases: [string, string, string, ImageBounds[], string][] = [
    ['b800104000', 'mov', 'eax, 0x401000', [bounds(0x400000, 0x420000)], 'b8????????'],
    ['b800104000', 'mov', 'eax, 0x401000', [bounds(0, 0x20000)], 'b800104000'],
    ['b800004200', 'mov', 'eax, 0x420000', [bounds(0x400000, 0x420000)], 'b800004200'],
    ['c7050030400000404000', 'mov', 'dword ptr [0x403000], 0x404000', [bounds(0x400000, 0x420000)], 'c705????????????????'],
    ['c7050030400000404000', 'mov', 'dword ptr [0x403000], 0x404000', [bounds(0, 0)], 'c705????????00404000'],
    ['a1f4214000', 'mov', 'eax, dword ptr [0x4021f4]', ANY_BOUNDS, 'a1????????'],
    ['488b05d9ffffff', 'mov', 'rax, qword ptr [rip - 0x27]', ANY_BOUNDS, '488b05????????'],
    ['8b8010104000', 'mov', 'eax, dword ptr [eax + 0x401010]', [bounds(0x400000, 0x420000)], '8b80????????'],
    ['ff14851c104000', 'call', 'dword ptr [eax*4 + 0x40101c]', ANY_BOUNDS, 'ff1485????????'],
    ['ffd0', 'call', 'eax', ANY_BOUNDS, 'ffd0'],
    ['7405', 'je', '0x10', ANY_BOUNDS, '74??'],
    ['eb05', 'jmp', '0x10', ANY_BOUNDS, 'eb??'],
    ['e2fe', 'loop', '0x10', ANY_BOUNDS, 'e2??'],
    ['0f8405000000', 'je', '0x10', ANY_BOUNDS, '0f84????????'],
    ['f2e8a4f8ffff', 'bnd call', '0x164', ANY_BOUNDS, 'f2e8????????'],
    ['66e80000', 'call', '0x4', ANY_BOUNDS, '????????'],
    ['ea000000000800', 'ljmp', '0x8:0', ANY_BOUNDS, 'ea????????????'],
    ['010505050505', 'add', 'dword ptr [0x5050505], eax', [bounds(0x400000, 0x4f0000)], '0105????????'],
    ['0f101515151515', 'movups', 'xmm2, xmmword ptr [0x15151515]', [bounds(0x400000, 0x4f0000)], '0f1015????????'],
    ['666666660f008000224000', 'sldt', 'word ptr [rax + 0x402200]', [bounds(0x400000, 0x4f0000)], '666666660f0080????????'],
    ['48a10000000000004000', 'movabs', 'rax, qword ptr [0x40000000000000]', [bounds(0, 0, 64)], '48a1????????????????'],
    ['f0010578563412', 'lock add', 'dword ptr [0x12345678], eax', [bounds(0x12000000, 0x13000000)], 'f00105????????'],
    ['48b83412004001000000', 'movabs', 'rax, 0x140001234', [bounds(0x140001000, 0x140002000, 64)], '48b8????????????????'],
  ];
  for (const [bytes, mnemonic, operands, images, expected] of cases) {
    for (const image of images) assert.equal(binary(bytes, mnemonic, operands, image), expected, `${bytes} ${mnemonic} ${operands}`);
  }
});

test('in-image immediates: two hits are both replaced, overlapping ones found from the right', () => {
  const image = bounds(0x1000000, 0x2000000);
  assert.equal(binary('aa01010101bb01010101cc', 'mov', 'eax, 0x1010101', image), 'aa????????bb????????cc');
  assert.equal(binary('0101010101', 'mov', 'eax, 0x1010101', image), '01????????');
  assert.equal(binary('b80101010101010101', 'mov', 'eax, 0x1010101', image), 'b80101010101010101', 'three hits: unchanged');
});

test('absolute addresses of 64-bit movabs are 8 bytes wide, as capstone reports them', () => {
  const movabs = '48a17856341200000000';
  assert.equal(binary(movabs, 'movabs', 'rax, qword ptr [0x12345678]', bounds(0, 0, 64)), '48a1????????????????');
  assert.equal(binary('a178563412', 'mov', 'eax, dword ptr [0x12345678]', bounds(0, 0, 32)), 'a1????????');
  assert.equal(binary('67a178563412', 'mov', 'eax, dword ptr [0x12345678]', bounds(0, 0, 64)), '67a1????????');
  assert.equal(binary('8b042578563412', 'mov', 'eax, dword ptr [0x12345678]', bounds(0, 0, 64)), '8b0425????????');
});
