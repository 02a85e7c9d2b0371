import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mmh3 } from '../../src/minhash/mmh3.js';

test('mmh3 equals Python mmh3.hash(text, seed) & 0xFFFFFFFF on UTF-8', () => {
  assert.equal(mmh3('S REG;S REG;S REG'), 0x823b3ce9);
  assert.equal(mmh3('num_ins_C=1:28'), 0x479f5e73);
  assert.equal(mmh3(''), 0);
  assert.equal(mmh3('foo'), 4138058784);
  assert.equal(mmh3('foo', 42), 2972666014);
  assert.equal(mmh3('Hello, world!'), 3224780355);
  assert.equal(mmh3('mov reg, reg', 7), 3814046082);
  assert.equal(mmh3('püsh ä€', 3), 2514858829);
});

test('long and non-BMP text is hashed over its UTF-8 bytes', () => {
  const long = 'M REG, PTR;'.repeat(500);
  assert.equal(mmh3(long), mmh3(long.slice(0, 5500) + long.slice(5500)));
  assert.notEqual(mmh3('\u{1f600}'), mmh3('\ud83d'));
});
