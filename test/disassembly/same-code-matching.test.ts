/**
 * The same source code in different binaries, disassembled here, is found again by hashing: the
 * test binaries are one toolkit.c built as ELF and PE, -O0 and -O2.
 *
 * Measured on the committed binaries (Debian gcc 12 and mingw-w64 gcc 12):
 * - 32-bit ELF and PE share the calling convention, so identical machine code is common: those
 *   functions have equal PicHashes (listed below) and MinHash score 100.
 * - 64-bit ELF and PE differ in their ABI (argument registers): no equal PicHash, but the best
 *   MinHash match of most functions is their counterpart (8 of 9; sum_squares, checksum score 100).
 * - -O0 and -O2 builds of a function are different code (scores 3 to 25); nothing may pair them
 *   by PicHash.
 * At the hash level (PicHash equality, `minhashScore`, best match among all functions); the same
 * pairs through the matcher itself: test/http/binary-matching.test.ts.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { disassemble } from '../../src/disassembly/disassemble.js';
import { hashFunction } from '../../src/minhash/hash-function.js';
import { minhashScore } from '../../src/minhash/score.js';
import type { FunctionHashes } from '../../src/minhash/types.js';
import { readReport } from '../../src/samples/prepare-sample.js';
import { addressOf, binary, TOOLKIT_FUNCTIONS, type Build } from './binaries.js';

/** MCRIT's MinHash match threshold. */
const MATCH_SCORE = 50;

const hashesOf = new Map<Build, Map<number, FunctionHashes>>();

async function load(build: Build): Promise<void> {
  const { report } = readReport((await disassemble(binary(build))).text);
  hashesOf.set(build, new Map(report.functions.map((fn) => [Number(fn.offset), hashFunction(report, fn)])));
}

function toolkitFunction(build: Build, name: string): FunctionHashes | undefined {
  return hashesOf.get(build)!.get(addressOf(build, name));
}

/** The toolkit functions (with signatures on both sides) whose best MinHash match among all of `other` is their counterpart. */
function pairedByMinhash(own: Build, other: Build): { paired: string[]; compared: string[] } {
  const compared: string[] = [];
  const paired: string[] = [];
  for (const name of TOOLKIT_FUNCTIONS) {
    const mine = toolkitFunction(own, name);
    const counterpart = toolkitFunction(other, name);
    if (!mine?.minhash || !counterpart?.minhash) continue;
    compared.push(name);
    let best: FunctionHashes | undefined;
    let bestScore = -1;
    for (const candidate of hashesOf.get(other)!.values()) {
      if (!candidate.minhash) continue;
      const score = minhashScore(mine.minhash, candidate.minhash);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
    if (best === counterpart) paired.push(name);
  }
  return { paired, compared };
}

describe('the same code in different binaries', () => {
  before(async () => {
    for (const build of ['elf32-O0', 'elf32-O2', 'pe32-O0.exe', 'pe32-O2.exe', 'elf64-O0', 'elf64-O2', 'pe64-O2.exe'] as const) await load(build);
  });

  const identical32: [Build, Build, string[]][] = [
    ['elf32-O2', 'pe32-O2.exe', ['classify', 'sum_squares', 'checksum', 'ascending', 'gcd']],
    ['elf32-O0', 'pe32-O0.exe', ['classify', 'sum_squares', 'checksum', 'ascending', 'list_sum', 'gcd']],
  ];
  for (const [elf, pe, same] of identical32) {
    test(`${elf} vs ${pe}: identical functions have equal PicHashes; MinHash pairs most functions`, () => {
      for (const name of same) {
        const a = toolkitFunction(elf, name)!;
        const b = toolkitFunction(pe, name)!;
        assert.equal(a.picHash, b.picHash, name);
        if (a.minhash && b.minhash) assert.ok(minhashScore(a.minhash, b.minhash) >= MATCH_SCORE, name);
      }
      const { paired, compared } = pairedByMinhash(elf, pe);
      assert.ok(paired.length >= 0.75 * compared.length, `paired ${paired.join(', ')} of ${compared.join(', ')}`);
      for (const name of same) if (compared.includes(name)) assert.ok(paired.includes(name), name);
    });
  }

  test('elf64-O2 vs pe64-O2.exe: MinHash pairs the functions across the two ABIs', () => {
    const { paired, compared } = pairedByMinhash('elf64-O2', 'pe64-O2.exe');
    assert.ok(paired.length >= 0.75 * compared.length, `paired ${paired.join(', ')} of ${compared.join(', ')}`);
    for (const name of ['sum_squares', 'checksum']) {
      assert.ok(paired.includes(name), name);
      assert.ok(minhashScore(toolkitFunction('elf64-O2', name)!.minhash!, toolkitFunction('pe64-O2.exe', name)!.minhash!) >= MATCH_SCORE, name);
    }
  });

  for (const [o0, o2] of [['elf32-O0', 'elf32-O2'], ['elf64-O0', 'elf64-O2'], ['pe32-O0.exe', 'pe32-O2.exe']] as [Build, Build][]) {
    test(`${o0} vs ${o2}: different code is not paired by PicHash`, () => {
      const optimised = new Set([...hashesOf.get(o2)!.values()].map((h) => h.picHash));
      for (const name of TOOLKIT_FUNCTIONS) {
        const unoptimised = toolkitFunction(o0, name);
        if (unoptimised) assert.ok(!optimised.has(unoptimised.picHash), name);
      }
    });
  }
});
