/**
 * The Python string and number parsing semantics SMDA relies on (reference 2.7): its escapers and
 * its version check parse operand and version text with them.
 * JavaScript's `trim`, `Number` and `parseInt` accept different inputs, so each rule is spelled out.
 */

/** Unicode spaces beyond ASCII that Python strips (`str.isspace()`); unlike JS `trim`, not U+FEFF. */
const NON_ASCII_SPACE = '\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** `str.strip()` also removes the separators U+001C–001F... */
const STRIP_SPACE = `\\t\\n\\v\\f\\r\\x1c-\\x20${NON_ASCII_SPACE}`;
/** ...which `int()` and `float()` do not strip from their argument. */
const NUMBER_SPACE = `\\t\\n\\v\\f\\r\\x20${NON_ASCII_SPACE}`;
const SURROUNDING_STRIP_SPACE = new RegExp(`^[${STRIP_SPACE}]+|[${STRIP_SPACE}]+$`, 'g');
const SURROUNDING_NUMBER_SPACE = new RegExp(`^[${NUMBER_SPACE}]+|[${NUMBER_SPACE}]+$`, 'g');

/** Python `text.strip()`. */
export function pythonStrip(text: string): string {
  return text.replace(SURROUNDING_STRIP_SPACE, '');
}

const ANY_NON_ASCII = /[^\x00-\x7f]/;
const DECIMAL_DIGIT = /\p{Nd}/gu;
const IS_DECIMAL_DIGIT = /^\p{Nd}$/u;

/**
 * The value of a Unicode decimal digit. Unicode assigns them only in contiguous runs of ten, 0 to 9,
 * so the value is the number of digits just before it, modulo 10.
 */
function digitValue(digit: string): number {
  const codePoint = digit.codePointAt(0)!;
  let before = 0;
  while (IS_DECIMAL_DIGIT.test(String.fromCodePoint(codePoint - before - 1))) before++;
  return before % 10;
}

/** What `int()` and `float()` parse: Unicode decimal digits as ASCII ones, surrounding whitespace ignored. */
function numberText(text: string): string {
  const ascii = ANY_NON_ASCII.test(text) ? text.replace(DECIMAL_DIGIT, (digit) => String(digitValue(digit))) : text;
  return ascii.replace(SURROUNDING_NUMBER_SPACE, '');
}

// The grammars after that: an optional sign, single underscores between digits.
/** `int(text, base)`; the groups are the sign and the digits. */
const INT_LITERAL: Record<10 | 16, RegExp> = {
  10: /^([+-]?)([0-9](?:_?[0-9])*)$/,
  16: /^([+-]?)(?:0[xX]_?)?([0-9a-fA-F](?:_?[0-9a-fA-F])*)$/,
};
/** `int(text, 0)`: prefixed literals, decimals without leading zeros, or only zeros. */
const AUTO_BASE_INT = /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?[0-9])*|0(?:_?0)*)$/;
/** `float(text)`: decimal literals with optional fraction and exponent, inf, infinity, nan. */
const FLOAT =
  /^[+-]?(?:(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?|inf|infinity|nan)$/i;

/** Whether Python `int(text, base)` succeeds. */
export function isPythonInt(text: string, base: 10 | 16): boolean {
  return INT_LITERAL[base].test(numberText(text));
}

/** Whether Python `int(text, 0)` succeeds. */
export function isPythonAutoBaseInt(text: string): boolean {
  return AUTO_BASE_INT.test(numberText(text));
}

/** Whether Python `float(text)` succeeds. */
export function isPythonFloat(text: string): boolean {
  return FLOAT.test(numberText(text));
}

/**
 * The value of Python `int(text, base)`, null where it fails. Values beyond 2^53 are approximate,
 * which is fine for the range checks this serves.
 */
export function pythonIntValue(text: string, base: 10 | 16): number | null {
  const match = INT_LITERAL[base].exec(numberText(text));
  if (match === null) return null;
  const magnitude = Number.parseInt(match[2]!.replaceAll('_', ''), base);
  return match[1] === '-' ? -magnitude : magnitude;
}
