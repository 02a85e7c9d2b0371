import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/harness.js';
import {
  bandEntries,
  call,
  collectionStatus,
  expectData,
  functionsOf,
  golden,
  hashedFunctions,
  ingest,
  requestJob,
  rowsOfFunctions,
} from '../support/collection.js';
import { expectFailure, messages } from '../support/http-helpers.js';

/** DELETE /samples/{id} and /families/{id} (deleteSample, deleteFamily jobs) and GET /rebuild_index. */

const BANDS = 20;
const hex = (hash: bigint | number) => BigInt(hash).toString(16).padStart(16, '0');

const runJob = async (...args: Parameters<typeof requestJob>) => (await requestJob(...args)).result;

/** The PicHash and PicBlockHash lookups of every hash these functions have. */
async function lookups(service: TestService, functions: any[]): Promise<Map<string, unknown>> {
  const answers = new Map<string, unknown>();
  for (const fn of functions) {
    answers.set(`pichash ${fn.pichash}`, expectData(await call(service, 'GET', `/query/pichash/${hex(fn.pichash)}`)));
    for (const block of fn.picblockhashes) {
      answers.set(`block ${block.hash}`, expectData(await call(service, 'GET', `/query/picblockhash/${hex(block.hash)}`)));
    }
  }
  return answers;
}

/** Asserts the band index equals what a rebuild from the stored signatures gives (no stale entries, none missing). */
async function expectBandIndexAsRebuilt(service: TestService): Promise<void> {
  const entries = await bandEntries(service);
  const rebuilt = await runJob(service, 'GET', '/rebuild_index', { method: 'rebuildIndex', parameters: {} });
  assert.equal(rebuilt.num_band_entries, entries.length);
  assert.deepEqual(await bandEntries(service), entries);
}

describe('DELETE /samples/{sample_id}', () => {
  let service: TestService;
  const ids: Record<string, number> = {};
  const reports = ['example_report', 'example_report_2', 'library_report', 'crossarch_cil_a'];
  before(async () => {
    service = await startTestService();
    for (const name of reports) ids[name] = await ingest(service, name, '?family=shared');
  });
  after(() => service.close());

  test('removes the sample, its functions, band entries, PicBlockHashes and labels; nothing else changes', async () => {
    const [name, id] = ['example_report', ids['example_report']!];
    const functions = await functionsOf(service, id);
    const fids = Object.keys(functions).map(Number);
    const others = Object.fromEntries(await Promise.all(reports.filter((r) => r !== name).map(async (r) => [r, await functionsOf(service, ids[r]!)])));
    const status = await collectionStatus(service);
    const entries = await bandEntries(service);
    const found = await lookups(service, Object.values(functions));
    assert.ok((await rowsOfFunctions(service, 'function_labels', fids)) > 0 && (await rowsOfFunctions(service, 'picblockhash_index', fids)) > 0);

    const result = await runJob(service, 'DELETE', `/samples/${id}`, { method: 'deleteSample', parameters: { sample_id: id } });
    const hashed = hashedFunctions(name);
    assert.deepEqual(
      [result.deleted, result.sample.sample_id, result.sample.sha256, result.num_samples_deleted, result.num_functions_deleted, result.num_band_entries_deleted],
      [true, id, golden(name).sample['sha256'], 1, fids.length, hashed * BANDS],
    );

    expectFailure(await call(service, 'GET', `/samples/${id}`), 404, `no sample with id ${id}`);
    expectFailure(await call(service, 'GET', `/samples/${id}/functions`), 404, `no sample with id ${id}`);
    for (const fid of fids) expectFailure(await call(service, 'GET', `/functions/${fid}`), 404, `no function with id ${fid}`);
    for (const table of ['band_index', 'picblockhash_index', 'function_labels'] as const) assert.equal(await rowsOfFunctions(service, table, fids), 0, table);
    assert.deepEqual(await bandEntries(service), entries.filter(([, fid]) => !fids.includes(fid)), 'the other entries stay, shared band keys too');

    let [shared, gone] = [0, 0];
    for (const [key, before] of found) {
      const [kind, hash] = key.split(' ') as [string, string];
      const after = expectData(await call(service, 'GET', `/query/${kind === 'block' ? 'picblockhash' : 'pichash'}/${hex(BigInt(hash))}`));
      const expected = (before as number[][]).filter((match) => match[1] !== id);
      assert.deepEqual(after, expected, key);
      if (expected.length > 0) shared++;
      else if (kind === 'pichash') gone++;
    }
    assert.ok(shared > 0, 'some hashes are shared with other samples: their matches remain');
    assert.deepEqual(await collectionStatus(service), {
      ...status,
      num_samples: status['num_samples']! - 1,
      num_functions: status['num_functions']! - fids.length,
      num_pichashes: status['num_pichashes']! - gone,
      num_band_entries: status['num_band_entries']! - hashed * BANDS,
    });
    for (const [other, before] of Object.entries(others)) assert.deepEqual(await functionsOf(service, ids[other]!), before, other);
    assert.equal(expectData(await call(service, 'GET', '/families/1?with_samples=false')).num_samples, reports.length - 1);
    await expectBandIndexAsRebuilt(service);
  });

  test('an unknown or deleted sample is a 404, a bad id a 400, and neither queues a job', async () => {
    const jobs = (await service.engine.store.stats(false)).total_jobs;
    const deleted = ids['example_report']!;
    expectFailure(await call(service, 'DELETE', `/samples/${deleted}`), 404, `no sample with id ${deleted}`);
    expectFailure(await call(service, 'DELETE', '/samples/999'), 404, 'no sample with id 999');
    for (const bad of ['abc', '-1', '1.5', '1'.repeat(16)]) {
      expectFailure(
        await call(service, 'DELETE', `/samples/${bad}`),
        400,
        `invalid path parameter 'sample_id': expected a sample id (a non-negative integer), got ${JSON.stringify(bad)}`,
      );
    }
    assert.equal((await service.engine.store.stats(false)).total_jobs, jobs);
  });
});

describe('DELETE /families/{family_id}', () => {
  let service: TestService;
  const ids: Record<string, number> = {};
  before(async () => {
    service = await startTestService();
    ids['example_report'] = await ingest(service, 'example_report', '?family=alpha');
    ids['example_report_2'] = await ingest(service, 'example_report_2', '?family=alpha');
    ids['example_report_3'] = await ingest(service, 'example_report_3', '?family=beta');
    ids['library_report'] = await ingest(service, 'library_report', '?family=beta');
    ids['crossarch_cil_a'] = await ingest(service, 'crossarch_cil_a');
  });
  after(() => service.close());

  const familyOf = async (name: string) => expectData(await call(service, 'GET', `/samples/${ids[name]}`)).family_id as number;

  test('deletes the family with its samples, their functions and band entries', async () => {
    const alpha = await familyOf('example_report');
    const members = ['example_report', 'example_report_2'];
    const fids = (await Promise.all(members.map(async (name) => Object.keys(await functionsOf(service, ids[name]!)).map(Number)))).flat();
    const entries = await bandEntries(service);
    const status = await collectionStatus(service);
    const result = await runJob(service, 'DELETE', `/families/${alpha}`, { method: 'deleteFamily', parameters: { family_id: alpha, keep_samples: false } });
    const hashed = members.reduce((n, name) => n + hashedFunctions(name), 0);
    assert.deepEqual(result, {
      deleted: true,
      family_id: alpha,
      family_name: 'alpha',
      keep_samples: false,
      num_samples_moved: 0,
      num_samples_deleted: 2,
      num_functions_deleted: fids.length,
      num_band_entries_deleted: hashed * BANDS,
    });
    expectFailure(await call(service, 'GET', `/families/${alpha}`), 404, `no family with id ${alpha}`);
    for (const name of members) expectFailure(await call(service, 'GET', `/samples/${ids[name]}`), 404, `no sample with id ${ids[name]}`);
    for (const table of ['band_index', 'picblockhash_index', 'function_labels'] as const) assert.equal(await rowsOfFunctions(service, table, fids), 0, table);
    assert.deepEqual(await bandEntries(service), entries.filter(([, fid]) => !fids.includes(fid)));
    const now = await collectionStatus(service);
    assert.deepEqual(
      [now['num_families'], now['num_samples'], now['num_functions']],
      [status['num_families']! - 1, status['num_samples']! - 2, status['num_functions']! - fids.length],
    );
    await expectBandIndexAsRebuilt(service);
  });

  test('keep_samples moves the samples and their functions to family 0', async () => {
    const beta = await familyOf('example_report_3');
    const entries = await bandEntries(service);
    const before = expectData(await call(service, 'GET', '/families/0?with_samples=false'));
    const result = await runJob(service, 'DELETE', `/families/${beta}?keep_samples=TRUE`, {
      method: 'deleteFamily',
      parameters: { family_id: beta, keep_samples: true },
    });
    assert.deepEqual(
      [result.deleted, result.num_samples_moved, result.num_samples_deleted, result.num_functions_deleted],
      [true, 2, 0, 0],
    );
    expectFailure(await call(service, 'GET', `/families/${beta}`), 404, `no family with id ${beta}`);
    for (const name of ['example_report_3', 'library_report']) {
      const sample = expectData(await call(service, 'GET', `/samples/${ids[name]}`));
      assert.deepEqual([sample.family_id, sample.family], [0, ''], name);
      assert.ok(Object.values(await functionsOf(service, ids[name]!)).every((fn: any) => fn.family_id === 0), `functions of ${name}`);
    }
    const unnamed = expectData(await call(service, 'GET', '/families/0?with_samples=false'));
    assert.equal(unnamed.num_samples, before.num_samples + 2);
    assert.deepEqual(await bandEntries(service), entries, 'moving samples leaves the band index alone');
  });

  test('family 0 is never deleted; unknown ids are 404s, bad values 400s; none queues a job', async () => {
    const jobs = (await service.engine.store.stats(false)).total_jobs;
    expectFailure(await call(service, 'DELETE', '/families/0'), 400, "invalid path parameter 'family_id': family 0, the unnamed family, is never deleted");
    expectFailure(await call(service, 'DELETE', '/families/0?keep_samples=true'), 400, /family 0/);
    expectFailure(await call(service, 'DELETE', '/families/999'), 404, 'no family with id 999');
    expectFailure(await call(service, 'DELETE', '/families/999?keep_samples=maybe'), 400, messages.boolean('keep_samples', 'maybe'));
    expectFailure(
      await call(service, 'DELETE', '/families/x1'),
      400,
      `invalid path parameter 'family_id': expected a family id (a non-negative integer), got "x1"`,
    );
    assert.equal((await service.engine.store.stats(false)).total_jobs, jobs);
    assert.equal(expectData(await call(service, 'GET', '/families/0?with_samples=false')).family_name, '');
  });
});
