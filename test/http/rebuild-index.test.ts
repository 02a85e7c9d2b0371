import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/harness.js';
import { bandEntries, call, collectionStatus, expectData, hashedFunctions, ingest, jobEnded, requestJob } from '../support/collection.js';
import { serviceSql, serviceSqlOf } from '../support/service-sql.js';

/** GET /rebuild_index: a forced rebuildIndex job that rebuilds band_index from the stored signatures. */

const BANDS = 20;

const rebuild = (service: TestService) => requestJob(service, 'GET', '/rebuild_index', { method: 'rebuildIndex', parameters: {} });

describe('GET /rebuild_index', () => {
  let service: TestService;
  const reports = ['example_report', 'example_report_2', 'library_report', 'crossarch_cil_b'];
  const hashed = reports.reduce((n, name) => n + hashedFunctions(name), 0);
  let entries: [number, number][];
  before(async () => {
    service = await startTestService();
    for (const name of reports) await ingest(service, name);
    entries = await bandEntries(service);
    assert.equal(entries.length, hashed * BANDS);
  });
  after(() => service.close());

  test('restores a band index emptied by hand to exactly the same entries', async () => {
    await serviceSqlOf(service, { sqlite: 'DELETE FROM band_index', postgres: 'UPDATE functions SET band_keys = NULL' });
    assert.equal((await collectionStatus(service))['num_band_entries'], 0);
    const { job, result } = await rebuild(service);
    assert.deepEqual(result, { minhash_functions_indexed: hashed, num_band_entries: hashed * BANDS });
    assert.deepEqual(await bandEntries(service), entries);
    assert.equal((await collectionStatus(service))['num_band_entries'], entries.length);
    const ended = expectData(await call(service, 'GET', `/jobs/${job.job_id}`));
    assert.deepEqual([ended.state, ended.progress], ['finished', 1]);
  });

  test('drops stale entries and restores missing ones', async () => {
    // PostgreSQL keeps a function's entries in its row: no entry can name a function that does not exist.
    await serviceSqlOf(service, {
      sqlite: 'DELETE FROM band_index WHERE function_id % 2 = 0',
      postgres: 'UPDATE functions SET band_keys = NULL WHERE id % 2 = 0',
    });
    if (service.storage.kind === 'sqlite') {
      await serviceSql(service, 'INSERT INTO band_index (band_key, function_id) VALUES (?, ?), (?, ?)', [12345, 999_999, entries[0]![0], 888_888]);
    } else {
      await serviceSql(service, 'UPDATE functions SET band_keys = band_keys || ARRAY[?::bigint, ?::bigint] WHERE id = 1', [12345, entries[0]![0]]);
    }
    await rebuild(service);
    assert.deepEqual(await bandEntries(service), entries);
  });

  test('is never de-duplicated: each request is a new job', async () => {
    const first = expectData(await call(service, 'GET', '/rebuild_index'), 202);
    const second = expectData(await call(service, 'GET', '/rebuild_index'), 202);
    assert.notEqual(first.job_id, second.job_id);
    for (const job of [first, second]) assert.equal((await jobEnded(service, job.job_id)).state, 'finished');
    assert.deepEqual(await bandEntries(service), entries);
  });
});

test('a rebuild of an empty collection indexes nothing', async () => {
  const service = await startTestService();
  try {
    assert.deepEqual((await rebuild(service)).result, { minhash_functions_indexed: 0, num_band_entries: 0 });
  } finally {
    await service.close();
  }
});
