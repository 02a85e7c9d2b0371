/** Reference 4.11: example_report.smda, function 0x8ac, step by step. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandHashes } from '../../src/minhash/bands.js';
import { escapedBlocks, functionShingles, minhashSignature, signatureHex, XOR_SEEDS } from '../../src/minhash/minhash.js';
import { mmh3 } from '../../src/minhash/mmh3.js';
import { fuzzyStatFeatures } from '../../src/minhash/shingling/fuzzy-stat-pair-shingler.js';
import { fixtureReport, functionAt } from '../smda/fixtures.js';

const fn = functionAt(fixtureReport('example_report'), 0x8ac);

test('escaped instructions', () => {
  assert.deepEqual(escapedBlocks(fn, 'intel'), [
    ['M REG, PTR', 'S REG', 'S CONST', 'S PTR', 'S PTR', 'C CONST', 'S PTR', 'S PTR', 'C PTR', 'A REG, CONST', 'C '],
  ]);
});

test('EscapedBlockShingler: 9 sorted trigrams and their hashes', () => {
  const { escapedBlock } = functionShingles(fn, 'intel');
  assert.deepEqual(escapedBlock, [
    'M REG, PTR;S CONST;S REG',
    'S CONST;S PTR;S REG',
    'S CONST;S PTR;S PTR',
    'C CONST;S PTR;S PTR',
    'C CONST;S PTR;S PTR',
    'C CONST;S PTR;S PTR',
    'C PTR;S PTR;S PTR',
    'A REG, CONST;C PTR;S PTR',
    'A REG, CONST;C ;C PTR',
  ]);
  assert.deepEqual(
    escapedBlock.map((shingle) => mmh3(shingle)),
    [0x98efc7ef, 0x539a42bd, 0xf48d490d, 0xa1ed58a5, 0xa1ed58a5, 0xa1ed58a5, 0x19e8d352, 0xd6293c47, 0xd1443aac],
  );
});

test('FuzzyStatPairShingler: features, 28 shingles, some hashes', () => {
  assert.deepEqual(fuzzyStatFeatures(fn, escapedBlocks(fn, 'intel'), 'intel', 'worker'), {
    num_ins_C: 3,
    num_ins_S: 6,
    num_ins_A_rel: 9,
    num_ins_M_rel: 9,
    num_calls: 2,
    stack_size: 0,
    max_block_size: 11,
  });
  const { fuzzyStatPair } = functionShingles(fn, 'intel');
  assert.equal(fuzzyStatPair.length, 28);
  assert.deepEqual(fuzzyStatPair.slice(0, 4), ['num_ins_C=1:2', 'num_ins_C=1:3', 'num_ins_C=2:3', 'num_ins_C=1:4']);
  assert.deepEqual(fuzzyStatPair.slice(20, 24), ['stack_size=1:-1', 'stack_size=1:0', 'stack_size=2:0', 'stack_size=1:1']);
  assert.deepEqual(fuzzyStatPair.slice(24), ['max_block_size=1:8', 'max_block_size=1:10', 'max_block_size=2:10', 'max_block_size=1:12']);
  assert.equal(mmh3('num_ins_M_rel=1:6'), 0x06f23d7f);
  assert.equal(mmh3('stack_size=1:0'), 0x9ef80e12);
  assert.equal(mmh3('num_ins_S=2:6'), 0xbf1ad664);
});

test('slots are minima of XORed hashes, low byte kept', () => {
  const { fuzzyStatPair, escapedBlock } = functionShingles(fn, 'intel');
  const minimum = (shingles: string[], slot: number) => Math.min(...shingles.map((shingle) => (mmh3(shingle) ^ XOR_SEEDS[slot]!) >>> 0));
  assert.equal(minimum(fuzzyStatPair, 0), 0x0217cc2d);
  assert.equal(minimum(fuzzyStatPair, 1), 0x024071fd);
  assert.equal(minimum(fuzzyStatPair, 15), 0x0af8a240);
  assert.equal(minimum(escapedBlock, 16), 0x06e6a885);
  assert.equal(minimum(escapedBlock, 17), 0x086f13d1);
  const signature = minhashSignature(fn, 'intel');
  assert.deepEqual([signature[0], signature[1], signature[15], signature[16], signature[17], signature[63]], [0x2d, 0xfd, 0x40, 0x85, 0xd1, 0xfb]);
});

test('signature and band hashes', () => {
  const signature = minhashSignature(fn, 'intel');
  assert.equal(
    signatureHex(signature),
    '2dfdded9956422fbed2aa12a4542d74085d1ca27873d5b0c73213e5e831c81d9b0eb1f7cb148d9b84acffb58e825c8e9553f7638f778d16244ddfa4e40f94bfb',
  );
  assert.deepEqual([signature[53], signature[14], signature[1], signature[63]], [120, 215, 253, 251]);
  const bands = bandHashes(signature);
  assert.equal(bands[0], 0x83c40531);
  assert.equal(bands[0], 2210661681);
  assert.equal(bands[0], mmh3('120215253251'));
  assert.equal(bands[1], 0x2fe20738);
  assert.equal(bands[1], mmh3('23517634177'));
  assert.equal(bands[19], 0x6fec92d8);
  assert.equal(bands[19], mmh3('697423266'));
});
