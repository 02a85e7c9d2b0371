import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanJson, type JsonSpan } from '../../src/smda/json-scanner.js';

const TEXT = ' {"a": 1, "b\\"c": {"d": [1, {"e": 2}], "f": "}"}, "g": {"h": {"i": 3}}, "a": 12345678901234567890 } ';

/** The layout as nested objects of the text each span covers. */
function render(text: string, span: JsonSpan): unknown {
  return span.members ? Object.fromEntries([...span.members].map(([key, member]) => [key, render(text, member)])) : text.slice(span.start, span.end);
}

test('the layout locates the members of the objects down to the depth asked for; the last of equal keys wins', () => {
  assert.equal(render(TEXT, scanJson(TEXT).layout), TEXT.trim());
  assert.deepEqual(render(TEXT, scanJson(TEXT, 1).layout), { a: '12345678901234567890', 'b"c': '{"d": [1, {"e": 2}], "f": "}"}', g: '{"h": {"i": 3}}' });
  assert.deepEqual(render(TEXT, scanJson(TEXT, 2).layout), {
    a: '12345678901234567890',
    'b"c': { d: '[1, {"e": 2}]', f: '"}"' },
    g: { h: '{"i": 3}' },
  });
  assert.deepEqual(render('{}', scanJson('{}', 3).layout), {});
});

test('the tokenized text is what JSON.parse reads: long integers as tokens, everything else as it was', () => {
  assert.equal(scanJson(TEXT, 2).tokenized, TEXT.replace('12345678901234567890', '"\\u000012345678901234567890"'));
  assert.equal(scanJson('[1.5e-1234567890123456, -1234567890123456, "1234567890123456"]').tokenized, '[1.5e-1234567890123456, "\\u0000-1234567890123456", "1234567890123456"]');
});

test('a broken structure is a SyntaxError', () => {
  for (const text of ['', '{"a": [1, 2}', '{"a": "b', '{"a": 1} x', '{"a" 1}', '{"a": 1 "b": 2}', '[1, 2', '{"a": {"b": 1}}}']) {
    assert.throws(() => scanJson(text, 2), SyntaxError, text);
  }
});
