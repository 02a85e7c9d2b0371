import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashFunction, type HashedReport } from '../../src/minhash/hash-function.js';
import { escapedBlocks, isMinHashable, minhashSignature } from '../../src/minhash/minhash.js';
import { escapedBlockShingles } from '../../src/minhash/shingling/escaped-block-shingler.js';
import { fuzzyStatFeatures } from '../../src/minhash/shingling/fuzzy-stat-pair-shingler.js';
import type { SmdaBlock, SmdaFunction, SmdaInstruction } from '../../src/smda/types.js';
import { fixtureReport } from '../smda/fixtures.js';
import { instruction } from './instruction.js';

const INTEL: HashedReport = { architecture: 'intel', baseAddr: 0x400000n, binarySize: 0x10000n, bitness: 32, storedPicHashesAreCurrent: false };

function makeFunction(blocks: SmdaInstruction[][], offset = 0x401000n): SmdaFunction {
  return {
    offset,
    blocks: blocks.map((instructions, index): SmdaBlock => ({ start: offset + BigInt(index * 0x100), instructions })),
    apiRefs: new Map(),
    blockRefs: new Map(),
    inRefs: [],
    outRefs: new Map(),
    stringRefs: undefined,
    isExported: false,
    architectureMetadata: undefined,
    metadata: {
      binweight: 0,
      characteristics: null,
      confidence: null,
      functionName: '',
      storedPicHash: null,
      nestingDepth: 0,
      stronglyConnectedComponents: [],
      tfidf: null,
    },
  };
}

const nops = (count: number) => Array.from({ length: count }, () => instruction('90', 'nop'));

test('only functions of more than 10 instructions get a signature and band hashes', () => {
  const ten = makeFunction([nops(10)]);
  const eleven = makeFunction([nops(5), nops(6)]);
  assert.equal(isMinHashable(ten), false);
  assert.equal(hashFunction(INTEL, ten).minhash, null);
  assert.equal(hashFunction(INTEL, ten).bandHashes, null);
  assert.equal(hashFunction(INTEL, eleven).minhash!.length, 64);
  assert.equal(hashFunction(INTEL, eleven).bandHashes!.length, 20);
});

test('a current stored PicHash is kept as it is, even null; otherwise it is recomputed', () => {
  const fn = makeFunction([nops(3)]);
  fn.metadata.storedPicHash = 42n;
  assert.equal(hashFunction({ ...INTEL, storedPicHashesAreCurrent: true }, fn).picHash, 42n);
  fn.metadata.storedPicHash = null;
  assert.equal(hashFunction({ ...INTEL, storedPicHashesAreCurrent: true }, fn).picHash, null);
  assert.notEqual(hashFunction(INTEL, fn).picHash, null);
});

test('PicBlockHashes: blocks of 4+ instructions, grouped by hash in order of first occurrence', () => {
  const a = [instruction('31c0', 'xor', 'eax, eax'), ...nops(3)];
  const b = nops(4);
  const fn = makeFunction([a, b, nops(3), a]);
  const blocks = hashFunction(INTEL, fn).picBlockHashes;
  assert.deepEqual(
    blocks.map((block) => [block.offset - fn.offset, block.length, block.size]),
    [
      [0x000n, 4, 5],
      [0x300n, 4, 5],
      [0x100n, 4, 4],
    ],
  );
  assert.equal(blocks[0]!.hash, blocks[1]!.hash);
  assert.notEqual(blocks[0]!.hash, blocks[2]!.hash);
});

test('blocks of up to three instructions give one sorted shingle, longer ones sorted trigrams', () => {
  assert.deepEqual(escapedBlockShingles([['S REG', 'C ', 'A REG, REG'], ['N '], []]), ['A REG, REG;C ;S REG', 'N ', '']);
  assert.deepEqual(escapedBlockShingles([['S REG', 'M REG, PTR', 'C ', 'A REG, REG']]), ['C ;M REG, PTR;S REG', 'A REG, REG;C ;M REG, PTR']);
  // Code point order, not UTF-16 order: U+FF5E sorts before U+1F600.
  assert.deepEqual(escapedBlockShingles([['\u{1f600}', '\uff5e']]), ['\uff5e;\u{1f600}']);
});

test('stack size: the first sub esp/rsp among the entry block\'s first 10 instructions with a constant below 100000', () => {
  const stackSize = (entry: SmdaInstruction[]) => {
    const fn = makeFunction([entry, nops(11)]);
    return fuzzyStatFeatures(fn, escapedBlocks(fn, 'intel'), 'intel', 'worker').stack_size;
  };
  const sub = (operands: string) => instruction('83ec20', 'sub', operands);
  assert.equal(stackSize([sub('esp, 0x20')]), 0x20);
  assert.equal(stackSize([sub('esp, 8')]), 8);
  assert.equal(stackSize([sub('rsp, 0x186a0'), sub('esp, 0x10')]), 0x10, '100000 is out of range');
  assert.equal(stackSize([sub('esp, 99999')]), 99999, 'read as hex it is out of range, as decimal not');
  assert.equal(stackSize([sub('eax, 0x20'), sub('esp, eax'), sub('esp, 0x30')]), 0x30);
  assert.equal(stackSize([...nops(10), sub('esp, 0x20')]), 0, 'only the first 10 instructions');
  assert.equal(stackSize([instruction('83ec20', 'lock sub', 'esp, 0x20')]), 0, 'the mnemonic must be exactly sub');
});

test('an Intel function without a block at its offset cannot be minhashed (MCRIT fails on it)', () => {
  const fn = makeFunction([nops(11)]);
  fn.offset -= 1n;
  assert.throws(() => hashFunction(INTEL, fn), /no block at its offset/);
  assert.equal(hashFunction({ ...INTEL, architecture: 'cil' }, fn).minhash!.length, 64);
});

test('statistics beyond the LogBucket table fail, as in MCRIT', () => {
  assert.throws(() => hashFunction(INTEL, makeFunction([nops(100_000)])), RangeError);
});

test('the report path counts calls by architecture; stored signatures use the worker path', () => {
  const differing = (name: string) => {
    const report = fixtureReport(name);
    const minhashable = report.functions.filter(isMinHashable);
    const changed = minhashable.filter(
      (fn) => Buffer.compare(minhashSignature(fn, report.architecture, 'worker'), minhashSignature(fn, report.architecture, 'report')) !== 0,
    );
    return [changed.length, minhashable.length];
  };
  assert.deepEqual(differing('crossarch_cil_a'), [21, 25]);
  assert.deepEqual(differing('example_report'), [0, 9]);
  const report = fixtureReport('crossarch_aarch64_a');
  const fn = report.functions.find((candidate) => candidate.offset === 0x100003438n)!;
  const blocks = escapedBlocks(fn, 'aarch64');
  assert.equal(fuzzyStatFeatures(fn, blocks, 'aarch64', 'worker').num_calls, 0);
  assert.ok(fuzzyStatFeatures(fn, blocks, 'aarch64', 'report').num_calls > 0);
  assert.deepEqual(hashFunction(report, fn).minhash, minhashSignature(fn, 'aarch64', 'worker'));
});
