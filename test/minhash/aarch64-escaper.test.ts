import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AARCH64_ESCAPER } from '../../src/minhash/escaping/aarch64-escaper.js';
import { escaperFor } from '../../src/minhash/escaping/escaper-for.js';
import { escapedInstruction } from '../../src/minhash/escaping/instruction-escaper.js';
import { imageBounds } from '../../src/minhash/hash-function.js';
import { picHash } from '../../src/minhash/pichash.js';
import { fixtureReport } from '../smda/fixtures.js';
import { instruction } from './instruction.js';

const escaped = (mnemonic: string, operands = '') => escapedInstruction(AARCH64_ESCAPER, instruction('1f2003d5', mnemonic, operands));
const IMAGE = { lower: 0x100000000n, upper: 0x100020000n, bitness: 64 };
const binary = (bytes: string, mnemonic: string, operands = '') => AARCH64_ESCAPER.escapedBinary(instruction(bytes, mnemonic, operands), IMAGE);

test('escaped instructions of reference 2.4 (crossarch_aarch64_a.smda)', () => {
  assert.equal(escaped('sub', 'sp, sp, #0x60'), 'A REG, REG, CONST');
  assert.equal(escaped('stp', 'd11, d10, [sp, #0x10]'), 'M REG, REG, PTR');
  assert.equal(escaped('ldr', 'x0, #0x10000c658'), 'M REG, CONST');
  assert.equal(escaped('bl', '#0x100005f9c'), 'C CONST');
  assert.equal(escaped('cbz', 'x0, #0x100002698'), 'C REG, CONST');
  assert.equal(escaped('mov', 'x29, x29'), 'A REG, REG');
  assert.equal(escaped('fmov', 'd8, d0'), 'F REG, REG');
  assert.equal(escaped('nop'), 'N ');
});

test('mnemonic groups of the text classification, in rule order', () => {
  const cases: [string, string, string][] = [
    ['error', '', 'U'],
    ['add', 'v0.4s, v1.4s, v2.4s', 'V'],
    ['sha256h', 'q0, q1, v2.4s', 'V'],
    ['b.eq', '#0x100', 'C'],
    ['bc.ne', '#0x100', 'C'],
    ['tbnz', 'w0, #3, #0x100', 'C'],
    ['brk', '#0x1', 'P'],
    ['udf', '#0', 'P'],
    ['hint', '#0x22', 'N'],
    ['msr', 'tpidr_el0, x0', 'P'],
    ['scvtf', 'd0, x1', 'F'],
    ['frintx', 'd0, d1', 'F'],
    ['smull', 'x0, w1, w2', 'A'],
    ['aese', 'q0, q1', 'V'],
    ['ldaxp', 'x0, x1, [x2]', 'M'],
    ['stp', 'x29, x30, [sp, #-0x10]!', 'M'],
    ['paciasp', '', 'S'],
    ['autia', 'x0, x1', 'S'],
    ['csel', 'x0, x1, x2, eq', 'A'],
    ['sysl', 'x0, #0, c1, c2, #0', 'P'],
    ['hintx', '', 'N'],
    ['xpaclri', '', 'U'],
  ];
  for (const [mnemonic, operands, group] of cases) {
    assert.equal(AARCH64_ESCAPER.mnemonicGroup(instruction('1f2003d5', mnemonic, operands)), group, `${mnemonic} ${operands}`);
  }
});

test('operand classes of the text classification', () => {
  assert.equal(escaped('ld1', '{v0.16b, v1.16b}, [x0]'), 'V REG, PTR');
  assert.equal(escaped('msr', 'tpidr_el0, x0'), 'P SYSREG, REG');
  assert.equal(escaped('dmb', 'ish'), 'P BARRIER');
  assert.equal(escaped('csel', 'x0, x1, x2, eq'), 'A REG, REG, REG, COND');
  assert.equal(escaped('csel', 'x0, x1, x2, EQ'), 'A REG, REG, REG, MISC');
  assert.equal(escaped('add', 'x0, x1, x2, lsl #2'), 'A REG, REG, REG');
  assert.equal(escaped('add', 'lsl #2, x1'), 'A SHIFT, REG');
  assert.equal(escaped('prfm', 'pldl1keep, [x0]'), 'M PTR');
  assert.equal(escaped('prfum', 'pldl1keep, [x0]'), 'M HINT, PTR');
  assert.equal(escaped('fmov', 's0, #1.00000000'), 'F REG, CONST');
  assert.equal(escaped('mov', 'w0, #-1'), 'A REG, CONST');
  assert.equal(escaped('mov', 'x0, wzr'), 'A REG, REG');
  assert.equal(escaped('mov', 'x0, x1!'), 'A REG, MISC');
  assert.equal(escaped('sysl', 'x0, #0, c1, c2, #0'), 'P REG, CONST, SYSREG, SYSREG, CONST');
  assert.equal(escaped('ret', ''), 'C ');
});

test('escaped binary keeps the nibbles of the keep mask for instructions with an immediate', () => {
  assert.equal(binary('ff8301d1', 'sub', 'sp, sp, #0x60'), '?f????d1');
  assert.equal(binary('a30e0094', 'bl', '#0x100003b0c'), '??????94');
  assert.equal(binary('800b00b4', 'cbz', 'x0, #0x100002698'), '?0????b4');
  assert.equal(binary('80000054', 'b.eq', '#0x100000010'), '?0????54');
  assert.equal(binary('1f2003d5', 'nop'), '1f2003d5');
  assert.equal(binary('f30300aa', 'mov', 'x19, x0'), 'f30300aa');
  assert.equal(binary('2008028b', 'add', 'x0, x1, x2, lsl #2'), '2008028b', 'a shift amount is no immediate');
  assert.equal(binary('00e4006f', 'movi', 'v0.2d, #0'), '00e4006f', 'no keep mask');
  assert.equal(binary('1f20', 'nop'), '1f20', 'not four bytes');
});

test('recomputed PicHashes equal those SMDA 4.2.16 stored in the AArch64 fixtures', () => {
  for (const name of ['crossarch_aarch64_a', 'crossarch_aarch64_b']) {
    const report = fixtureReport(name);
    for (const fn of report.functions) {
      assert.equal(picHash(fn, escaperFor('aarch64'), imageBounds(report)), fn.metadata.storedPicHash, `${name} 0x${fn.offset.toString(16)}`);
    }
  }
});
