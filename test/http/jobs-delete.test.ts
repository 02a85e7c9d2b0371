import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { JobRecord } from '../../src/jobs/types.js';
import { api, startTestService, waitFor, type TestService } from '../support/harness.js';
import {
  claimJob,
  enqueueAt,
  expectFailure,
  expectSuccess,
  failJob,
  finishJob,
  messages,
} from '../support/http-helpers.js';

/**
 * DELETE /jobs/{id} and DELETE /jobs: what goes (job, result, uploads no other job references) and
 * what stays, the criteria of the bulk delete (AND), its date formats and its bad input.
 */

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function totalJobs(service: TestService): Promise<number> {
  return expectSuccess(await api(service.url, 'GET', '/jobs/stats')).total_jobs;
}

async function ids(service: TestService): Promise<string[]> {
  return expectSuccess<any[]>(await api(service.url, 'GET', '/jobs?ascending=true')).map((job) => job.job_id);
}

describe('DELETE /jobs/{id} with real workers', () => {
  let live: TestService;
  before(async () => {
    live = await startTestService();
  });
  after(async () => {
    await live.close();
  });

  async function ended(id: string): Promise<JobRecord> {
    return waitFor(async () => {
      const job = await live.engine.store.getJob(id);
      return job?.state === 'finished' && job;
    });
  }

  test('deletes the job and its result; an upload shared with another job stays, an unreferenced upload goes', async () => {
    const shared = Buffer.from('bytes shared by two jobs');
    const own = Buffer.from('bytes of one job only');
    const { job: a } = await live.engine.submit({ method: 'echo', parameters: { who: 'a' }, input: shared });
    const { job: b } = await live.engine.submit({ method: 'echo', parameters: { who: 'b' }, input: shared });
    const { job: c } = await live.engine.submit({ method: 'echo', parameters: { who: 'c' }, input: own });
    const [ra, rb, rc] = [(await ended(a.id)).resultId!, (await ended(b.id)).resultId!, (await ended(c.id)).resultId!];
    const store = live.engine.store;
    const before = await totalJobs(live);

    assert.deepEqual(expectSuccess(await api(live.url, 'DELETE', `/jobs/${a.id}`)), { num_deleted: 1 });
    expectFailure(await api(live.url, 'GET', `/jobs/${a.id}`), 404, messages.noJob(a.id));
    expectFailure(await api(live.url, 'GET', `/jobs/${a.id}/result`), 404, messages.noJob(a.id));
    expectFailure(await api(live.url, 'GET', `/results/${ra}`), 404, messages.noResult(ra));
    expectFailure(await api(live.url, 'GET', `/results/${ra}/job`), 404, messages.noResult(ra));
    assert.deepEqual(Buffer.from((await store.readInput(sha(shared)))!), shared, 'the shared upload stays while b uses it');
    assert.equal(expectSuccess(await api(live.url, 'GET', `/results/${rb}`)).inputText, shared.toString());
    assert.equal(await totalJobs(live), before - 1);

    assert.deepEqual(expectSuccess(await api(live.url, 'DELETE', `/jobs/${b.id}`)), { num_deleted: 1 });
    assert.equal(await store.readInput(sha(shared)), undefined, 'the last job using the upload is gone');
    expectFailure(await api(live.url, 'GET', `/results/${rb}`), 404, messages.noResult(rb));

    assert.deepEqual(expectSuccess(await api(live.url, 'DELETE', `/jobs/${c.id}`)), { num_deleted: 1 });
    assert.equal(await store.readInput(sha(own)), undefined);
    expectFailure(await api(live.url, 'GET', `/results/${rc}/job`), 404, messages.noResult(rc));
    assert.equal(await totalJobs(live), before - 3);
  });

  test('deleting a job twice: the second DELETE is a 404', async () => {
    const { job } = await live.engine.submit({ method: 'noop', parameters: { twice: true } });
    await ended(job.id);
    assert.deepEqual(expectSuccess(await api(live.url, 'DELETE', `/jobs/${job.id}`)), { num_deleted: 1 });
    expectFailure(await api(live.url, 'DELETE', `/jobs/${job.id}`), 404, messages.noJob(job.id));
  });

  test('deleting a processing job cancels it: it is gone, and its worker writes nothing back', async () => {
    const { job } = await live.engine.submit({ method: 'sleep', parameters: { ms: 1200, steps: 12 } });
    await waitFor(async () => (await live.engine.store.getJob(job.id))?.state === 'processing', { what: 'the job to start' });
    const before = expectSuccess(await api(live.url, 'GET', '/jobs/stats'));
    assert.deepEqual(expectSuccess(await api(live.url, 'DELETE', `/jobs/${job.id}`)), { num_deleted: 1 });
    expectFailure(await api(live.url, 'GET', `/jobs/${job.id}`), 404, messages.noJob(job.id));
    await new Promise((resolve) => setTimeout(resolve, 1600)); // past the time the job would have ended
    expectFailure(await api(live.url, 'GET', `/jobs/${job.id}`), 404, messages.noJob(job.id));
    const after = expectSuccess(await api(live.url, 'GET', '/jobs/stats?with_refresh=true'));
    assert.equal(after.total_jobs, before.total_jobs - 1);
    assert.equal(after.processing, before.processing - 1);
    // the worker is free again
    const { job: next } = await live.engine.submit({ method: 'noop', parameters: { after: 'cancel' } });
    await ended(next.id);
  });
});

describe('DELETE /jobs/{id} of jobs in each state', () => {
  let quiet: TestService;
  before(async () => {
    quiet = await startTestService({ workers: 0 });
  });
  after(async () => {
    await quiet.close();
  });

  test('queued, processing, finished and failed jobs are deleted; the others stay', async () => {
    const store = quiet.engine.store;
    const t = Date.UTC(2024, 5, 1);
    const queued = await enqueueAt(store, 'noop', { s: 'queued' }, t);
    const processing = await enqueueAt(store, 'echo', { s: 'processing' }, t + 1);
    await claimJob(store, processing, t + 2);
    const finished = await enqueueAt(store, 'query', { s: 'finished' }, t + 3);
    const resultId = await finishJob(store, finished, { r: 1 }, { startedAt: t + 4, finishedAt: t + 5 });
    const failed = await enqueueAt(store, 'flaky', { s: 'failed' }, t + 6, { maxAttempts: 1 });
    await failJob(store, failed, 'no', { startedAt: t + 7, failedAt: t + 8 });
    const bystander = await enqueueAt(store, 'noop', { s: 'stays' }, t + 9);

    for (const job of [queued, processing, finished, failed]) {
      assert.deepEqual(expectSuccess(await api(quiet.url, 'DELETE', `/jobs/${job.id}`)), { num_deleted: 1 });
      expectFailure(await api(quiet.url, 'GET', `/jobs/${job.id}`), 404, messages.noJob(job.id));
    }
    expectFailure(await api(quiet.url, 'GET', `/results/${resultId}`), 404, messages.noResult(resultId));
    assert.deepEqual(await ids(quiet), [bystander.id]);
    assert.deepEqual(expectSuccess(await api(quiet.url, 'GET', '/jobs/stats')), {
      total_jobs: 1,
      queued: 1,
      processing: 0,
      finished: 0,
      failed: 0,
      by_method: { noop: { queued: 1, processing: 0, finished: 0, failed: 0, total: 1 } },
    });
  });
});

describe('DELETE /jobs', () => {
  let quiet: TestService;
  const del = (query: string) => api(quiet.url, 'DELETE', `/jobs${query}`);

  before(async () => {
    quiet = await startTestService({ workers: 0 });
  });
  after(async () => {
    await quiet.close();
  });

  /** Deletes every job (by id), so that each test starts empty. */
  async function clear() {
    for (const id of await ids(quiet)) expectSuccess(await api(quiet.url, 'DELETE', `/jobs/${id}`));
    assert.equal(await totalJobs(quiet), 0);
  }

  test('without any criterion it is a 400 and deletes nothing', async () => {
    await clear();
    const store = quiet.engine.store;
    await enqueueAt(store, 'noop', { k: 1 }, Date.UTC(2020, 0, 1));
    await enqueueAt(store, 'echo', { k: 2 }, Date.UTC(2020, 0, 2));
    for (const query of ['', '?', '?foo=bar', '?filter=noop', '?state=queued', '?limit=1']) {
      expectFailure(await del(query), 400, messages.bulkDeleteNeedsCriteria);
    }
    assert.equal(await totalJobs(quiet), 2);
  });

  test('method deletes exactly the jobs of that method, in every state', async () => {
    await clear();
    const store = quiet.engine.store;
    const t = Date.UTC(2024, 0, 1);
    const echoes = [
      await enqueueAt(store, 'echo', { e: 1 }, t),
      await enqueueAt(store, 'echo', { e: 2 }, t + 1),
      await enqueueAt(store, 'echo', { e: 3 }, t + 2, { maxAttempts: 1 }),
    ];
    const others = [await enqueueAt(store, 'noop', { e: 4 }, t + 3), await enqueueAt(store, 'query', { echo: 'echo' }, t + 4)];
    await claimJob(store, echoes[0]!, t + 10); // processing
    await finishJob(store, echoes[1]!, 'done', { startedAt: t + 11, finishedAt: t + 12 });
    await failJob(store, echoes[2]!, 'failed', { startedAt: t + 13, failedAt: t + 14 });

    assert.deepEqual(expectSuccess(await del('?method=Echo')), { num_deleted: 0 }, 'method is exact');
    assert.deepEqual(expectSuccess(await del('?method=ech')), { num_deleted: 0 }, 'method is exact');
    assert.deepEqual(expectSuccess(await del('?method=echo')), { num_deleted: 3 });
    assert.deepEqual(await ids(quiet), others.map((j) => j.id));
    assert.deepEqual(expectSuccess(await del('?method=echo')), { num_deleted: 0 });
  });

  // Each accepted date format, the instant it denotes, and a job just before / at or after it.
  const T = Date.UTC(2024, 2, 10, 12, 0, 0, 0);
  const dateCases: [string, number, number][] = [
    ['2024-03-10', Date.UTC(2024, 2, 10) - 1, Date.UTC(2024, 2, 10)],
    ['2024-03-10T12:00:00', T - 1, T],
    ['2024-03-10T12:00:00Z', T - 1, T],
    ['2024-03-10T12:00:00.250Z', T + 249, T + 250],
    ['2024-03-10T12:00:00.5', T + 499, T + 500],
    ['2024-03-10T12:00:00.123456789+00:00', T + 122, T + 124],
    ['2024-03-10T14:00:00+02:00', T - 1, T],
    ['2024-03-10T06:30:00-05:30', T - 1, T],
    ['2024-03-10T12:00:00-00:00', T - 1, T],
    ['2024-02-29', Date.UTC(2024, 1, 29) - 1, Date.UTC(2024, 1, 29)],
  ];

  test('created_before deletes the jobs created strictly before the instant, in every accepted date format', async () => {
    const store = quiet.engine.store;
    for (const [date, beforeAt, atOrAfter] of dateCases) {
      await clear();
      const older = await enqueueAt(store, 'echo', { date, which: 'older' }, beforeAt);
      const newer = await enqueueAt(store, 'echo', { date, which: 'newer' }, atOrAfter);
      assert.deepEqual(expectSuccess(await del(`?created_before=${encodeURIComponent(date)}`)), { num_deleted: 1 }, date);
      assert.deepEqual(await ids(quiet), [newer.id], date);
      assert.equal(await store.getJob(older.id), undefined, date);
    }
  });

  test('finished_before deletes the jobs that ended (finished or failed) strictly before the instant; unfinished jobs stay', async () => {
    const store = quiet.engine.store;
    for (const [date, beforeAt, atOrAfter] of dateCases) {
      await clear();
      const created = beforeAt - 60_000;
      const finishedEarly = await enqueueAt(store, 'echo', { date, which: 'finished early' }, created);
      await finishJob(store, finishedEarly, 1, { startedAt: created, finishedAt: beforeAt });
      const finishedLate = await enqueueAt(store, 'echo', { date, which: 'finished late' }, created + 1);
      await finishJob(store, finishedLate, 2, { startedAt: created + 1, finishedAt: atOrAfter });
      const failedEarly = await enqueueAt(store, 'flaky', { date, which: 'failed early' }, created + 2, { maxAttempts: 1 });
      await failJob(store, failedEarly, 'x', { startedAt: created + 2, failedAt: beforeAt });
      const processing = await enqueueAt(store, 'cpu', { ms: 1, date }, created + 3);
      await claimJob(store, processing, created + 3);
      const queued = await enqueueAt(store, 'noop', { date }, created + 4);

      assert.deepEqual(expectSuccess(await del(`?finished_before=${encodeURIComponent(date)}`)), { num_deleted: 2 }, date);
      assert.deepEqual(await ids(quiet), [finishedLate.id, processing.id, queued.id], date);
    }
  });

  test('all given criteria must hold (AND): method with created_before, method with finished_before, both dates', async () => {
    await clear();
    const store = quiet.engine.store;
    const jan = Date.UTC(2024, 0, 10);
    const mar = Date.UTC(2024, 2, 10);
    const echoOld = await enqueueAt(store, 'echo', { n: 1 }, jan);
    const noopOld = await enqueueAt(store, 'noop', { n: 2 }, jan + 1);
    const echoNew = await enqueueAt(store, 'echo', { n: 3 }, mar);
    const noopNew = await enqueueAt(store, 'noop', { n: 4 }, mar + 1);

    assert.deepEqual(expectSuccess(await del('?method=echo&created_before=2024-02-01')), { num_deleted: 1 });
    assert.deepEqual(await ids(quiet), [noopOld.id, echoNew.id, noopNew.id]);
    assert.equal(await store.getJob(echoOld.id), undefined);

    // noopOld finishes in February, echoNew in April; noopNew stays queued
    await finishJob(store, noopOld, 'n', { startedAt: Date.UTC(2024, 1, 1), finishedAt: Date.UTC(2024, 1, 2) });
    await finishJob(store, echoNew, 'e', { startedAt: Date.UTC(2024, 3, 1), finishedAt: Date.UTC(2024, 3, 2) });
    assert.deepEqual(expectSuccess(await del('?method=echo&finished_before=2024-03-01')), { num_deleted: 0 });
    assert.deepEqual(expectSuccess(await del('?created_before=2024-02-01&finished_before=2024-01-15')), { num_deleted: 0 });
    assert.deepEqual(expectSuccess(await del('?created_before=2024-02-01&finished_before=2024-02-03')), { num_deleted: 1 });
    assert.deepEqual(await ids(quiet), [echoNew.id, noopNew.id]);
    assert.deepEqual(expectSuccess(await del('?method=noop&created_before=2030-01-01&finished_before=2030-01-01')), { num_deleted: 0 });
    assert.deepEqual(expectSuccess(await del('?method=noop&created_before=2030-01-01')), { num_deleted: 1 });
    assert.deepEqual(await ids(quiet), [echoNew.id]);
  });

  test('a bulk delete removes the results and the uploads no remaining job references', async () => {
    await clear();
    const store = quiet.engine.store;
    const shared = Buffer.from('shared by an echo and a noop');
    const own = Buffer.from('only the other echo');
    const t = Date.UTC(2024, 6, 1);
    const echo1 = await enqueueAt(store, 'echo', { i: 1 }, t, { input: shared });
    const echo2 = await enqueueAt(store, 'echo', { i: 2 }, t + 1, { input: own });
    const noop = await enqueueAt(store, 'noop', { i: 3 }, t + 2, { input: shared });
    const r1 = await finishJob(store, echo1, { one: 1 });
    const r2 = await finishJob(store, echo2, { two: 2 });

    assert.deepEqual(expectSuccess(await del('?method=echo')), { num_deleted: 2 });
    for (const r of [r1, r2]) expectFailure(await api(quiet.url, 'GET', `/results/${r}`), 404, messages.noResult(r));
    assert.deepEqual(Buffer.from((await store.readInput(sha(shared)))!), shared, 'still used by the noop job');
    assert.equal(await store.readInput(sha(own)), undefined);

    assert.deepEqual(expectSuccess(await del('?method=noop')), { num_deleted: 1 });
    assert.equal(await store.readInput(sha(shared)), undefined);
    expectFailure(await api(quiet.url, 'GET', `/jobs/${noop.id}`), 404, messages.noJob(noop.id));
  });

  const invalidDates = ['2024-13-01', '2024-00-10', '2024-02-30', '2023-02-29', '2024-04-31', '2024-01-01T24:00:00', '2024-01-01T10:60:00', '2024-01-01T10:00:60'];
  const malformedDates = ['yesterday', '2024-1-1', '2024-01-01 10:00:00', '2024-01-01T10:00', '20240101', '', '2024-01-01T10:00:00+0200', '2024-01-01T10:00:00.Z', '2024-01-01Z', '1704067200'];

  test('a date that does not exist (2024-13-01, 2024-02-30, ...) is a 400 naming the parameter, and nothing is deleted', async () => {
    await clear();
    await enqueueAt(quiet.engine.store, 'echo', { keep: 1 }, Date.UTC(2020, 0, 1));
    for (const name of ['created_before', 'finished_before']) {
      for (const date of invalidDates) {
        const q = `${name}=${encodeURIComponent(date)}`;
        expectFailure(await del(`?${q}`), 400, messages.invalidDate(name, date));
        expectFailure(await del(`?method=echo&${q}`), 400, messages.invalidDate(name, date));
        const other = name === 'created_before' ? 'finished_before' : 'created_before';
        expectFailure(await del(`?${other}=2030-01-01&${q}`), 400, messages.invalidDate(name, date));
      }
    }
    assert.equal(await totalJobs(quiet), 1);
  });

  test('a text that is not a date (yesterday, 2024-1-1, ...) is a 400 naming the parameter and the value, and nothing is deleted', async () => {
    await clear();
    await enqueueAt(quiet.engine.store, 'echo', { keep: 1 }, Date.UTC(2020, 0, 1));
    for (const name of ['created_before', 'finished_before']) {
      for (const date of malformedDates) {
        const q = `${name}=${encodeURIComponent(date)}`;
        for (const answer of [await del(`?${q}`), await del(`?method=echo&${q}`)]) {
          const message = expectFailure(answer, 400, new RegExp(`^invalid query parameter '${name}'`));
          assert.ok(message.includes(JSON.stringify(date)), `${message} names the value`);
        }
      }
    }
    assert.equal(await totalJobs(quiet), 1);
  });

  test(
    'the message of a text that is not a date states the whole expected format',
    async () => {
      for (const date of ['yesterday', '2024-01-01T10:00']) {
        expectFailure(await del(`?created_before=${encodeURIComponent(date)}`), 400, messages.malformedDate('created_before', date));
      }
    },
  );

  test(
    'a YYYY-MM-DD date with a year below 100 is accepted',
    async () => {
      await clear();
      assert.deepEqual(expectSuccess(await del('?created_before=0099-12-31')), { num_deleted: 0 });
    },
  );

  test(
    'an offset outside -23:59..+23:59 is a 400',
    async () => {
      for (const date of ['2024-01-01T10:00:00+25:00', '2024-01-01T10:00:00+05:99']) {
        expectFailure(await del(`?created_before=${encodeURIComponent(date)}`), 400, messages.invalidDate('created_before', date));
      }
    },
  );
});
