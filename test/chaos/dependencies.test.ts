import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRecord, JobState } from '../../src/jobs/types.js';
import type { SqliteJobStore } from '../../src/storage/sqlite/sqlite-job-store.js';
import { api, startTestService, TEST_METHODS, waitFor, type TestService } from '../support/harness.js';
import { AUDIT_METHODS, auditOf, countJobs, reportCounts } from '../support/audit-log.js';
import { FAST, ProcessSet } from '../support/processes.js';

/** The API server runs no workers; the jobs run in a worker process with two executor threads. */
async function setUp(): Promise<{ service: TestService; procs: ProcessSet; store: SqliteJobStore; log: string }> {
  const service = await startTestService({ workers: 0, methodModules: [TEST_METHODS, AUDIT_METHODS], ...FAST });
  const procs = new ProcessSet();
  try {
    await procs.worker({ dataDir: service.dataDir, workers: 2, maxAttempts: 3 });
  } catch (error) {
    await procs.killAll();
    await service.close();
    throw error;
  }
  return { service, procs, store: service.engine.store as SqliteJobStore, log: join(service.dataDir, 'audit.log') };
}

function inState(store: SqliteJobStore, id: string, state: JobState, timeoutMs = 10_000): Promise<JobRecord> {
  return waitFor(
    async () => {
      const job = await store.getJob(id);
      return job?.state === state && job;
    },
    { timeoutMs, what: `job ${id} to be ${state}` },
  );
}

test('a job depending on two others stays queued until both ended (one finished, one failed), then runs', async (t) => {
  const { service, procs, store, log } = await setUp();
  try {
    const submit = async (parameters: Record<string, string | number>, options: { dependsOn?: string[]; maxAttempts?: number } = {}) =>
      (await service.engine.submit({ method: 'audit', parameters: { log, ...parameters }, ...options })).job;
    const succeeds = await submit({ ms: 600, role: 'succeeds' });
    const fails = await submit({ ms: 1_500, crash: 'throw', role: 'fails' }, { maxAttempts: 1 });
    const dependent = await submit({ role: 'dependent' }, { dependsOn: [succeeds.id, fails.id] });
    assert.deepEqual((await api(service.url, 'GET', `/jobs/${dependent.id}`)).body.data.depends_on, [succeeds.id, fails.id]);

    // One dependency finished, the other still runs: the dependent waits, though a thread is free.
    await inState(store, succeeds.id, 'finished');
    assert.equal((await store.getJob(fails.id))?.state, 'processing');
    await sleep(3 * FAST.pollMs + 100);
    assert.equal((await store.getJob(dependent.id))?.state, 'queued');
    assert.equal((await store.getJob(fails.id))?.state, 'processing', 'checked while the other dependency had not ended');
    assert.deepEqual(auditOf(log, dependent.id).starts, []);

    const failed = await inState(store, fails.id, 'failed');
    assert.equal(failed.attempts, 1);
    const ran = await inState(store, dependent.id, 'finished');
    assert.equal(ran.attempts, 1);
    const start = auditOf(log, dependent.id).starts[0]!;
    assert.ok(start.time >= auditOf(log, fails.id).failures[0]!.time, 'ran only after the failed dependency ended');
    assert.ok(start.time >= auditOf(log, succeeds.id).ends[0]!.time);

    const counts = await countJobs(store, [succeeds.id, fails.id, dependent.id]);
    reportCounts(t, 'dependencies ended', counts);
    assert.deepEqual(counts, { submitted: 3, finished: 2, failed: 1, deleted: 0, lost: 0 });
  } finally {
    await procs.killAll();
    await service.close();
  }
});

test('deleting a queued (or a processing) dependency releases the jobs waiting for it', async (t) => {
  const { service, procs, store, log } = await setUp();
  try {
    const submit = async (parameters: Record<string, string | number | boolean>, dependsOn?: string[]) =>
      (await service.engine.submit({ method: 'audit', parameters: { log, ...parameters }, dependsOn })).job;
    // long (processing) ← queued (waits for long) ← waiting (waits for queued); alsoWaiting ← long.
    const long = await submit({ ms: 20_000, tickMs: 100, role: 'long' });
    await inState(store, long.id, 'processing');
    const queued = await submit({ role: 'queued dependency' }, [long.id]);
    const waiting = await submit({ role: 'waits for the queued one' }, [queued.id]);
    const alsoWaiting = await submit({ role: 'waits for the long one' }, [long.id]);
    await sleep(3 * FAST.pollMs + 100);
    for (const job of [queued, waiting, alsoWaiting]) assert.equal((await store.getJob(job.id))?.state, 'queued');

    // Deleting the queued dependency releases the job waiting for it, while `long` still runs.
    assert.equal((await api(service.url, 'DELETE', `/jobs/${queued.id}`)).status, 200);
    await inState(store, waiting.id, 'finished');
    assert.equal((await store.getJob(long.id))?.state, 'processing');
    assert.equal((await store.getJob(alsoWaiting.id))?.state, 'queued');
    assert.deepEqual(auditOf(log, queued.id).starts, [], 'the deleted job never ran');

    // Deleting the running dependency releases the other one.
    assert.equal((await api(service.url, 'DELETE', `/jobs/${long.id}`)).status, 200);
    await inState(store, alsoWaiting.id, 'finished');
    assert.deepEqual(auditOf(log, long.id).ends, []);

    const counts = await countJobs(store, [long.id, queued.id, waiting.id, alsoWaiting.id], new Set([long.id, queued.id]));
    reportCounts(t, 'dependencies deleted', counts);
    assert.deepEqual(counts, { submitted: 4, finished: 2, failed: 0, deleted: 2, lost: 0 });
    const stats = await store.stats(true);
    assert.deepEqual([stats.total_jobs, stats.finished, stats.queued, stats.processing, stats.failed], [2, 2, 0, 0, 0]);
  } finally {
    await procs.killAll();
    await service.close();
  }
});
