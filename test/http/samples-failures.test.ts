import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../support/harness.js';
import { fixtureText } from '../smda/fixtures.js';
import { call, collectionStatus, expectData, jobEnded } from '../support/collection.js';

/** Reports that cannot be stored: too large for the server, or failing in their job (malformed functions, unhashable). */
describe('POST /samples with a report that cannot be stored', () => {
  let service: TestService;
  const report = fixtureText('example_report_3');
  before(async () => {
    service = await startTestService({ maxReportBytes: report.length + 100 });
  });
  after(() => service.close());

  test('a report larger than the limit is a 413 in the failed envelope, and nothing is queued', async () => {
    const large = fixtureText('example_report');
    const answer = await call(service, 'POST', '/samples', large);
    assert.equal(answer.status, 413);
    assert.equal(answer.body.status, 'failed');
    assert.match(answer.body.data.message, /too large/i);
    assert.equal((await service.engine.store.stats(false)).total_jobs, 0);
  });

  test('a report with a malformed function is queued (POST /samples checks all but the functions): its job fails at its first attempt naming the field, nothing is stored', async () => {
    const broken = JSON.parse(report);
    const block = Object.values((Object.values(broken.xcfg)[0] as any).blocks)[0] as any[];
    block[0][1] = 'abc';
    const job = expectData(await call(service, 'POST', '/samples', JSON.stringify(broken)), 202);
    const ended = await jobEnded(service, job.job_id);
    assert.equal(ended.state, 'failed');
    assert.deepEqual([ended.attempts, ended.maxAttempts > 1], [1, true], 'a malformed report is not retried');
    assert.match(ended.error ?? '', /xcfg\.\d+\.blocks\.\d+\[0\]\[1\]: expected hex bytes/);
    const status = await collectionStatus(service);
    assert.deepEqual([status.num_samples, status.num_functions, status.num_band_entries], [0, 0, 0]);
  });

  test('U+0000 in text the store keeps is refused on either store: a 400 for a query value or the report head, a failed job for a function name', async () => {
    const withNul = 'a\u0000b';
    const byQuery = await call(service, 'POST', `/samples?filename=${encodeURIComponent(withNul)}`, report);
    assert.equal(byQuery.status, 400);
    assert.match(byQuery.body.data.message, /filename/);
    const inHead = JSON.parse(report);
    inHead.metadata.family = withNul;
    const byHead = await call(service, 'POST', '/samples', JSON.stringify(inHead));
    assert.equal(byHead.status, 400);
    assert.match(byHead.body.data.message, /metadata\.family: contains U\+0000/);

    const inFunction = JSON.parse(report);
    const [offset, fn] = Object.entries(inFunction.xcfg)[0] as [string, any];
    fn.metadata.function_name = withNul;
    const job = expectData(await call(service, 'POST', '/samples', JSON.stringify(inFunction)), 202);
    const ended = await jobEnded(service, job.job_id);
    assert.deepEqual([ended.state, ended.attempts], ['failed', 1]);
    assert.match(ended.error ?? '', new RegExp(`xcfg\\.${offset}\\.metadata\\.function_name: contains U\\+0000`));
    assert.equal((await collectionStatus(service)).num_samples, 0);
  });

  test('a report that validates but cannot be hashed fails its job at its first attempt with a readable error, and nothing of it is stored', async () => {
    // SMDA would refuse to hash a function whose entry is not the start of one of its blocks.
    const broken = JSON.parse(report);
    const [offset, fn] = Object.entries(broken.xcfg)[0] as [string, any];
    const moved = String(Number(offset) + 1);
    fn.offset = Number(moved);
    broken.xcfg = { [moved]: fn };
    const job = expectData(await call(service, 'POST', '/samples', JSON.stringify(broken)), 202);
    const ended = await jobEnded(service, job.job_id);
    assert.equal(ended.state, 'failed');
    assert.deepEqual([ended.attempts, ended.maxAttempts > 1], [1, true], 'an unhashable report is not retried');
    assert.match(ended.error ?? '', /SmdaReportError: xcfg\.\d+: function 0x[0-9a-f]+ has no block at its offset/);
    const status = await collectionStatus(service);
    assert.deepEqual([status.num_samples, status.num_functions, status.num_band_entries], [0, 0, 0]);
    // The worker carries on: the intact report is stored afterwards.
    const next = expectData(await call(service, 'POST', '/samples', report), 202);
    assert.equal((await jobEnded(service, next.job_id)).state, 'finished');
    assert.equal((await collectionStatus(service)).num_samples, 1);
  });
});
