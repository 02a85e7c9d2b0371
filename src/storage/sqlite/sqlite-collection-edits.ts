import type Database from 'better-sqlite3';
import { bandHashes } from '../../minhash/bands.js';
import type { BandIndexRebuild, DeletedFamily, DeletionCounts, FamilyChanges, SampleChanges } from '../../samples/types.js';
import type { SqliteBandIndex } from './sqlite-band-index.js';

/** Signatures read per statement while rebuilding the band index. */
const REBUILD_PAGE = 2_000;

interface SignatureRow {
  id: number;
  minhash: Buffer;
}

/**
 * The collection's changes after ingestion, as synchronous steps on the store's connection. The
 * store runs each inside a transaction (a savepoint within a job's commit) and reads the records.
 */
export class SqliteCollectionEdits {
  private readonly sql;

  constructor(
    db: Database.Database,
    private readonly bands: SqliteBandIndex,
    /** The id of the family of this name, created when new. */
    private readonly familyIdFor: (name: string) => number,
  ) {
    this.sql = {
      sampleFamily: db.prepare<[number], { family_id: number }>('SELECT family_id FROM samples WHERE id = ?'),
      // NULL keeps a column as it is.
      updateSample: db.prepare(
        `UPDATE samples SET family_id = @familyId, version = coalesce(@version, version),
           component = coalesce(@component, component), is_library = coalesce(@isLibrary, is_library)
         WHERE id = @id`,
      ),
      // functions.family_id repeats its sample's (matching aggregates by family without a join).
      moveFunctionsOfSample: db.prepare('UPDATE functions SET family_id = ? WHERE sample_id = ?'),
      // functions have no index on family_id: they are reached through their samples
      // (samples_by_family, then functions_by_sample), so this runs before the samples move.
      moveFunctionsOfFamily: db.prepare(
        'UPDATE functions SET family_id = @to WHERE sample_id IN (SELECT id FROM samples WHERE family_id = @from)',
      ),
      moveSamplesOfFamily: db.prepare('UPDATE samples SET family_id = @to WHERE family_id = @from'),
      family: db.prepare<[number], { name: string }>('SELECT name FROM families WHERE id = ?'),
      familyByName: db.prepare<[string], { id: number }>('SELECT id FROM families WHERE name = ?'),
      renameFamily: db.prepare('UPDATE families SET name = ? WHERE id = ?'),
      setLibraryOfFamily: db.prepare('UPDATE samples SET is_library = ? WHERE family_id = ?'),
      deleteFamily: db.prepare('DELETE FROM families WHERE id = ?'),
      sampleIdsOfFamily: db.prepare<[number], number>('SELECT id FROM samples WHERE family_id = ? ORDER BY id').pluck(),
      signaturesOfSample: db.prepare<[number], SignatureRow>('SELECT id, minhash FROM functions WHERE sample_id = ? AND minhash IS NOT NULL'),
      // Deleting a function cascades to its picblockhash_index entries and labels (foreign keys).
      deleteFunctions: db.prepare('DELETE FROM functions WHERE sample_id = ?'),
      deleteSample: db.prepare('DELETE FROM samples WHERE id = ?'),
      countSignatures: db.prepare<[], number>('SELECT count(*) FROM functions WHERE minhash IS NOT NULL').pluck(),
      // Paged by id rather than iterated: better-sqlite3 refuses writes while a statement iterates.
      signaturesAfter: db.prepare<[number, number], SignatureRow>(
        'SELECT id, minhash FROM functions WHERE id > ? AND minhash IS NOT NULL ORDER BY id LIMIT ?',
      ),
    };
  }

  /** False when there is no such sample. */
  modifySample(id: number, changes: SampleChanges): boolean {
    const row = this.sql.sampleFamily.get(id);
    if (!row) return false;
    const familyId = changes.family === undefined ? row.family_id : this.familyIdFor(changes.family);
    this.sql.updateSample.run({
      id,
      familyId,
      version: changes.version ?? null,
      component: changes.component ?? null,
      isLibrary: changes.isLibrary === undefined ? null : Number(changes.isLibrary),
    });
    if (familyId !== row.family_id) this.sql.moveFunctionsOfSample.run(familyId, id);
    return true;
  }

  /** The id of the family holding the samples afterwards; undefined when there is no such family. */
  modifyFamily(id: number, changes: FamilyChanges): number | undefined {
    const family = this.sql.family.get(id);
    if (!family) return undefined;
    if (changes.isLibrary !== undefined) this.sql.setLibraryOfFamily.run(Number(changes.isLibrary), id);
    if (changes.name === undefined || changes.name === family.name) return id;
    if (id === 0) throw new Error('family 0 (the unnamed family) keeps its empty name');
    const other = this.sql.familyByName.get(changes.name);
    if (!other) {
      this.sql.renameFamily.run(changes.name, id);
      return id;
    }
    this.moveSamples(id, other.id);
    this.sql.deleteFamily.run(id);
    return other.id;
  }

  /** Undefined when there is no such sample. */
  deleteSample(id: number): DeletionCounts | undefined {
    if (!this.sql.sampleFamily.get(id)) return undefined;
    let numBandEntries = 0;
    for (const fn of this.sql.signaturesOfSample.all(id)) numBandEntries += this.bands.remove(fn.id, fn.minhash);
    const numFunctions = this.sql.deleteFunctions.run(id).changes;
    this.sql.deleteSample.run(id);
    return { numSamples: 1, numFunctions, numBandEntries };
  }

  /** Undefined when there is no such family. */
  deleteFamily(id: number, keepSamples: boolean): DeletedFamily | undefined {
    if (id === 0) throw new Error('family 0 (the unnamed family) is never deleted');
    const family = this.sql.family.get(id);
    if (!family) return undefined;
    const deleted: DeletedFamily = { name: family.name, numSamples: 0, numFunctions: 0, numBandEntries: 0, numSamplesMoved: 0 };
    if (keepSamples) deleted.numSamplesMoved = this.moveSamples(id, 0);
    for (const sampleId of this.sql.sampleIdsOfFamily.all(id)) {
      const counts = this.deleteSample(sampleId)!;
      deleted.numSamples += counts.numSamples;
      deleted.numFunctions += counts.numFunctions;
      deleted.numBandEntries += counts.numBandEntries;
    }
    this.sql.deleteFamily.run(id);
    return deleted;
  }

  rebuildBandIndex(progress?: (fraction: number) => void): BandIndexRebuild {
    const total = this.sql.countSignatures.get()!;
    this.bands.clear();
    const rebuilt: BandIndexRebuild = { numFunctions: 0, numBandEntries: 0 };
    for (let after = -1; ; ) {
      const page = this.sql.signaturesAfter.all(after, REBUILD_PAGE);
      if (page.length === 0) break;
      for (const fn of page) rebuilt.numBandEntries += this.bands.add(fn.id, bandHashes(fn.minhash));
      rebuilt.numFunctions += page.length;
      after = page[page.length - 1]!.id;
      progress?.(rebuilt.numFunctions / total);
    }
    return rebuilt;
  }

  private moveSamples(from: number, to: number): number {
    this.sql.moveFunctionsOfFamily.run({ from, to });
    return this.sql.moveSamplesOfFamily.run({ from, to }).changes;
  }
}
