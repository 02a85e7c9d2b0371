import type Database from 'better-sqlite3';
import { bandHashes } from '../../minhash/bands.js';

/** Band key: band number * 2^32 + band hash (unsigned 32-bit). */
export const bandKey = (band: number, hash: number): number => band * 2 ** 32 + hash;

/**
 * The band index table: (band key, function) entries. It has no reverse index (function → keys):
 * a function's entries are found again by recomputing its band hashes from its stored signature,
 * which is what they were computed from when it was stored.
 */
export class SqliteBandIndex {
  private readonly sql;

  constructor(db: Database.Database) {
    this.sql = {
      insert: db.prepare('INSERT OR IGNORE INTO band_index (band_key, function_id) VALUES (?, ?)'),
      delete: db.prepare('DELETE FROM band_index WHERE band_key = ? AND function_id = ?'),
      clear: db.prepare('DELETE FROM band_index'),
    };
  }

  /** Indexes a function under its band hashes; returns the entries added. */
  add(functionId: number, hashes: readonly number[]): number {
    let added = 0;
    hashes.forEach((hash, band) => (added += this.sql.insert.run(bandKey(band, hash), functionId).changes));
    return added;
  }

  /** Removes the entries of a function with this signature; returns how many there were. */
  remove(functionId: number, signature: Uint8Array): number {
    let removed = 0;
    bandHashes(signature).forEach((hash, band) => (removed += this.sql.delete.run(bandKey(band, hash), functionId).changes));
    return removed;
  }

  clear(): void {
    this.sql.clear.run();
  }
}
