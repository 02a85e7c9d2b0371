import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BAND_PROJECTION, randomBandProjection } from '../../src/minhash/bands.js';
import { XOR_SEEDS } from '../../src/minhash/minhash.js';
import { PythonRandom } from '../../src/minhash/python-random.js';

const hex = (values: Iterable<number>) => [...values].map((value) => value.toString(16).padStart(8, '0')).join(' ');

test('MT19937 outputs equal CPython after random.seed()', () => {
  const deadbeef = new PythonRandom(0xdeadbeef);
  assert.equal(hex(Array.from({ length: 8 }, () => deadbeef.nextUint32())), '04e5f152 6d2e9cb7 7839d4f0 e65ea582 996ab639 ee408ef1 6d146df7 e4dd4346');
  const zero = new PythonRandom(0);
  assert.equal(hex(Array.from({ length: 4 }, () => zero.nextUint32())), 'd82c07cd 629f6fbe c2094cac e3e70682');
});

test('getrandbits, randint and shuffle equal CPython for a 64-bit seed', () => {
  // random.Random(12345678901234567890): randint(0, 2**32-1), getrandbits(45), randrange(1000), shuffle(range(20)).
  const random = new PythonRandom(12345678901234567890n);
  assert.equal(random.randint(0, 0xffffffff), 2758709522);
  assert.equal(random.getrandbits(45), 11492697875229);
  assert.equal(random.randbelow(1000), 362);
  const list = Array.from({ length: 20 }, (_, i) => i);
  random.shuffle(list);
  assert.deepEqual(list, [13, 14, 6, 12, 17, 9, 3, 5, 19, 10, 18, 0, 8, 2, 1, 4, 11, 15, 7, 16]);
  assert.equal(new PythonRandom(-7).randint(5, 10 ** 12), 434439589180);
});

test('the 64 MinHash XOR seeds', () => {
  assert.equal(
    hex(XOR_SEEDS),
    [
      '04e5f152 9cb87fef f72041f0 54ded306 ab1f1cb9 4486fe1b fe11370c f9072dd5',
      '50ae1132 22d31813 6968b954 94ca7438 01f2a83a f051186c 294f608e b5e27424',
      '557cea38 9080d43e 15ab5498 ecf4842a 310fbbd5 0cdfe46f 7a20f9e6 b14a97a9',
      '0b02af21 aa5a1584 3d1b066c 2911970c 94e06c6c 54797aa1 f94f7d8c 88706d36',
      'f816cdbd 87006404 5a8551a2 3a6c692e 1bff01e3 fc911745 d8a0a075 9dd55b57',
      'be1f3bef fb91e5c2 625b2746 389e6e0a 3e7cc2ba fca6be28 87e76c27 92648f06',
      'bb709bf0 7dd39182 d7724c31 67067785 e9d157fa bdf007dd a551b974 d9b413ce',
      '62ecbaf9 cbd1e071 663bf247 a04f30eb e122d54d 5aa75144 0200d519 7e4b0f46',
    ].join(' '),
  );
});

test('the default band projection: 20 bands of 4 slots', () => {
  assert.deepEqual(DEFAULT_BAND_PROJECTION, [
    [53, 14, 1, 63],
    [33, 32, 6, 36],
    [14, 62, 0, 16],
    [25, 48, 30, 24],
    [45, 17, 21, 63],
    [3, 21, 40, 47],
    [25, 24, 62, 14],
    [43, 36, 52, 9],
    [38, 48, 9, 16],
    [53, 8, 51, 44],
    [3, 42, 63, 44],
    [31, 10, 28, 61],
    [7, 40, 0, 2],
    [15, 21, 8, 38],
    [26, 59, 56, 40],
    [53, 34, 4, 11],
    [11, 28, 36, 32],
    [63, 13, 21, 2],
    [22, 11, 0, 43],
    [12, 40, 44, 13],
  ]);
});

test('the band projection of MCRIT testMinhashing ({2: 2, 3: 1}, seed 0, 10 slots)', () => {
  assert.deepEqual(randomBandProjection([[2, 2], [3, 1]], 0, 10), [[7, 8], [9, 4], [7, 0, 9]]);
});
