/**
 * JSON parsing that keeps integers beyond 2^53 exact. SMDA reports hold unsigned 64-bit values
 * (every `pic_hash`, and addresses of 64-bit kernels), which `JSON.parse` would round.
 *
 * Node 20 has no access to a number's source text in `JSON.parse`, so the text is rewritten first
 * (`json-scanner.ts`): every integer literal of 16 or more digits (the shortest unsafe one, 2^53 + 1,
 * has 16) outside of string literals becomes a string token, NUL followed by the literal. The readers
 * of `json-reader.ts` turn tokens back into bigints; `toLosslessJson` does so for whole subtrees.
 */
import { scanJson } from './json-scanner.js';

/** Parsed JSON with exact integers: those beyond 2^53 are bigints. */
export type LosslessJson = null | boolean | number | bigint | string | LosslessJson[] | { [key: string]: LosslessJson };

const TOKEN_PREFIX = '\u0000';

/** `JSON.parse`, with integer literals of 16+ digits returned as tokens (throws SyntaxError like it). */
export function parseJsonWithIntegerTokens(text: string): unknown {
  return JSON.parse(scanJson(text).tokenized);
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
