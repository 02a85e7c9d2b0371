import { bandKey } from '../sqlite/sqlite-band-index.js';

/** Unsigned 64-bit values are stored as their two's complement in bigint columns, passed as decimal text. */
export const toStored = (value: bigint): string => BigInt.asIntN(64, value).toString();
/** Read back from `column::text`. */
export const fromStored = (text: string): bigint => BigInt.asUintN(64, BigInt(text));

/** A function's band index entries as a PostgreSQL array literal (NULL without a signature). */
export const bandKeysLiteral = (hashes: readonly number[] | null): string | null =>
  hashes ? `{${hashes.map((hash, band) => bandKey(band, hash)).join(',')}}` : null;

/**
 * PostgreSQL text cannot hold U+0000 (SQLite's can). Where a text is only searched or shown (the
 * job filter's text and the filter itself, error messages), it becomes U+FFFD on both sides.
 */
export const withoutNul = (text: string): string => text.replaceAll('\u0000', '\uFFFD');
