/**
 * One pass over JSON text that does what `JSON.parse` cannot: it rewrites every integer literal of
 * 16 or more digits (the shortest unsafe one, 2^53 + 1, has 16) as a string token, NUL followed by
 * the literal, so that a following `JSON.parse` keeps it exact; and it records where the members of
 * the outer objects are in the text (a layout), so that parts of the text can be read or copied
 * without parsing the rest. Strings are skipped with `indexOf`; nothing is allocated per value
 * below the layout's depth.
 *
 * The scanner checks the structure it walks (strings closed, brackets balanced, keys before colons
 * in the outer objects) and throws a SyntaxError where it breaks; the grammar of the values is left
 * to `JSON.parse`. Text that `JSON.parse` accepts is scanned exactly.
 */

/** Where a value is: `text.slice(start, end)`. Objects within the layout's depth list their members. */
export interface JsonSpan {
  start: number;
  end: number;
  /** By key (the last one wins, as in `JSON.parse`); only for objects within the layout's depth. */
  members?: Map<string, JsonSpan>;
}

export interface ScannedJson {
  /** The text with each long integer literal replaced by a token string. */
  tokenized: string;
  /** The top-level value, its objects' members down to the depth asked for. */
  layout: JsonSpan;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const LOWER_E = 101;
const UPPER_E = 69;
const LONG_INTEGER_DIGITS = 16;

const isDigit = (c: number): boolean => c >= DIGIT_0 && c <= DIGIT_9;
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;
const isLetter = (c: number): boolean => (c | 32) >= 97 && (c | 32) <= 122;

class Scanner {
  private pieces: string[] = [];
  private copied = 0;

  constructor(private readonly text: string) {}

  tokenized(): string {
    if (this.copied === 0) return this.text;
    this.pieces.push(this.text.slice(this.copied));
    return this.pieces.join('');
  }

  fail(at: number): never {
    throw new SyntaxError(at >= this.text.length ? 'Unexpected end of JSON input' : `Unexpected character in JSON at position ${at}`);
  }

  skipSpace(at: number): number {
    while (at < this.text.length && isSpace(this.text.charCodeAt(at))) at++;
    return at;
  }

  /** The index after the string literal that starts at `at` (a quote). */
  skipString(at: number): number {
    let quote = this.text.indexOf('"', at + 1);
    for (;;) {
      if (quote === -1) this.fail(this.text.length);
      let backslashes = 0;
      while (this.text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return quote + 1;
      quote = this.text.indexOf('"', quote + 1);
    }
  }

  /** The index after the number literal at `at`; a long integer is rewritten as a token. */
  skipNumber(at: number): number {
    const text = this.text;
    let i = text.charCodeAt(at) === MINUS ? at + 1 : at;
    const digitsStart = i;
    while (isDigit(text.charCodeAt(i))) i++;
    const integerDigits = i - digitsStart;
    let c = text.charCodeAt(i);
    if (c === DOT || c === LOWER_E || c === UPPER_E) {
      // a fraction or an exponent: not an integer, left to JSON.parse
      do c = text.charCodeAt(++i);
      while (isDigit(c) || c === DOT || c === LOWER_E || c === UPPER_E || c === MINUS || c === 43);
      return i;
    }
    if (integerDigits >= LONG_INTEGER_DIGITS) {
      this.pieces.push(text.slice(this.copied, at), '"\\u0000', text.slice(at, i), '"');
      this.copied = i;
    }
    return i;
  }

  /** The index after the value that starts at `at`, recording nothing. */
  skipValue(at: number): number {
    const text = this.text;
    let nesting = 0;
    let i = at;
    do {
      if (i >= text.length) this.fail(i);
      const c = text.charCodeAt(i);
      if (c === QUOTE) i = this.skipString(i);
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        nesting++;
        i++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--nesting < 0) this.fail(i);
        i++;
      } else if (c === MINUS || isDigit(c)) i = this.skipNumber(i);
      else if (isLetter(c)) {
        while (isLetter(text.charCodeAt(i))) i++;
      } else i++;
    } while (nesting > 0);
    return i;
  }

  /** The value at `at` (after any space), its object members recorded `depth` levels down. */
  value(at: number, depth: number): JsonSpan {
    const start = this.skipSpace(at);
    if (depth === 0 || this.text.charCodeAt(start) !== OPEN_BRACE) return { start, end: this.skipValue(start) };
    const members = new Map<string, JsonSpan>();
    let i = this.skipSpace(start + 1);
    if (this.text.charCodeAt(i) === CLOSE_BRACE) return { start, end: i + 1, members };
    for (;;) {
      if (this.text.charCodeAt(i) !== QUOTE) this.fail(i);
      const keyEnd = this.skipString(i);
      const key = this.text.slice(i + 1, keyEnd - 1);
      i = this.skipSpace(keyEnd);
      if (this.text.charCodeAt(i) !== COLON) this.fail(i);
      const member = this.value(i + 1, depth - 1);
      members.set(key.includes('\\') ? (JSON.parse(`"${key}"`) as string) : key, member);
      i = this.skipSpace(member.end);
      const c = this.text.charCodeAt(i);
      if (c === CLOSE_BRACE) return { start, end: i + 1, members };
      if (c !== COMMA) this.fail(i);
      i = this.skipSpace(i + 1);
    }
  }
}

/**
 * Scans JSON text: its long integers as tokens, and the members of its objects `depth` levels down
 * (0: none; 1: the top-level object's; 2: also those of the objects in it; ...). Throws a SyntaxError
 * where the structure breaks.
 */
export function scanJson(text: string, depth = 0): ScannedJson {
  const scanner = new Scanner(text);
  const layout = scanner.value(0, depth);
  const rest = scanner.skipSpace(layout.end);
  if (rest < text.length) scanner.fail(rest);
  return { tokenized: scanner.tokenized(), layout };
}
