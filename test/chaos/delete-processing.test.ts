import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqliteJobStore } from '../../src/storage/sqlite/sqlite-job-store.js';
import { api, startTestService, TEST_METHODS, waitFor, type TestService } from '../support/harness.js';
import { AUDIT_METHODS, auditOf, countJobs, reportCounts } from '../support/audit-log.js';
import { FAST, ProcessSet } from '../support/processes.js';

const JOB_MS = 3_000;

/**
 * Deletes a long `audit` job over HTTP while it runs, then checks that it stopped, left nothing
 * behind, and that the process that ran it (`runnerPid`) goes on with the next job.
 */
async function deleteWhileProcessing(t: TestContext, service: TestService, runnerPid: number, stopWithinMs: number): Promise<void> {
  const store = service.engine.store as SqliteJobStore;
  const log = join(service.dataDir, 'audit.log');
  const input = Buffer.from(`the upload of the deleted job ${Math.random()}`);
  const { job } = await service.engine.submit({ method: 'audit', parameters: { log, ms: JOB_MS, tickMs: 20 }, input });
  const sha256 = job.inputSha256!;
  assert.ok(await store.readInput(sha256), 'the upload is stored');

  const start = await waitFor(() => auditOf(log, job.id).starts[0], { what: 'the job to run' });
  assert.equal(start.pid, runnerPid);
  // It reports progress, which the API shows.
  const shown = await waitFor(async () => {
    const answer = await api(service.url, 'GET', `/jobs/${job.id}`);
    return answer.body.data.progress > 0 && answer.body.data;
  }, { what: 'progress to show' });
  assert.equal(shown.state, 'processing');
  assert.equal(shown.attempts, 1);

  const deleteSentAt = Date.now();
  const deleted = await api(service.url, 'DELETE', `/jobs/${job.id}`);
  assert.equal(deleted.status, 200);
  assert.deepEqual(deleted.body, { status: 'successful', data: { num_deleted: 1 } });

  // The worker goes on: a job submitted now runs in the same process.
  const { job: next } = await service.engine.submit({ method: 'audit', parameters: { log, after: job.id } });
  const nextJob = await waitFor(async () => {
    const j = await store.getJob(next.id);
    return j?.state === 'finished' && j;
  }, { what: 'the next job to finish' });
  assert.equal(nextJob.attempts, 1);
  assert.deepEqual(auditOf(log, next.id).ends.map((e) => e.pid), [runnerPid]);

  // Past the moment the deleted job would have ended: it never did, and stopped soon after the delete.
  await sleep(Math.max(0, start.time + JOB_MS + 300 - Date.now()));
  const audit = auditOf(log, job.id);
  assert.deepEqual(audit.ends, [], 'the deleted job did not run to its end');
  const lastTick = audit.ticks.at(-1)!;
  const stoppedAfterMs = lastTick.time - deleteSentAt;
  t.diagnostic(`last sign of life of the executor ${stoppedAfterMs} ms after the delete was sent`);
  assert.ok(stoppedAfterMs <= stopWithinMs, `executor still ran ${stoppedAfterMs} ms after the delete`);
  assert.equal(audit.starts.length, 1, 'not restarted');

  // Nothing of it remains.
  assert.equal((await api(service.url, 'GET', `/jobs/${job.id}`)).status, 404);
  assert.equal((await api(service.url, 'GET', `/jobs/${job.id}/result`)).status, 404);
  assert.equal(await store.getJob(job.id), undefined);
  assert.equal((store.db.prepare('SELECT count(*) AS n FROM results WHERE job_number = ?').get(job.number) as { n: number }).n, 0);
  assert.equal((store.db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n, 1, 'only the next job has a result');
  assert.equal(await store.readInput(sha256), undefined, 'the upload is removed');
  const list = await api(service.url, 'GET', '/jobs');
  assert.deepEqual(list.body.data.map((j: { job_id: string }) => j.job_id), [next.id]);
  const stats = (await api(service.url, 'GET', '/jobs/stats')).body.data;
  assert.deepEqual(
    { total_jobs: stats.total_jobs, queued: stats.queued, processing: stats.processing, finished: stats.finished, failed: stats.failed },
    { total_jobs: 1, queued: 0, processing: 0, finished: 1, failed: 0 },
    'the deleted job is counted nowhere',
  );
  assert.deepEqual((await api(service.url, 'GET', '/jobs/stats?with_refresh=true')).body.data, stats);

  const counts = await countJobs(store, [job.id, next.id], new Set([job.id]));
  reportCounts(t, 'delete while processing', counts);
  assert.deepEqual(counts, { submitted: 2, finished: 1, failed: 0, deleted: 1, lost: 0 });
}

test('DELETE /jobs/{id} of a job running in the in-process pool stops it at once and leaves nothing behind', async (t) => {
  const service = await startTestService({ workers: 1, methodModules: [TEST_METHODS, AUDIT_METHODS], ...FAST });
  try {
    // In-process, the delete itself stops the executor thread: allow scheduling slack only.
    await deleteWhileProcessing(t, service, process.pid, 250);
  } finally {
    await service.close();
  }
});

test('DELETE /jobs/{id} of a job running in a worker process stops it within a heartbeat and leaves nothing behind', async (t) => {
  // The server runs no workers: the job can only run in the worker process.
  const service = await startTestService({ workers: 0, methodModules: [TEST_METHODS, AUDIT_METHODS], ...FAST });
  const procs = new ProcessSet();
  try {
    const worker = await procs.worker({ dataDir: service.dataDir, name: 'worker' });
    await deleteWhileProcessing(t, service, worker.pid, FAST.heartbeatMs + 250);
    assert.match(worker.stderr, /lease of job \S+ lost/);
    assert.equal(worker.hasExited, false);
  } finally {
    await procs.killAll();
    await service.close();
  }
});


test('DELETE /jobs?method=… stops every matching running job in a worker process, deletes the queued ones, and spares the rest', async (t) => {
  const service = await startTestService({ workers: 0, methodModules: [TEST_METHODS, AUDIT_METHODS], ...FAST });
  const procs = new ProcessSet();
  try {
    const worker = await procs.worker({ dataDir: service.dataDir, workers: 2, name: 'worker' });
    const store = service.engine.store as SqliteJobStore;
    const log = join(service.dataDir, 'audit.log');
    const audits = [];
    for (let i = 0; i < 5; i++) audits.push((await service.engine.submit({ method: 'audit', parameters: { log, i, ms: 20_000, tickMs: 20 } })).job);
    const spared = (await service.engine.submit({ method: 'noop', parameters: {} })).job;
    const running = audits.slice(0, 2);
    for (const job of running) await waitFor(() => auditOf(log, job.id).ticks[0], { what: `job ${job.id} to run` });

    const deleteSentAt = Date.now();
    const deleted = await api(service.url, 'DELETE', '/jobs?method=audit');
    assert.deepEqual(deleted.body, { status: 'successful', data: { num_deleted: 5 } });

    // The spared job runs once the threads are free; nothing of the deleted ones remains.
    await waitFor(async () => (await store.getJob(spared.id))?.state === 'finished', { what: 'the spared job to run' });
    await sleep(FAST.heartbeatMs + 300);
    const counts = await countJobs(store, [...audits.map((j) => j.id), spared.id], new Set(audits.map((j) => j.id)));
    reportCounts(t, 'bulk delete while processing', counts);
    for (const job of running) {
      const audit = auditOf(log, job.id);
      assert.deepEqual(audit.ends, []);
      const stoppedAfterMs = audit.ticks.at(-1)!.time - deleteSentAt;
      t.diagnostic(`job ${job.id}: last sign of life ${stoppedAfterMs} ms after the delete was sent`);
      assert.ok(stoppedAfterMs <= FAST.heartbeatMs + 250, `executor still ran ${stoppedAfterMs} ms after the delete`);
    }
    for (const job of audits.slice(2)) assert.deepEqual(auditOf(log, job.id).starts, [], 'a deleted queued job never runs');
    const list = await api(service.url, 'GET', '/jobs');
    assert.deepEqual(list.body.data.map((j: { job_id: string }) => j.job_id), [spared.id]);
    assert.equal((store.db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n, 1);
    const stats = (await api(service.url, 'GET', '/jobs/stats?with_refresh=true')).body.data;
    assert.deepEqual([stats.total_jobs, stats.finished, stats.processing, stats.queued, stats.failed], [1, 1, 0, 0, 0]);
    assert.equal(worker.stderr.match(/lease of job \S+ lost/g)?.length, 2);
    assert.deepEqual(counts, { submitted: 6, finished: 1, failed: 0, deleted: 5, lost: 0 });
  } finally {
    await procs.killAll();
    await service.close();
  }
});

test('DELETE /jobs/{id} of a CPU-bound job (a busy loop that never yields) stops its executor thread too', async (t) => {
  const service = await startTestService({ workers: 0, methodModules: [TEST_METHODS, AUDIT_METHODS], ...FAST });
  const procs = new ProcessSet();
  try {
    // One executor thread: the next job can only run once the busy one is stopped.
    await procs.worker({ dataDir: service.dataDir, workers: 1, name: 'worker' });
    const store = service.engine.store as SqliteJobStore;
    const busy = (await service.engine.submit({ method: 'cpu', parameters: { ms: 60_000 } })).job;
    await waitFor(async () => (await store.getJob(busy.id))?.state === 'processing', { what: 'the busy job to run' });
    await sleep(300);
    const deleteSentAt = Date.now();
    assert.equal((await api(service.url, 'DELETE', `/jobs/${busy.id}`)).status, 200);
    const next = (await service.engine.submit({ method: 'noop', parameters: {} })).job;
    const finished = await waitFor(async () => {
      const j = await store.getJob(next.id);
      return j?.state === 'finished' && j;
    }, { what: 'the next job to run after the busy one was stopped' });
    t.diagnostic(`the next job finished ${finished.finishedAt! - deleteSentAt} ms after the delete was sent`);
    assert.equal((await api(service.url, 'GET', `/jobs/${busy.id}`)).status, 404);

    const counts = await countJobs(store, [busy.id, next.id], new Set([busy.id]));
    reportCounts(t, 'delete a busy loop', counts);
    assert.deepEqual(counts, { submitted: 2, finished: 1, failed: 0, deleted: 1, lost: 0 });
  } finally {
    await procs.killAll();
    await service.close();
  }
});

test('deleting several running jobs at once does not stall the heartbeat of the jobs that go on running', async (t) => {
  const service = await startTestService({ workers: 0, methodModules: [TEST_METHODS, AUDIT_METHODS], ...FAST });
  const procs = new ProcessSet();
  const THREADS = 4;
  try {
    const worker = await procs.worker({ dataDir: service.dataDir, workers: THREADS, name: 'worker' });
    const store = service.engine.store as SqliteJobStore;
    const log = join(service.dataDir, 'audit.log');
    const doomed = [];
    for (let i = 0; i < THREADS - 1; i++) doomed.push((await service.engine.submit({ method: 'audit', parameters: { log, i, ms: 20_000, tickMs: 20 } })).job);
    // Runs well past the lease: it keeps it only if the heartbeat goes on while the others are stopped.
    const survivor = (await service.engine.submit({ method: 'audit', parameters: { log, survivor: true, ms: 2 * FAST.leaseMs + 1_000, tickMs: 20 } })).job;
    for (const job of [...doomed, survivor]) await waitFor(() => auditOf(log, job.id).ticks[0], { what: `job ${job.id} to run` });

    const deleteSentAt = Date.now();
    const answers = await Promise.all(doomed.map((job) => api(service.url, 'DELETE', `/jobs/${job.id}`)));
    assert.deepEqual(answers.map((a) => a.status), doomed.map(() => 200));

    const ended = await waitFor(async () => {
      const j = await store.getJob(survivor.id);
      return (j?.state === 'finished' || j?.state === 'failed') && j;
    }, { timeoutMs: 30_000, what: 'the survivor to end' });
    const stoppedAfter = doomed.map((job) => auditOf(log, job.id).ticks.at(-1)!.time - deleteSentAt);
    t.diagnostic(`deleted executors' last signs of life after the delete: ${stoppedAfter.join(', ')} ms`);
    const counts = await countJobs(store, [...doomed.map((j) => j.id), survivor.id], new Set(doomed.map((j) => j.id)));
    reportCounts(t, 'delete several running jobs', counts);

    t.diagnostic(`the survivor ended ${ended.state} after ${ended.attempts} attempt(s); started ${auditOf(log, survivor.id).starts.length} time(s)`);
    assert.deepEqual(auditOf(log, survivor.id).starts.map((s) => s.attempt), [1], 'the survivor ran once');
    assert.equal(ended.state, 'finished');
    assert.equal(ended.attempts, 1, 'the survivor kept its lease');
    assert.doesNotMatch(worker.stderr, /reclaimed \d+ job/);
    for (const ms of stoppedAfter) assert.ok(ms <= FAST.heartbeatMs + 250, `a deleted executor still ran ${ms} ms after the delete`);
    assert.deepEqual(counts, { submitted: THREADS, finished: 1, failed: 0, deleted: THREADS - 1, lost: 0 });
  } finally {
    await procs.killAll();
    await service.close();
  }
});
