import type Database from 'better-sqlite3';
import type { MatchableFunction, SignatureRows } from '../../matching/types.js';
import { bandKey } from './sqlite-band-index.js';

const SIGNATURE_BYTES = 64;
const fromStored = (value: bigint): bigint => BigInt.asUintN(64, value);

/** The reads of matching: lean rows, in bulk, with prepared statements reused across calls. */
export class SqliteMatchReads {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    this.sql = {
      functionsOfSample: db
        .prepare('SELECT id, sample_id, family_id, offset, num_instructions, binweight, pichash, minhash FROM functions WHERE sample_id = ? ORDER BY id')
        .safeIntegers(true)
        .raw(),
      // One range read of the (band_key, function_id) b-tree per band.
      bucket: db.prepare('SELECT function_id FROM band_index WHERE band_key = ?').pluck(),
      signature: db.prepare('SELECT sample_id, family_id, minhash FROM functions WHERE id = ?').raw(),
    };
  }

  matchableFunctions(sampleId: number): MatchableFunction[] {
    const rows = this.sql.functionsOfSample.all(sampleId) as [bigint, bigint, bigint, bigint, bigint, number, bigint | null, Buffer | null][];
    return rows.map(([id, sample, family, offset, numInstructions, binweight, picHash, minhash]) => ({
      id: Number(id),
      sampleId: Number(sample),
      familyId: Number(family),
      offset: fromStored(offset),
      numInstructions: Number(numInstructions),
      binweight,
      picHash: picHash === null ? null : fromStored(picHash),
      signature: minhash && new Uint8Array(minhash),
    }));
  }

  bandBucketMembers(bandHashes: readonly number[]): Int32Array {
    const buckets = bandHashes.map((hash, band) => this.sql.bucket.all(bandKey(band, hash)) as number[]);
    const members = new Int32Array(buckets.reduce((sum, bucket) => sum + bucket.length, 0));
    let at = 0;
    for (const bucket of buckets) {
      members.set(bucket, at);
      at += bucket.length;
    }
    return members;
  }

  signatureRows(ids: readonly number[]): SignatureRows {
    const rows: SignatureRows = {
      ids: new Int32Array(ids.length),
      sampleIds: new Int32Array(ids.length),
      familyIds: new Int32Array(ids.length),
      signatures: new Uint8Array(ids.length * SIGNATURE_BYTES),
    };
    let count = 0;
    for (const id of ids) {
      const row = this.sql.signature.get(id) as [number, number, Buffer | null] | undefined;
      // Deleted meanwhile (outside a snapshot) or never hashed: not a candidate.
      if (row === undefined || row[2] === null) continue;
      rows.ids[count] = id;
      rows.sampleIds[count] = row[0];
      rows.familyIds[count] = row[1];
      rows.signatures.set(row[2], count * SIGNATURE_BYTES);
      count++;
    }
    return count === ids.length
      ? rows
      : {
          ids: rows.ids.subarray(0, count),
          sampleIds: rows.sampleIds.subarray(0, count),
          familyIds: rows.familyIds.subarray(0, count),
          signatures: rows.signatures.subarray(0, count * SIGNATURE_BYTES),
        };
  }

  /** Runs `read` in one read transaction: every read sees the same state of the collection (WAL snapshot). */
  async snapshot<T>(read: () => Promise<T>): Promise<T> {
    if (this.db.inTransaction) return read();
    this.db.exec('BEGIN DEFERRED');
    try {
      return await read();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }
}
