import { inflateRawSync } from 'node:zlib';
import type { MatchableFunction, SignatureRows } from '../../matching/types.js';
import type {
  BandIndexRebuild,
  CollectionStatus,
  DeletedFamily,
  DeletionCounts,
  FamilyChanges,
  FamilyRecord,
  FunctionLabel,
  FunctionRecord,
  NewFunction,
  NewSample,
  PicBlockHashMatch,
  PicHashMatch,
  SampleChanges,
  SampleRecord,
} from '../../samples/types.js';
import type { SampleStore } from '../sample-store.js';
import { decodePicBlockHashes, encodePicBlockHashes, toFamily, type FamilyStatsRow } from '../collection-rows.js';
import { PoolScope, type PgScope } from './connection.js';
import { PgCollectionEdits } from './pg-collection-edits.js';
import { bandKeysLiteral, fromStored, toStored } from './pg-values.js';
import { bandKey } from '../sqlite/sqlite-band-index.js';

/** Rows per multi-row INSERT: bounds the statement's size for samples of 100k+ functions. */
const INSERT_CHUNK = 5_000;

interface SampleRow {
  id: number;
  sha256: string;
  family_id: number;
  family: string;
  architecture: string;
  base_addr: string;
  binary_size: string;
  binweight: number;
  bitness: number;
  component: string;
  filename: string;
  is_library: boolean;
  smda_version: string;
  statistics: string;
  timestamp: string;
  version: string;
  num_functions: number;
}

interface FunctionRow {
  id: number;
  sample_id: number;
  family_id: number;
  offset: string;
  function_name: string;
  architecture: string;
  num_instructions: number;
  num_blocks: number;
  binweight: number;
  pichash: string | null;
  minhash: Buffer | null;
  picblockhashes: string;
}

const SAMPLE_COLUMNS = `s.id, s.sha256, s.family_id, f.name AS family, s.architecture, s.base_addr::text, s.binary_size::text,
  s.binweight, s.bitness, s.component, s.filename, s.is_library, s.smda_version, s.statistics, s.timestamp, s.version, s.num_functions`;
const SAMPLES = `SELECT ${SAMPLE_COLUMNS} FROM samples s JOIN families f ON f.id = s.family_id`;
const FUNCTIONS = `SELECT fn.id, fn.sample_id, fn.family_id, fn."offset"::text AS offset, fn.function_name, s.architecture,
  fn.num_instructions, fn.num_blocks, fn.binweight, fn.pichash::text, fn.minhash, fn.picblockhashes
  FROM functions fn JOIN samples s ON s.id = fn.sample_id`;
const FAMILY_STATS = `SELECT f.id, f.name, count(s.id) AS num_samples, coalesce(sum(s.num_functions), 0) AS num_functions,
  count(s.id) FILTER (WHERE s.is_library) AS num_library_samples
  FROM families f LEFT JOIN samples s ON s.family_id = f.id`;

function toSample(row: SampleRow): SampleRecord {
  return {
    id: row.id,
    sha256: row.sha256,
    familyId: row.family_id,
    family: row.family,
    architecture: row.architecture,
    baseAddr: fromStored(row.base_addr),
    binarySize: BigInt(row.binary_size),
    binweight: row.binweight,
    bitness: row.bitness,
    component: row.component,
    filename: row.filename,
    isLibrary: row.is_library,
    smdaVersion: row.smda_version,
    statistics: JSON.parse(row.statistics),
    timestamp: row.timestamp,
    version: row.version,
    numFunctions: row.num_functions,
  };
}





function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The collection on PostgreSQL, on the pool or on a job's transaction (`commitJob`). */
export class PgSampleStore implements SampleStore {
  private readonly edits: PgCollectionEdits;

  constructor(private readonly db: PgScope) {
    this.edits = new PgCollectionEdits((tx, name) => this.familyId(tx, name));
  }

  async addSample(sample: NewSample): Promise<{ sample: SampleRecord; created: boolean }> {
    return this.db.transaction(async (tx) => {
      // Two additions of the same sample at once: the second waits, then finds the first's.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [sample.sha256]);
      const existing = await this.sampleBy(tx, 's.sha256 = $1', sample.sha256);
      if (existing) return { sample: existing, created: false };
      const familyId = await this.familyId(tx, sample.family);
      const sampleId = (await tx.query<{ id: number }>("SELECT nextval('sample_ids') AS id")).rows[0]!.id;
      // Consecutive unless another ingest draws ids at the same moment; unique and increasing either way.
      const functionIds = (
        await tx.query<{ id: number }>("SELECT nextval('function_ids') AS id FROM generate_series(1, $1)", [sample.functions.length])
      ).rows
        .map((r) => r.id)
        .sort((a, b) => a - b);
      await tx.query(
        `INSERT INTO samples (id, sha256, family_id, architecture, base_addr, binary_size, binweight, bitness, component,
           filename, is_library, smda_version, statistics, timestamp, version, num_functions)
         VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          sampleId,
          sample.sha256,
          familyId,
          sample.architecture,
          toStored(sample.baseAddr),
          toStored(sample.binarySize),
          sample.binweight,
          sample.bitness,
          sample.component,
          sample.filename,
          sample.isLibrary,
          sample.smdaVersion,
          JSON.stringify(sample.statistics),
          sample.timestamp,
          sample.version,
          sample.functions.length,
        ],
      );
      const functions = sample.functions.map((fn, i) => ({ id: functionIds[i]!, fn }));
      for (const chunk of chunks(functions, INSERT_CHUNK)) await this.insertFunctions(tx, sampleId, familyId, chunk);
      return { sample: (await this.sampleBy(tx, 's.id = $1', sampleId))!, created: true };
    });
  }

  /** One multi-row INSERT per table and chunk: each column travels as one array parameter. */
  private async insertFunctions(tx: PgScope, sampleId: number, familyId: number, chunk: { id: number; fn: NewFunction }[]): Promise<void> {
    await tx.query(
      `INSERT INTO functions (id, sample_id, family_id, "offset", function_name, num_instructions, num_blocks, binweight,
         pichash, minhash, band_keys, picblockhashes, xcfg)
       SELECT id, $1, $2, "offset"::bigint, name, instructions, blocks, binweight, pichash::bigint, minhash, band_keys::bigint[],
         picblockhashes, xcfg
       FROM unnest($3::bigint[], $4::text[], $5::text[], $6::integer[], $7::integer[], $8::float8[], $9::text[], $10::bytea[],
         $11::text[], $12::text[], $13::bytea[])
         AS f (id, "offset", name, instructions, blocks, binweight, pichash, minhash, band_keys, picblockhashes, xcfg)`,
      [
        sampleId,
        familyId,
        chunk.map((c) => c.id),
        chunk.map((c) => toStored(c.fn.offset)),
        chunk.map((c) => c.fn.functionName),
        chunk.map((c) => c.fn.numInstructions),
        chunk.map((c) => c.fn.numBlocks),
        chunk.map((c) => c.fn.binweight),
        chunk.map((c) => (c.fn.picHash === null ? null : toStored(c.fn.picHash))),
        chunk.map((c) => (c.fn.minhash ? Buffer.from(c.fn.minhash) : null)),
        chunk.map((c) => bandKeysLiteral(c.fn.bandHashes)),
        chunk.map((c) => encodePicBlockHashes(c.fn.picBlockHashes)),
        chunk.map((c) => Buffer.from(c.fn.xcfgDeflated)),
      ],
    );
    const blocks = chunk.flatMap((c) => c.fn.picBlockHashes.map((block) => [toStored(block.hash), c.id, toStored(block.offset)] as const));
    for (const part of chunks(blocks, INSERT_CHUNK * 4)) {
      await tx.query(
        `INSERT INTO picblockhash_index (hash, function_id, "offset")
         SELECT h::bigint, f, o::bigint FROM unnest($1::text[], $2::bigint[], $3::text[]) AS b (h, f, o) ON CONFLICT DO NOTHING`,
        [part.map((b) => b[0]), part.map((b) => b[1]), part.map((b) => b[2])],
      );
    }
    const labels = chunk.flatMap((c) => c.fn.labels.map((label) => ({ id: c.id, ...label })));
    if (labels.length > 0) {
      await tx.query(
        `INSERT INTO function_labels (function_id, label, username, timestamp)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
        [labels.map((l) => l.id), labels.map((l) => l.label), labels.map((l) => l.username), labels.map((l) => l.timestamp)],
      );
    }
  }

  /** The id of the family of this name, created when new (concurrent creators agree on one). */
  private async familyId(tx: PgScope, name: string): Promise<number> {
    const known = await tx.query<{ id: number }>('SELECT id FROM families WHERE name = $1', [name]);
    if (known.rows[0]) return known.rows[0].id;
    const created = await tx.query<{ id: number }>(
      "INSERT INTO families (id, name) VALUES (nextval('family_ids'), $1) ON CONFLICT (name) DO NOTHING RETURNING id",
      [name],
    );
    if (created.rows[0]) return created.rows[0].id;
    return (await tx.query<{ id: number }>('SELECT id FROM families WHERE name = $1', [name])).rows[0]!.id;
  }

  private async sampleBy(db: PgScope, condition: string, value: unknown): Promise<SampleRecord | undefined> {
    const { rows } = await db.query<SampleRow>(`${SAMPLES} WHERE ${condition}`, [value]);
    return rows[0] && toSample(rows[0]);
  }

  async getSample(id: number): Promise<SampleRecord | undefined> {
    return this.sampleBy(this.db, 's.id = $1', id);
  }

  async getSampleBySha256(sha256: string): Promise<SampleRecord | undefined> {
    return this.sampleBy(this.db, 's.sha256 = $1', sha256.toLowerCase());
  }

  async listSamples(offset: number, limit: number): Promise<SampleRecord[]> {
    const { rows } = await this.db.query<SampleRow>(`${SAMPLES} ORDER BY s.id LIMIT $1 OFFSET $2`, [limit === 0 ? null : limit, offset]);
    return rows.map(toSample);
  }

  async samplesOfFamily(familyId: number): Promise<SampleRecord[]> {
    const { rows } = await this.db.query<SampleRow>(`${SAMPLES} WHERE s.family_id = $1 ORDER BY s.id`, [familyId]);
    return rows.map(toSample);
  }

  async getFamily(id: number): Promise<FamilyRecord | undefined> {
    return this.familyRecord(this.db, id);
  }

  private async familyRecord(db: PgScope, id: number): Promise<FamilyRecord | undefined> {
    const { rows } = await db.query<FamilyStatsRow>(`${FAMILY_STATS} WHERE f.id = $1 GROUP BY f.id`, [id]);
    return rows[0] && toFamily(rows[0]);
  }

  async listFamilies(offset: number, limit: number): Promise<FamilyRecord[]> {
    const { rows } = await this.db.query<FamilyStatsRow>(`${FAMILY_STATS} GROUP BY f.id ORDER BY f.id LIMIT $1 OFFSET $2`, [
      limit === 0 ? null : limit,
      offset,
    ]);
    return rows.map(toFamily);
  }

  async functionsOfSample(sampleId: number): Promise<FunctionRecord[]> {
    const { rows } = await this.db.query<FunctionRow>(`${FUNCTIONS} WHERE fn.sample_id = $1 ORDER BY fn."offset"`, [sampleId]);
    return this.withLabels(rows);
  }

  async getFunction(id: number): Promise<FunctionRecord | undefined> {
    const { rows } = await this.db.query<FunctionRow>(`${FUNCTIONS} WHERE fn.id = $1`, [id]);
    return (await this.withLabels(rows))[0];
  }

  /** The functions with their labels, read in one statement for all of them. */
  private async withLabels(rows: FunctionRow[]): Promise<FunctionRecord[]> {
    if (rows.length === 0) return [];
    const labels = await this.db.query<FunctionLabel & { function_id: number }>(
      `SELECT function_id, label, username, timestamp FROM function_labels WHERE function_id = ANY($1)
       ORDER BY function_id, timestamp, label`,
      [rows.map((r) => r.id)],
    );
    const byFunction = new Map<number, FunctionLabel[]>();
    for (const { function_id, label, username, timestamp } of labels.rows) {
      let list = byFunction.get(function_id);
      if (!list) byFunction.set(function_id, (list = []));
      list.push({ label, username, timestamp });
    }
    return rows.map((row) => ({
      id: row.id,
      sampleId: row.sample_id,
      familyId: row.family_id,
      offset: fromStored(row.offset),
      functionName: row.function_name,
      architecture: row.architecture,
      numInstructions: row.num_instructions,
      numBlocks: row.num_blocks,
      binweight: row.binweight,
      picHash: row.pichash === null ? null : fromStored(row.pichash),
      minhash: row.minhash && new Uint8Array(row.minhash),
      picBlockHashes: decodePicBlockHashes(row.picblockhashes),
      labels: byFunction.get(row.id) ?? [],
    }));
  }

  async getFunctionXcfg(id: number): Promise<string | undefined> {
    const { rows } = await this.db.query<{ xcfg: Buffer }>('SELECT xcfg FROM functions WHERE id = $1', [id]);
    return rows[0] && inflateRawSync(rows[0].xcfg).toString('utf8');
  }

  async matchableFunctions(sampleId: number): Promise<MatchableFunction[]> {
    const { rows } = await this.db.query<{
      id: number; sample_id: number; family_id: number; offset: string; num_instructions: number; binweight: number; pichash: string | null; minhash: Buffer | null;
    }>(
      `SELECT id, sample_id, family_id, "offset"::text AS offset, num_instructions, binweight, pichash::text AS pichash, minhash
       FROM functions WHERE sample_id = $1 ORDER BY id`,
      [sampleId],
    );
    return rows.map((r) => ({
      id: r.id,
      sampleId: r.sample_id,
      familyId: r.family_id,
      offset: fromStored(r.offset),
      numInstructions: r.num_instructions,
      binweight: r.binweight,
      picHash: r.pichash === null ? null : fromStored(r.pichash),
      signature: r.minhash && new Uint8Array(r.minhash),
    }));
  }

  async bandBucketMembers(bandHashes: readonly number[]): Promise<Int32Array> {
    // The band index is each function's band_keys (GIN-indexed): one index scan finds the functions
    // sharing any key, and the number shared is how many buckets each would appear in. Band i's key
    // is element i of both arrays (the band number is part of the key: it matches nowhere else), so
    // the keys shared are counted position by position. Measured at 1,000,000 functions: 27 ms per
    // lookup from here against 37-41 ms for a count over unnest(band_keys) per candidate (60 functions,
    // 7,390 candidates each on average); on the server alone (EXPLAIN ANALYZE, warm) 3.9 ms against
    // 7.0 ms for 1,947 candidates.
    const keys = bandHashes.map((hash, band) => bandKey(band, hash));
    const shared = keys.map((_, i) => `CASE WHEN band_keys[${i + 1}] = ($1::bigint[])[${i + 1}] THEN 1 ELSE 0 END`).join(' + ');
    const { rows } = await this.db.query<{ id: number; shared: number }>(
      `SELECT id, ${shared} AS shared FROM functions WHERE band_keys && $1::bigint[] ORDER BY id`,
      [keys],
    );
    const members = new Int32Array(rows.reduce((sum, row) => sum + row.shared, 0));
    let at = 0;
    for (const { id, shared } of rows) members.fill(id, at, (at += shared));
    return members;
  }

  async signatureRows(functionIds: readonly number[]): Promise<SignatureRows> {
    const { rows } = await this.db.query<{ id: number; sample_id: number; family_id: number; minhash: Buffer }>(
      `SELECT fn.id, fn.sample_id, fn.family_id, fn.minhash FROM unnest($1::bigint[]) WITH ORDINALITY AS wanted (id, position)
       JOIN functions fn ON fn.id = wanted.id WHERE fn.minhash IS NOT NULL ORDER BY wanted.position`,
      [functionIds],
    );
    const signatures = new Uint8Array(rows.length * 64);
    rows.forEach((row, i) => signatures.set(row.minhash, i * 64));
    return {
      ids: Int32Array.from(rows, (row) => row.id),
      sampleIds: Int32Array.from(rows, (row) => row.sample_id),
      familyIds: Int32Array.from(rows, (row) => row.family_id),
      signatures,
    };
  }

  async snapshot<T>(read: (samples: SampleStore) => Promise<T>): Promise<T> {
    // Inside a transaction already (a job's commit): its own view.
    if (!(this.db instanceof PoolScope)) return read(this);
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return read(new PgSampleStore(tx));
    });
  }

  async picHashMatches(picHash: bigint): Promise<PicHashMatch[]> {
    const { rows } = await this.db.query<{ family_id: number; sample_id: number; id: number }>(
      'SELECT family_id, sample_id, id FROM functions WHERE pichash = $1::bigint ORDER BY id',
      [toStored(picHash)],
    );
    return rows.map((r) => [r.family_id, r.sample_id, r.id]);
  }

  async picBlockHashMatches(hash: bigint): Promise<PicBlockHashMatch[]> {
    const { rows } = await this.db.query<{ family_id: number; sample_id: number; function_id: number; offset: string }>(
      `SELECT fn.family_id, fn.sample_id, p.function_id, p."offset"::text AS offset FROM picblockhash_index p
       JOIN functions fn ON fn.id = p.function_id WHERE p.hash = $1::bigint ORDER BY p.function_id, p."offset"`,
      [toStored(hash)],
    );
    return rows.map((r) => [r.family_id, r.sample_id, r.function_id, fromStored(r.offset)]);
  }

  async status(): Promise<CollectionStatus> {
    const { rows } = await this.db.query<{ families: number; samples: number; functions: number; bands: number; pichashes: number }>(
      `SELECT (SELECT count(*) FROM families) AS families, (SELECT count(*) FROM samples) AS samples,
         fn.functions, fn.bands, (SELECT count(DISTINCT pichash) FROM functions WHERE pichash IS NOT NULL) AS pichashes
       FROM (SELECT count(*) AS functions, coalesce(sum(cardinality(band_keys)), 0) AS bands FROM functions) fn`,
    );
    const counts = rows[0]!;
    return {
      numFamilies: counts.families,
      numSamples: counts.samples,
      numFunctions: counts.functions,
      numPicHashes: counts.pichashes,
      numBandEntries: counts.bands,
    };
  }

  async modifySample(id: number, changes: SampleChanges): Promise<SampleRecord | undefined> {
    return this.db.transaction(async (tx) => ((await this.edits.modifySample(tx, id, changes)) ? this.sampleBy(tx, 's.id = $1', id) : undefined));
  }

  async modifyFamily(id: number, changes: FamilyChanges): Promise<FamilyRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const holder = await this.edits.modifyFamily(tx, id, changes);
      return holder === undefined ? undefined : this.familyRecord(tx, holder);
    });
  }

  async deleteSample(id: number): Promise<{ sample: SampleRecord; deleted: DeletionCounts } | undefined> {
    return this.db.transaction(async (tx) => {
      const sample = await this.sampleBy(tx, 's.id = $1', id);
      return sample && { sample, deleted: (await this.edits.deleteSample(tx, id))! };
    });
  }

  async deleteFamily(id: number, keepSamples: boolean): Promise<DeletedFamily | undefined> {
    return this.db.transaction((tx) => this.edits.deleteFamily(tx, id, keepSamples));
  }

  async rebuildBandIndex(progress?: (fraction: number) => void): Promise<BandIndexRebuild> {
    return this.db.transaction((tx) => this.edits.rebuildBandIndex(tx, progress));
  }
}
