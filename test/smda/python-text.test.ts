import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPythonAutoBaseInt, isPythonFloat, isPythonInt, pythonIntValue, pythonStrip } from '../../src/smda/python-text.js';

/** text, then whether CPython 3.11 accepts it as int(text), int(text, 16), int(text, 0), float(text). */
const PYTHON_PARSES: [string, boolean, boolean, boolean, boolean][] = [
  ["12", true, true, true, true],
  ["-12", true, true, true, true],
  ["+5", true, true, true, true],
  ["1_000", true, true, true, true],
  ["1__0", false, false, false, false],
  ["_1", false, false, false, false],
  ["1_", false, false, false, false],
  ["010", true, true, false, true],
  ["0x1f", false, true, true, false],
  ["0X1F", false, true, true, false],
  ["0x_1f", false, true, true, false],
  ["-0x10", false, true, true, false],
  ["ff", false, true, false, false],
  ["F", false, true, false, false],
  ["add", false, true, false, false],
  ["dead", false, true, false, false],
  ["0b1", false, true, true, false],
  ["eax", false, false, false, false],
  ["0x", false, false, false, false],
  ["", false, false, false, false],
  [" 12 ", true, true, true, true],
  ["\u001c7\u001c", false, false, false, false],
  ["\ufeff7", false, false, false, false],
  ["\u00a07\u3000", true, true, true, true],
  ["\u0663", true, true, true, true],
  ["1.5", false, false, false, true],
  ["1e3", false, true, false, true],
  ["inf", false, false, false, true],
  ["-Infinity", false, false, false, true],
  ["nan", false, false, false, true],
  ["NaN", false, false, false, true],
  [".5", false, false, false, true],
  ["5.", false, false, false, true],
  [".", false, false, false, false],
  ["1_0.5", false, false, false, true],
  ["1_.5", false, false, false, false],
  ["1e", false, true, false, false],
  ["1e+5", false, false, false, true],
  ["0o17", false, false, true, false],
  ["0b101", false, true, true, false],
  ["0b2", false, true, false, false],
  ["007", true, true, false, true],
  ["00", true, true, true, true],
  ["0_0", true, true, true, true],
  ["#5", false, false, false, false],
  ["0x1p3", false, false, false, false],
  ["1 2", false, false, false, false],
  ["12\n", true, true, true, true],
];

test('int() and float() accept exactly what CPython accepts', () => {
  for (const [text, decimal, hex, autoBase, float] of PYTHON_PARSES) {
    assert.equal(isPythonInt(text, 10), decimal, `int(${JSON.stringify(text)})`);
    assert.equal(isPythonInt(text, 16), hex, `int(${JSON.stringify(text)}, 16)`);
    assert.equal(isPythonAutoBaseInt(text), autoBase, `int(${JSON.stringify(text)}, 0)`);
    assert.equal(isPythonFloat(text), float, `float(${JSON.stringify(text)})`);
  }
});

test('str.strip() removes Python whitespace, including U+001C–001F but not U+FEFF', () => {
  assert.equal(pythonStrip('  a b  '), 'a b');
  assert.equal(pythonStrip('\u001c\u001dx\u001e\u001f'), 'x');
  assert.equal(pythonStrip('\ufeffx\ufeff'), '\ufeffx\ufeff');
  assert.equal(pythonStrip('\u00a0\u2003x\u3000\u0085'), 'x');
  assert.equal(pythonStrip('\tx\n'), 'x');
});

test('int() values', () => {
  assert.equal(pythonIntValue('0x1f', 16), 31);
  assert.equal(pythonIntValue('1_0', 16), 16);
  assert.equal(pythonIntValue('99999', 16), 629145);
  assert.equal(pythonIntValue('-10', 10), -10);
  assert.equal(pythonIntValue(' 12 ', 10), 12);
  assert.equal(pythonIntValue('0x10', 10), null);
  assert.equal(pythonIntValue('esp', 16), null);
});

test('Unicode decimal digits count as their ASCII digit, as in CPython', () => {
  assert.equal(pythonIntValue('\u0661\u0662', 10), 12);
  // Double-struck zero follows bold nine: adjacent runs of ten.
  assert.equal(pythonIntValue('\u{1d7d8}\u{1d7d7}', 10), 9);
  assert.equal(pythonIntValue('\u{1d7e1}', 16), 9);
  assert.equal(isPythonFloat('\u0661.\u0665'), true);
});
