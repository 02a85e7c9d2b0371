import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integerFromToken, parseJsonWithIntegerTokens, toLosslessJson } from '../../src/smda/lossless-json.js';

const parse = (text: string) => toLosslessJson(parseJsonWithIntegerTokens(text));

test('integers beyond 2^53 come back exact as bigints, smaller ones as numbers', () => {
  assert.deepEqual(parse('[18446744073709551615, 9007199254740993, -9007199254740993, 9007199254740991, 1234567890123456, 7]'), [
    18446744073709551615n,
    9007199254740993n,
    -9007199254740993n,
    9007199254740991,
    1234567890123456,
    7,
  ]);
  assert.deepEqual(parse('{"pic_hash":18000497171858941483,"a":{"b":[1,{"c":12345678901234567890}]}}'), {
    pic_hash: 18000497171858941483n,
    a: { b: [1, { c: 12345678901234567890n }] },
  });
});

test('long digit runs inside strings, fractions and exponents are left alone', () => {
  assert.deepEqual(parse('["12345678901234567890", "a\\"12345678901234567890", "\\\\", 18446744073709551615]'), [
    '12345678901234567890',
    'a"12345678901234567890',
    '\\',
    18446744073709551615n,
  ]);
  assert.deepEqual(parse('[1.12345678901234567890, 12345678901234567890.5, 1e-12345678901234567, 12345678901234567890e2]'), [
    1.1234567890123457,
    12345678901234567000,
    0,
    1.2345678901234568e21,
  ]);
});

test('text without long integers parses as with JSON.parse; syntax errors surface as SyntaxError', () => {
  assert.deepEqual(parseJsonWithIntegerTokens('{"a": [1, 2.5, "x"]}'), { a: [1, 2.5, 'x'] });
  assert.throws(() => parseJsonWithIntegerTokens('{"a": 123456789012345678901'), SyntaxError);
  assert.throws(() => parseJsonWithIntegerTokens('{"a": '), SyntaxError);
});

test('tokens are only recognised as tokens', () => {
  assert.equal(integerFromToken('12345678901234567890'), undefined);
  assert.equal(integerFromToken(12), undefined);
  assert.equal(integerFromToken((parseJsonWithIntegerTokens('[12345678901234567890]') as unknown[])[0]), 12345678901234567890n);
});
