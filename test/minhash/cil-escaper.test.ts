import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIL_ESCAPER } from '../../src/minhash/escaping/cil-escaper.js';
import { escapedInstruction } from '../../src/minhash/escaping/instruction-escaper.js';
import { instruction } from './instruction.js';

const escaped = (mnemonic: string, operands = '') => escapedInstruction(CIL_ESCAPER, instruction('00', mnemonic, operands));
const IMAGE = { lower: 0x400000n, upper: 0x408200n, bitness: 32 };
const binary = (bytes: string, mnemonic: string, operands = '') => CIL_ESCAPER.escapedBinary(instruction(bytes, mnemonic, operands), IMAGE);

test('mnemonic groups', () => {
  const cases: [string, string][] = [
    ['call', 'C'],
    ['newobj', 'C'],
    ['ceq', 'C'],
    ['ldloc.s', 'S'],
    ['ldc.i4.M1', 'S'],
    ['conv.ovf.i4', 'S'],
    ['stelem.ref', 'M'],
    ['add.ovf', 'A'],
    ['tail.', 'N'],
    ['nop', 'N'],
    ['break', 'P'],
    ['conv.r8', 'F'],
    ['prefix1', 'U'],
    ['error', 'U'],
    ['ldc.i4.X', 'U'],
  ];
  for (const [mnemonic, group] of cases) assert.equal(CIL_ESCAPER.mnemonicGroup(instruction('00', mnemonic)), group, mnemonic);
});

test('operand quirks of reference 2.5', () => {
  assert.equal(escaped('call', 'System.String::Concat'), 'C CONST');
  assert.equal(escaped('ldsfld', 'F'), 'S CONST');
  assert.equal(escaped('ldsfld', 'RG'), 'S PTR');
  assert.equal(escaped('ldloc.s', 'local(0x000D)'), 'S PTR');
  assert.equal(escaped('leave.s', '0x45c'), 'C CONST');
  assert.equal(escaped('ldstr', '"Software\\\\"'), 'S PTR');
  assert.equal(escaped('ldstr', '","'), 'S PTR, PTR');
  assert.equal(escaped('ldc.i4.s', '-x'), 'S -x');
  assert.equal(escaped('ldc.i4.s', '-12'), 'S CONST');
  assert.equal(escaped('ldc.i4.s', '0abc'), 'S CONST');
  assert.equal(escaped('ldstr', '"\u0905"'), 'S PTR');
  assert.equal(escaped('ret'), 'C ');
});

test('escaped binary of SMDA tests/testEscaper.py (intraprocedural jumps escaped) and reference 2.5', () => {
  assert.equal(binary('280a000006', 'call', 'System.Object::.ctor'), '28??????06');
  assert.equal(binary('6fbb00000a', 'callvirt', 'System.IO.Stream::Read'), '6f??????0a');
  assert.equal(binary('7e10000004', 'ldsfld', 'F'), '7e??????04');
  assert.equal(binary('fe1506000001', 'initobj', 'T'), 'fe15??????01');
  assert.equal(binary('2d3a', 'brtrue.s', '0x3c'), '2d??');
  assert.equal(binary('de10', 'leave.s', '0x12'), 'de??');
  assert.equal(binary('450300000002000000060000000a000000', 'switch', '(0x1, 0x2, 0x3)'), `45${'?'.repeat(32)}`);
  assert.equal(binary('20c48efb0e', 'ldc.i4', '0xefb8ec4'), '20c48efb0e');
  assert.equal(binary('28', 'call', ''), '28', 'a token operand too short to escape');
});
