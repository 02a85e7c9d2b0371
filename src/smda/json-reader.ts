/**
 * Readers for parsed report JSON: each checks one value and names it by its path on failure
 * (`xcfg.4198400.metadata.binweight`, `xcfg.4198400.blocks.4198400[3][1]`).
 */
import { integerFromToken } from './lossless-json.js';
import { SmdaReportError } from './smda-report-error.js';

export type JsonObject = { [key: string]: unknown };

const MAX_UNSIGNED_64 = (1n << 64n) - 1n;
const DECIMAL_ADDRESS = /^(?:0|[1-9][0-9]*)$/;

export function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** A short rendering of a bad value for an error message. */
function describe(value: unknown): string {
  const integer = integerFromToken(value);
  if (integer !== undefined) return integer.toString();
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

export function fail(path: string, expected: string, value: unknown): never {
  throw new SmdaReportError(path, `expected ${expected}, got ${describe(value)}`);
}

export function readObject(value: unknown, path: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, 'an object', value);
  return value as JsonObject;
}

export function readArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

/** `object[key]`, which must be present. */
export function required(object: JsonObject, key: string, objectPath: string): unknown {
  if (!Object.hasOwn(object, key)) throw new SmdaReportError(childPath(objectPath, key), 'missing');
  return object[key];
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== 'string' || integerFromToken(value) !== undefined) fail(path, 'a string', value);
  return value;
}

/**
 * A string the store keeps as text (names, metadata): without U+0000, which PostgreSQL text cannot
 * hold; refused on both stores alike. (Instruction text may hold it: SMDA writes what Capstone
 * prints, and it is stored inside the compressed function.)
 */
export function readStoredText(value: unknown, path: string): string {
  const text = readString(value, path);
  if (text.includes('\u0000')) throw new SmdaReportError(path, 'contains U+0000 (NUL), which is not stored');
  return text;
}

export function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'true or false', value);
  return value;
}

/** Any finite JSON number (SMDA writes floats such as `binweight` as `354.0`). */
export function readNumber(value: unknown, path: string): number {
  const integer = integerFromToken(value);
  if (integer !== undefined) return Number(integer);
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a number', value);
  return value;
}

/** A non-negative integer small enough for a JS number (counts, sizes). */
export function readCount(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(path, 'a non-negative integer below 2^53', value);
  return value;
}

/** An unsigned 64-bit integer (addresses, PicHashes), exact. */
export function readUnsigned64(value: unknown, path: string): bigint {
  let integer = integerFromToken(value);
  if (typeof value === 'bigint') integer = value;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      fail(path, 'an exact integer (a JS number beyond 2^53 has lost precision: pass the report as JSON text)', value);
    }
    if (Number.isSafeInteger(value)) integer = BigInt(value);
  }
  if (integer === undefined || integer < 0n || integer > MAX_UNSIGNED_64) fail(path, 'an unsigned 64-bit integer', value);
  return integer;
}

export function readNullable<T>(value: unknown, path: string, read: (value: unknown, path: string) => T): T | null {
  return value === null ? null : read(value, path);
}

/** An address written as a JSON object key (`"4198400"`). */
export function readAddressKey(key: string, path: string): bigint {
  if (!DECIMAL_ADDRESS.test(key) || key.length > 20) fail(path, 'a decimal address as key', key);
  const address = BigInt(key);
  if (address > MAX_UNSIGNED_64) fail(path, 'an unsigned 64-bit address as key', key);
  return address;
}

/** A list of addresses (`inrefs`, the values of `blockrefs` and `outrefs`). */
export function readAddressList(value: unknown, path: string): bigint[] {
  return readArray(value, path).map((item, index) => readUnsigned64(item, indexPath(path, index)));
}

/** An object keyed by decimal addresses, its values read by `read`. */
export function readAddressMap<T>(value: unknown, path: string, read: (value: unknown, path: string) => T): Map<bigint, T> {
  const entries = Object.entries(readObject(value, path));
  return new Map(entries.map(([key, item]) => [readAddressKey(key, childPath(path, key)), read(item, childPath(path, key))]));
}
