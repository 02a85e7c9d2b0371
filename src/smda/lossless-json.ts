/**
 * JSON parsing that keeps integers beyond 2^53 exact. SMDA reports hold unsigned 64-bit values
 * (every `pic_hash`, and addresses of 64-bit kernels), which `JSON.parse` would round.
 *
 * Node 20 has no access to a number's source text in `JSON.parse`, so the text is rewritten first:
 * every integer literal of 16 or more digits (the shortest unsafe one, 2^53 + 1, has 16) outside of
 * string literals becomes a string token, NUL followed by the literal. Digit runs are found by a
 * regular expression; whether one is inside a string literal follows from the quotes before it. The readers of
 * `json-reader.ts` turn tokens back into bigints; `toLosslessJson` does so for whole subtrees.
 */

/** Parsed JSON with exact integers: those beyond 2^53 are bigints. */
export type LosslessJson = null | boolean | number | bigint | string | LosslessJson[] | { [key: string]: LosslessJson };

const TOKEN_PREFIX = '\u0000';
const LONG_DIGIT_RUN = /\d{16,}/g;
const QUOTE = '"';
const BACKSLASH = 92;

/** Whether the quote at `at` (inside a string literal) is escaped by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

/** Whether the digit run `[start, end)` is a whole integer literal, not a fraction's or exponent's digits. */
function isIntegerLiteral(text: string, start: number, end: number): boolean {
  const before = text[start - 1];
  const after = text[end];
  if (before === '.' || before === 'e' || before === 'E' || before === '+') return false;
  if (before === '-' && (text[start - 2] === 'e' || text[start - 2] === 'E')) return false;
  return after !== '.' && after !== 'e' && after !== 'E';
}

/** The text with each long integer literal outside string literals replaced by a token string. */
function tokenizeLongIntegers(text: string): string {
  let rewritten = '';
  let copied = 0;
  let inString = false;
  let nextQuote = text.indexOf(QUOTE);
  for (const match of text.matchAll(LONG_DIGIT_RUN)) {
    const start = match.index;
    while (nextQuote !== -1 && nextQuote < start) {
      if (!inString || !isEscaped(text, nextQuote)) inString = !inString;
      nextQuote = text.indexOf(QUOTE, nextQuote + 1);
    }
    const end = start + match[0].length;
    if (inString || !isIntegerLiteral(text, start, end)) continue;
    const literalStart = text[start - 1] === '-' ? start - 1 : start;
    rewritten += `${text.slice(copied, literalStart)}"\\u0000${text.slice(literalStart, end)}"`;
    copied = end;
  }
  return copied === 0 ? text : rewritten + text.slice(copied);
}

/** `JSON.parse`, with integer literals of 16+ digits returned as tokens (throws SyntaxError like it). */
export function parseJsonWithIntegerTokens(text: string): unknown {
  return JSON.parse(tokenizeLongIntegers(text));
}

/** The integer a token stands for, or undefined if `value` is not a token. */
export function integerFromToken(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !value.startsWith(TOKEN_PREFIX)) return undefined;
  return BigInt(value.slice(TOKEN_PREFIX.length));
}

/** A parsed subtree with tokens replaced: safe integers as numbers, others as bigints. */
export function toLosslessJson(value: unknown): LosslessJson {
  const integer = integerFromToken(value);
  if (integer !== undefined) {
    return integer >= BigInt(Number.MIN_SAFE_INTEGER) && integer <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(integer) : integer;
  }
  if (Array.isArray(value)) return value.map(toLosslessJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toLosslessJson(item)]));
  }
  return value as LosslessJson;
}

const QUOTED_TOKEN = /"\\u0000(-?\d+)"/g;

/** `JSON.stringify` of a tree parsed by `parseJsonWithIntegerTokens`: its tokens become bare integers again. */
export function stringifyWithIntegerTokens(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(QUOTED_TOKEN, '$1');
}

/** The token `parseJsonWithIntegerTokens` would have produced for an integer. */
export function integerToken(value: bigint): string {
  return `${TOKEN_PREFIX}${value}`;
}

/** `JSON.stringify` that writes bigints as bare integers (exact, whatever their size). */
export function stringifyLossless(value: unknown): string {
  const marker = `\u0000${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? `${marker}${item}` : item));
  if (text === undefined) return 'null';
  const escapedMarker = JSON.stringify(marker).slice(1, -1);
  return text.replaceAll(new RegExp(`"${escapedMarker.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}(-?\\d+)"`, 'g'), '$1');
}
