import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, waitFor } from '../support/harness.js';
import {
  bandEntries,
  call,
  collectionStatus,
  expectData,
  functionsOf,
  golden,
  hashedFunctions,
  ingest,
  jobEnded,
  jobResult,
  rowsOfFunctions,
} from '../support/collection.js';
import { expectFailure } from '../support/http-helpers.js';
import { fixtureText } from '../smda/fixtures.js';

/** Deletions queued behind (and between) ingests: one worker, held busy while the requests arrive. */

test('deleting samples while ingest jobs are still queued corrupts nothing', async () => {
  const service = await startTestService({ workers: 1 });
  try {
    const a = await ingest(service, 'example_report');
    const aFunctions = Object.keys(await functionsOf(service, a)).map(Number);
    const blocker = await service.engine.submit({ method: 'sleep', parameters: { ms: 1_500, steps: 3 }, forceRecalculation: true });
    await waitFor(async () => (await service.engine.store.getJob(blocker.job.id))?.state === 'processing', { what: 'the blocker' });

    const ingestB = expectData(await call(service, 'POST', '/samples', fixtureText('example_report_2')), 202);
    const ingestC = expectData(await call(service, 'POST', '/samples', fixtureText('crossarch_cil_a')), 202);
    const deleteA = expectData(await call(service, 'DELETE', `/samples/${a}`), 202);
    assert.equal(deleteA.state, 'queued');
    assert.equal(expectData(await call(service, 'DELETE', `/samples/${a}`), 202).job_id, deleteA.job_id, 'a second DELETE is the same job');
    // B has no id before its ingest commits: the id it will get is not a sample yet.
    expectFailure(await call(service, 'DELETE', `/samples/${a + 1}`), 404, `no sample with id ${a + 1}`);
    const again = await call(service, 'POST', '/samples', fixtureText('example_report'));
    assert.deepEqual([again.status, again.body.data.sample.sample_id], [409, a], 'still stored while its deletion is queued');
    // Deleting the queued ingest of C: C is never stored.
    assert.equal(expectData(await call(service, 'DELETE', `/jobs/${ingestC.job_id}`)).num_deleted, 1);
    assert.equal((await service.engine.store.getJob(ingestB.job_id))?.state, 'queued');

    const b = (await jobResult(service, ingestB.job_id, 'the ingest of B')).sample.sample_id;
    assert.equal((await jobResult(service, deleteA.job_id, 'the deletion of A')).deleted, true);
    assert.equal((await jobEnded(service, blocker.job.id)).state, 'finished');

    expectFailure(await call(service, 'GET', `/samples/${a}`), 404);
    for (const table of ['band_index', 'picblockhash_index', 'function_labels'] as const) assert.equal(await rowsOfFunctions(service, table, aFunctions), 0, table);
    const bFunctions = Object.keys(await functionsOf(service, b)).map(Number);
    assert.equal(bFunctions.length, golden('example_report_2').functions.length);
    assert.ok(bFunctions.every((fid) => !aFunctions.includes(fid)), 'function ids are not reused');
    assert.ok((await bandEntries(service)).every(([, fid]) => bFunctions.includes(fid)), 'every band entry is one of B');
    const status = await collectionStatus(service);
    assert.deepEqual(
      [status['num_samples'], status['num_functions'], status['num_band_entries']],
      [1, bFunctions.length, hashedFunctions('example_report_2') * 20],
    );
    expectFailure(await call(service, 'GET', `/samples/sha256/${golden('crossarch_cil_a').sample['sha256']}`), 404);

    // A can be added again: it gets a new id, and everything adds up.
    assert.ok((await ingest(service, 'example_report')) > b);
    const total = await collectionStatus(service);
    assert.deepEqual(
      [total['num_samples'], total['num_band_entries']],
      [2, (hashedFunctions('example_report') + hashedFunctions('example_report_2')) * 20],
    );
  } finally {
    await service.close();
  }
});
