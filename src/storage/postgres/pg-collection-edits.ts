import { bandHashes } from '../../minhash/bands.js';
import type { BandIndexRebuild, DeletedFamily, DeletionCounts, FamilyChanges, SampleChanges } from '../../samples/types.js';
import type { PgScope } from './connection.js';
import { bandKeysLiteral } from './pg-values.js';

/** Signatures read and rewritten per statement while rebuilding the band index. */
const REBUILD_PAGE = 5_000;

/**
 * The collection's changes after ingestion, as steps on a transaction (`tx`) that the store opens
 * (a savepoint within a job's commit), mirroring `../sqlite/sqlite-collection-edits.ts`.
 */
export class PgCollectionEdits {
  constructor(
    /** The id of the family of this name, created when new. */
    private readonly familyIdFor: (tx: PgScope, name: string) => Promise<number>,
  ) {}

  /** False when there is no such sample. */
  async modifySample(tx: PgScope, id: number, changes: SampleChanges): Promise<boolean> {
    const { rows } = await tx.query<{ family_id: number }>('SELECT family_id FROM samples WHERE id = $1 FOR UPDATE', [id]);
    if (!rows[0]) return false;
    const before = rows[0].family_id;
    const familyId = changes.family === undefined ? before : await this.familyIdFor(tx, changes.family);
    // NULL keeps a column as it is.
    await tx.query(
      `UPDATE samples SET family_id = $2, version = coalesce($3, version), component = coalesce($4, component),
         is_library = coalesce($5, is_library)
       WHERE id = $1`,
      [id, familyId, changes.version ?? null, changes.component ?? null, changes.isLibrary ?? null],
    );
    // functions.family_id repeats its sample's (matching aggregates by family without a join).
    if (familyId !== before) await tx.query('UPDATE functions SET family_id = $1 WHERE sample_id = $2', [familyId, id]);
    return true;
  }

  /** The id of the family holding the samples afterwards; undefined when there is no such family. */
  async modifyFamily(tx: PgScope, id: number, changes: FamilyChanges): Promise<number | undefined> {
    const { rows } = await tx.query<{ name: string }>('SELECT name FROM families WHERE id = $1 FOR UPDATE', [id]);
    const family = rows[0];
    if (!family) return undefined;
    if (changes.isLibrary !== undefined) await tx.query('UPDATE samples SET is_library = $1 WHERE family_id = $2', [changes.isLibrary, id]);
    if (changes.name === undefined || changes.name === family.name) return id;
    if (id === 0) throw new Error('family 0 (the unnamed family) keeps its empty name');
    const other = (await tx.query<{ id: number }>('SELECT id FROM families WHERE name = $1', [changes.name])).rows[0];
    if (!other) {
      await tx.query('UPDATE families SET name = $1 WHERE id = $2', [changes.name, id]);
      return id;
    }
    await this.moveSamples(tx, id, other.id);
    await tx.query('DELETE FROM families WHERE id = $1', [id]);
    return other.id;
  }

  /** Undefined when there is no such sample. */
  async deleteSample(tx: PgScope, id: number): Promise<DeletionCounts | undefined> {
    if (!(await tx.query('SELECT 1 FROM samples WHERE id = $1 FOR UPDATE', [id])).rows[0]) return undefined;
    // Deleting a function cascades to its PicBlockHash entries and labels (foreign keys); its band
    // index entries are in its row (the GIN index on band_keys).
    const { rows } = await tx.query<{ functions: number; bands: number }>(
      `WITH gone AS (DELETE FROM functions WHERE sample_id = $1 RETURNING band_keys)
       SELECT count(*) AS functions, coalesce(sum(cardinality(band_keys)), 0) AS bands FROM gone`,
      [id],
    );
    await tx.query('DELETE FROM samples WHERE id = $1', [id]);
    return { numSamples: 1, numFunctions: rows[0]!.functions, numBandEntries: rows[0]!.bands };
  }

  /** Undefined when there is no such family. */
  async deleteFamily(tx: PgScope, id: number, keepSamples: boolean): Promise<DeletedFamily | undefined> {
    if (id === 0) throw new Error('family 0 (the unnamed family) is never deleted');
    const { rows } = await tx.query<{ name: string }>('SELECT name FROM families WHERE id = $1 FOR UPDATE', [id]);
    const family = rows[0];
    if (!family) return undefined;
    const deleted: DeletedFamily = { name: family.name, numSamples: 0, numFunctions: 0, numBandEntries: 0, numSamplesMoved: 0 };
    if (keepSamples) deleted.numSamplesMoved = await this.moveSamples(tx, id, 0);
    const samples = await tx.query<{ id: number }>('SELECT id FROM samples WHERE family_id = $1 ORDER BY id', [id]);
    for (const sample of samples.rows) {
      const counts = (await this.deleteSample(tx, sample.id))!;
      deleted.numSamples += counts.numSamples;
      deleted.numFunctions += counts.numFunctions;
      deleted.numBandEntries += counts.numBandEntries;
    }
    await tx.query('DELETE FROM families WHERE id = $1', [id]);
    return deleted;
  }

  async rebuildBandIndex(tx: PgScope, progress?: (fraction: number) => void): Promise<BandIndexRebuild> {
    const total = (await tx.query<{ n: number }>('SELECT count(*) AS n FROM functions WHERE minhash IS NOT NULL')).rows[0]!.n;
    await tx.query('UPDATE functions SET band_keys = NULL WHERE band_keys IS NOT NULL AND minhash IS NULL');
    const rebuilt: BandIndexRebuild = { numFunctions: 0, numBandEntries: 0 };
    for (let after = -1; ; ) {
      const page = await tx.query<{ id: number; minhash: Buffer }>(
        'SELECT id, minhash FROM functions WHERE id > $1 AND minhash IS NOT NULL ORDER BY id LIMIT $2',
        [after, REBUILD_PAGE],
      );
      if (page.rows.length === 0) break;
      const keys = page.rows.map((fn) => bandHashes(fn.minhash));
      await tx.query(
        `UPDATE functions f SET band_keys = v.keys::bigint[] FROM unnest($1::bigint[], $2::text[]) AS v (id, keys)
         WHERE f.id = v.id AND f.band_keys IS DISTINCT FROM v.keys::bigint[]`,
        [page.rows.map((fn) => fn.id), keys.map((hashes) => bandKeysLiteral(hashes))],
      );
      rebuilt.numFunctions += page.rows.length;
      rebuilt.numBandEntries += keys.reduce((sum, hashes) => sum + hashes.length, 0);
      after = page.rows[page.rows.length - 1]!.id;
      progress?.(rebuilt.numFunctions / total);
    }
    return rebuilt;
  }

  private async moveSamples(tx: PgScope, from: number, to: number): Promise<number> {
    await tx.query('UPDATE functions SET family_id = $2 WHERE sample_id IN (SELECT id FROM samples WHERE family_id = $1)', [from, to]);
    return (await tx.query('UPDATE samples SET family_id = $2 WHERE family_id = $1', [from, to])).rowCount ?? 0;
  }
}
