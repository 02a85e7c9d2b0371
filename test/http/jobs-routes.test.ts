import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { JobRecord } from '../../src/jobs/types.js';
import { serviceSql, serviceSqlOf } from '../support/service-sql.js';
import { api, startTestService, TEST_METHODS, waitFor, type TestService } from '../support/harness.js';
import {
  claimJob,
  enqueueAt,
  expectFailure,
  expectSuccess,
  failJob,
  finishJob,
  HTTP_TEST_METHODS,
  messages,
  TIMESTAMP,
} from '../support/http-helpers.js';
import { matchingShapedResult } from '../support/http-test-methods.js';

/**
 * GET /jobs/{id}, GET /jobs/{id}/result, GET /results/{id}, GET /results/{id}/job and GET /jobs/stats
 * on the real service: jobs run by real worker threads, plus jobs moved through their states at
 * chosen times by a fake worker on a service without workers.
 */

const JOB_FIELDS = [
  'job_id', 'number', 'method', 'state', 'created', 'started', 'finished', 'progress', 'parameters', 'result_id',
  'attempts', 'max_attempts', 'error', 'duration', 'depends_on',
];
const ID = /^[0-9a-f]{24}$/;

/** What the `query` method of test/support/test-methods.ts returns. */
const QUERY_RESULT = {
  info: { job: 'query' },
  matches: { aggregation: { sample_matches: 1 }, functions: [[1, 2, 3, 99.5, 0]], samples: [{ sample_id: 2 }] },
};

function withoutFunctions<T extends { matches: { functions?: unknown } }>(result: T): T {
  const copy = structuredClone(result);
  delete copy.matches.functions;
  return copy;
}

let live: TestService;
const get = (path: string) => api(live.url, 'GET', path);

async function finished(id: string): Promise<JobRecord> {
  return waitFor(
    async () => {
      const job = await live.engine.store.getJob(id);
      return (job?.state === 'finished' || job?.state === 'failed') && job;
    },
    { what: `job ${id} to end` },
  );
}

before(async () => {
  live = await startTestService({ methodModules: [TEST_METHODS, HTTP_TEST_METHODS] });
});

after(async () => {
  await live.close();
});

describe('jobs run by real workers', () => {
  test('GET /jobs/{id} of a finished job shows every field of the contract, and parameters describe the input without its bytes', async () => {
    const bytes = Buffer.from('THE-UPLOADED-BYTES-must-not-appear');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const { job } = await live.engine.submit({ method: 'echo', parameters: { word: 'hi', filename: 'a.exe' }, input: bytes });
    await finished(job.id);

    const view = expectSuccess(await get(`/jobs/${job.id}`));
    assert.deepEqual(Object.keys(view).sort(), [...JOB_FIELDS].sort());
    assert.equal(view.job_id, job.id);
    assert.match(view.job_id, ID);
    assert.equal(view.number, job.number);
    assert.equal(view.method, 'echo');
    assert.equal(view.state, 'finished');
    for (const key of ['created', 'started', 'finished']) assert.match(view[key], TIMESTAMP, key);
    assert.ok(view.created <= view.started && view.started <= view.finished);
    assert.equal(view.progress, 1);
    assert.deepEqual(view.parameters, { word: 'hi', filename: 'a.exe', sha256, size: bytes.byteLength });
    assert.match(view.result_id, ID);
    assert.notEqual(view.result_id, job.id);
    assert.equal(view.attempts, 1);
    assert.equal(view.max_attempts, 3);
    assert.equal(view.error, null);
    assert.equal(typeof view.duration, 'number');
    assert.ok(view.duration >= 0 && view.duration < 30);
    assert.deepEqual(view.depends_on, []);
    const text = JSON.stringify(view);
    assert.ok(!text.includes(bytes.toString('utf8')) && !text.includes(bytes.toString('base64')), 'the uploaded bytes leak');
  });

  test('the result of a finished job is served by GET /jobs/{id}/result and GET /results/{result_id}, and GET /results/{result_id}/job is the job', async () => {
    const { job } = await live.engine.submit({ method: 'echo', parameters: { word: 'result' }, input: Buffer.from('abc') });
    await finished(job.id);
    const view = expectSuccess(await get(`/jobs/${job.id}`));
    const expected = { parameters: { word: 'result', sha256: view.parameters.sha256, size: 3 }, attempt: 1, jobId: job.id, inputLength: 3, inputText: 'abc' };
    assert.equal(view.parameters.sha256, createHash('sha256').update('abc').digest('hex'));
    assert.deepEqual(expectSuccess(await get(`/jobs/${job.id}/result`)), expected);
    assert.deepEqual(expectSuccess(await get(`/results/${view.result_id}`)), expected);
    assert.deepEqual(expectSuccess(await get(`/results/${view.result_id}/job`)), expectSuccess(await get(`/jobs/${job.id}`)));
  });

  test('a large result (over 256 KB compressed) is streamed and arrives whole', async () => {
    const input = Buffer.from(randomBytes(600_000).toString('base64'));
    const { job } = await live.engine.submit({ method: 'echo', parameters: { word: 'large' }, input });
    await finished(job.id);
    const stored = await live.engine.store.getResult(expectSuccess(await get(`/jobs/${job.id}`)).result_id);
    assert.ok(stored!.gzipJson.byteLength > 256 * 1024, `${stored!.gzipJson.byteLength} bytes compressed`);
    const answer = await get(`/jobs/${job.id}/result`);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(answer.headers.get('transfer-encoding'), 'chunked', 'sent as it is decompressed, without a length known up front');
    assert.equal(expectSuccess(answer).inputText, input.toString());
  });

  test('compact=true drops exactly matches.functions from a query result, on both result routes', async () => {
    const { job } = await live.engine.submit({ method: 'query', parameters: { q: 'compact' } });
    await finished(job.id);
    const resultId = expectSuccess(await get(`/jobs/${job.id}`)).result_id;
    for (const base of [`/jobs/${job.id}/result`, `/results/${resultId}`]) {
      for (const full of [base, `${base}?compact=false`, `${base}?compact=0`, `${base}?compact=FALSE`]) {
        assert.deepEqual(expectSuccess(await get(full)), QUERY_RESULT, full);
      }
      for (const compact of [`${base}?compact=true`, `${base}?compact=1`, `${base}?compact=True`]) {
        assert.deepEqual(expectSuccess(await get(compact)), withoutFunctions(QUERY_RESULT), compact);
      }
    }
  });

  test('compact=true drops matches.functions for getMatchesForSample and getMatchesForSampleVs, and nothing else', async () => {
    for (const method of ['getMatchesForSample', 'getMatchesForSampleVs']) {
      const { job } = await live.engine.submit({ method, parameters: { sample: 1 } });
      await finished(job.id);
      const full = matchingShapedResult(method);
      const resultId = expectSuccess(await get(`/jobs/${job.id}`)).result_id;
      assert.deepEqual(expectSuccess(await get(`/jobs/${job.id}/result`)), full);
      assert.deepEqual(expectSuccess(await get(`/jobs/${job.id}/result?compact=true`)), withoutFunctions(full));
      assert.deepEqual(expectSuccess(await get(`/results/${resultId}?compact=true`)), withoutFunctions(full));
      // functions elsewhere in the result stay
      assert.deepEqual(expectSuccess(await get(`/results/${resultId}?compact=true`)).functions_outside_matches, { functions: ['kept'] });
    }
  });

  test('compact=true changes nothing for other methods, even when their result has matches.functions', async () => {
    const { job: cross } = await live.engine.submit({ method: 'getMatchesForCross', parameters: { samples: [1, 2] } });
    const { job: echo } = await live.engine.submit({ method: 'echo', parameters: { matches: { functions: [1] } } });
    await finished(cross.id);
    await finished(echo.id);
    const crossFull = matchingShapedResult('getMatchesForCross');
    assert.deepEqual(expectSuccess(await get(`/jobs/${cross.id}/result?compact=true`)), crossFull);
    const crossResult = expectSuccess(await get(`/jobs/${cross.id}`)).result_id;
    assert.deepEqual(expectSuccess(await get(`/results/${crossResult}?compact=true`)), crossFull);
    const echoFull = expectSuccess(await get(`/jobs/${echo.id}/result`));
    assert.deepEqual(echoFull.parameters, { matches: { functions: [1] } });
    assert.deepEqual(expectSuccess(await get(`/jobs/${echo.id}/result?compact=true`)), echoFull);
  });

  test('a job without a result answers 404 naming its state: queued, processing, failed', async () => {
    const { job: sleeper } = await live.engine.submit({ method: 'sleep', parameters: { ms: 1500, steps: 3 } });
    const { job: waiting } = await live.engine.submit({ method: 'noop', parameters: { waits: 'for sleeper' }, dependsOn: [sleeper.id] });
    const { job: failing } = await live.engine.submit({ method: 'flaky', parameters: { tag: 'fails' }, maxAttempts: 1 });

    await waitFor(async () => (await live.engine.store.getJob(sleeper.id))?.state === 'processing', { what: 'sleeper to start' });
    expectFailure(await get(`/jobs/${sleeper.id}/result`), 404, messages.noResultYet(sleeper.id, 'processing'));
    const processing = expectSuccess(await get(`/jobs/${sleeper.id}`));
    assert.equal(processing.state, 'processing');
    assert.match(processing.started, TIMESTAMP);
    assert.equal(processing.finished, null);
    assert.equal(processing.result_id, null);
    assert.equal(typeof processing.duration, 'number');

    expectFailure(await get(`/jobs/${waiting.id}/result`), 404, messages.noResultYet(waiting.id, 'queued'));
    expectFailure(await get(`/jobs/${waiting.id.toUpperCase()}/result`), 404, messages.noResultYet(waiting.id, 'queued'));
    const queued = expectSuccess(await get(`/jobs/${waiting.id}`));
    assert.deepEqual(
      [queued.state, queued.started, queued.finished, queued.result_id, queued.progress, queued.duration, queued.depends_on],
      ['queued', null, null, null, 0, null, [sleeper.id]],
    );

    await finished(failing.id);
    expectFailure(await get(`/jobs/${failing.id}/result`), 404, messages.noResultYet(failing.id, 'failed'));
    const failed = expectSuccess(await get(`/jobs/${failing.id}`));
    assert.equal(failed.state, 'failed');
    assert.equal(failed.result_id, null);
    assert.equal(failed.attempts, 1);
    assert.equal(failed.max_attempts, 1);
    assert.match(failed.error, /flaky failure on attempt 1/);
    assert.match(failed.finished, TIMESTAMP);

    await finished(waiting.id);
    assert.equal(expectSuccess(await get(`/jobs/${waiting.id}/result`)), null, 'noop returns null');
  });
});

describe('jobs moved by a fake worker at chosen times', () => {
  let quiet: TestService;
  before(async () => {
    quiet = await startTestService({ workers: 0 });
  });
  after(async () => {
    await quiet.close();
  });

  test('timestamps are UTC, formatted YYYY-MM-DDTHH:MM:SS (truncated, not rounded), and duration is in seconds', async () => {
    const store = quiet.engine.store;
    const created = Date.UTC(2024, 0, 15, 10, 30, 0, 999);
    const started = Date.UTC(2024, 0, 15, 10, 30, 5, 500);
    const ended = Date.UTC(2024, 0, 15, 10, 31, 0, 250);
    const job = await enqueueAt(store, 'echo', { when: 'then' }, created);
    const resultId = await finishJob(store, job, { ok: 1 }, { startedAt: started, finishedAt: ended });

    const late = await enqueueAt(store, 'noop', { when: 'new year' }, Date.UTC(2024, 11, 31, 23, 59, 59, 999));
    const views = [
      expectSuccess(await api(quiet.url, 'GET', `/jobs/${job.id}`)),
      expectSuccess(await api(quiet.url, 'GET', `/results/${resultId}/job`)),
      expectSuccess<any[]>(await api(quiet.url, 'GET', '/jobs?method=echo'))[0],
    ];
    for (const view of views) {
      assert.equal(view.created, '2024-01-15T10:30:00');
      assert.equal(view.started, '2024-01-15T10:30:05');
      assert.equal(view.finished, '2024-01-15T10:31:00');
      assert.equal(view.duration, 54.75);
    }
    const lateView = expectSuccess(await api(quiet.url, 'GET', `/jobs/${late.id}`));
    assert.equal(lateView.created, '2024-12-31T23:59:59');
    assert.equal(lateView.started, null);
    assert.equal(lateView.finished, null);
    assert.equal(lateView.duration, null);
  });

  test('GET /jobs/{id} of a failed job shows its error, its attempts and no result', async () => {
    const store = quiet.engine.store;
    const job = await enqueueAt(store, 'flaky', { tag: 'fake-failed' }, Date.UTC(2024, 1, 1), { maxAttempts: 1 });
    await failJob(store, job, 'the fake worker failed it', { startedAt: Date.UTC(2024, 1, 1, 0, 0, 1), failedAt: Date.UTC(2024, 1, 1, 0, 0, 3) });
    const view = expectSuccess(await api(quiet.url, 'GET', `/jobs/${job.id}`));
    assert.deepEqual(
      [view.state, view.error, view.attempts, view.max_attempts, view.result_id, view.started, view.finished, view.duration],
      ['failed', 'the fake worker failed it', 1, 1, null, '2024-02-01T00:00:01', '2024-02-01T00:00:03', 2],
    );
    expectFailure(await api(quiet.url, 'GET', `/jobs/${job.id}/result`), 404, messages.noResultYet(job.id, 'failed'));
  });

  test('a processing job has no result yet and shows no result id', async () => {
    const store = quiet.engine.store;
    const job = await enqueueAt(store, 'cpu', { ms: 1 }, Date.UTC(2024, 2, 1));
    await claimJob(store, job, Date.UTC(2024, 2, 1, 0, 0, 1));
    expectFailure(await api(quiet.url, 'GET', `/jobs/${job.id}/result`), 404, messages.noResultYet(job.id, 'processing'));
    const view = expectSuccess(await api(quiet.url, 'GET', `/jobs/${job.id}`));
    assert.equal(view.state, 'processing');
    assert.equal(view.result_id, null);
  });

  test('a result stored as JSON null is served as data null, and compact leaves it alone', async () => {
    const store = quiet.engine.store;
    const job = await enqueueAt(store, 'query', { tag: 'null-result' }, Date.UTC(2024, 3, 1));
    const resultId = await finishJob(store, job, null);
    assert.deepEqual(expectSuccess(await api(quiet.url, 'GET', `/results/${resultId}`)), null);
    assert.deepEqual(expectSuccess(await api(quiet.url, 'GET', `/results/${resultId}?compact=true`)), null);
  });

  test('compact=true on a query result without matches.functions, or with a non-object matches, changes nothing', async () => {
    const store = quiet.engine.store;
    for (const [i, result] of [{ matches: { samples: [1] } }, { matches: null }, { matches: [1, 2] }, { other: { functions: [1] } }, [1, 2, 3], 'text'].entries()) {
      const job = await enqueueAt(store, 'query', { case: i }, Date.UTC(2024, 4, 1, 0, 0, i));
      const resultId = await finishJob(store, job, result);
      assert.deepEqual(expectSuccess(await api(quiet.url, 'GET', `/jobs/${job.id}/result?compact=true`)), result);
      assert.deepEqual(expectSuccess(await api(quiet.url, 'GET', `/results/${resultId}?compact=1`)), result);
    }
  });

  test('GET /jobs/stats counts every state and method; with_refresh=true repairs drifted counters', async () => {
    const jobs = expectSuccess<any[]>(await api(quiet.url, 'GET', '/jobs'));
    const expected = { total_jobs: jobs.length, queued: 0, processing: 0, finished: 0, failed: 0, by_method: {} as Record<string, any> };
    for (const job of jobs) {
      expected[job.state as 'queued']++;
      const m = (expected.by_method[job.method] ??= { queued: 0, processing: 0, finished: 0, failed: 0, total: 0 });
      m[job.state]++;
      m.total++;
    }
    assert.ok(expected.finished > 0 && expected.failed > 0 && expected.processing > 0 && expected.queued > 0);
    assert.deepEqual(expectSuccess(await api(quiet.url, 'GET', '/jobs/stats')), expected);

    // White-box: make the counters drift, as a hand-edited database could.
    await serviceSql(quiet, "UPDATE job_counts SET count = count + 7 WHERE method = 'echo' AND state = 'finished'");
    await serviceSqlOf(quiet, {
      sqlite: "INSERT INTO job_counts (method, state, count) VALUES ('ghost', 'queued', 3) ON CONFLICT (method, state) DO UPDATE SET count = 3",
      // PostgreSQL keeps the counters in shards (see its migrations)
      postgres: "INSERT INTO job_counts (method, state, shard, count) VALUES ('ghost', 'queued', 0, 3) ON CONFLICT (method, state, shard) DO UPDATE SET count = 3",
    });
    const drifted = expectSuccess(await api(quiet.url, 'GET', '/jobs/stats?with_refresh=false'));
    assert.notDeepEqual(drifted, expected, 'set-up: the tampered counters should show');

    assert.deepEqual(expectSuccess(await api(quiet.url, 'GET', '/jobs/stats?with_refresh=true')), expected);
    assert.deepEqual(expectSuccess(await api(quiet.url, 'GET', '/jobs/stats')), expected, 'the repair is kept');
  });
});
