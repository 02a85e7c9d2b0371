import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indentJson } from '../../src/smda/json-indent.js';
import { fixtureText } from './fixtures.js';

test('indentJson prints as JSON.stringify(value, null, indent) does, strings untouched', () => {
  const values: unknown[] = [
    { a: 1, b: [1, 2, { c: 'x' }], d: {}, e: [], f: null, g: true, h: -1.5e-7 },
    ['text with {braces}, [brackets], "quotes": and \\ backslashes', '', [[]], [{}], { '': { ' ': [0] } }],
    { unicode: 'é\u0000\u2028', escaped: 'a\\"b\\\\', nested: [[[[1]]]] },
    'just a string',
    42,
    [],
  ];
  for (const value of values) {
    for (const indent of [1, 2, 4]) assert.equal(indentJson(JSON.stringify(value), indent), JSON.stringify(value, null, indent));
  }
});

test('indentJson keeps the order of members and the digits of big integers, where a parse would not', () => {
  const compact = '{"9000":1,"10000":[18446744073709551615,{"b":0,"a":0}]}';
  assert.equal(indentJson(compact, 1), '{\n "9000": 1,\n "10000": [\n  18446744073709551615,\n  {\n   "b": 0,\n   "a": 0\n  }\n ]\n}');
  // A real report: the same document as its compact text, indented as SMDA writes it (indent 1).
  const report = JSON.stringify(JSON.parse(fixtureText('example_report_3')));
  const indented = indentJson(report, 1);
  assert.deepEqual(JSON.parse(indented), JSON.parse(report));
  assert.equal(indented.replace(/\n */g, '').replaceAll('": ', '":'), report.replaceAll('": ', '":'));
});
