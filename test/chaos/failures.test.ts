import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { JobRecord } from '../../src/jobs/types.js';
import type { JobStore } from '../../src/storage/store.js';
import { tempDir, waitFor } from '../support/harness.js';
import { auditOf, countJobs, reportCounts } from '../support/audit-log.js';
import { openQueue, ProcessSet } from '../support/processes.js';

const RETRY_BASE_MS = 300;

function ended(store: JobStore, id: string, timeoutMs = 15_000): Promise<JobRecord> {
  return waitFor(
    async () => {
      const job = await store.getJob(id);
      return (job?.state === 'finished' || job?.state === 'failed') && job;
    },
    { timeoutMs, what: `job ${id} to end` },
  );
}

test('failing attempts are retried with backoff until max_attempts, keeping the error; crashed executor threads fail only their attempt', async (t) => {
  const dir = tempDir();
  const procs = new ProcessSet();
  let store: JobStore | undefined;
  try {
    const worker = await procs.worker({ dataDir: dir.path, workers: 1, retryBaseMs: RETRY_BASE_MS, maxAttempts: 3 });
    const queue = await openQueue(dir.path);
    store = queue.store;
    const log = join(dir.path, 'audit.log');
    const submit = async (parameters: Record<string, string | number>, maxAttempts?: number) =>
      (await queue.engine.submit({ method: 'audit', parameters: { log, ...parameters }, maxAttempts })).job;

    const throws = await submit({ crash: 'throw' }); // fails every attempt
    const flaky = (await queue.engine.submit({ method: 'flaky', parameters: { failures: 1 } })).job; // test-methods: fails once
    const exits = await submit({ crash: 'exit' }, 2); // process.exit in the executor thread, every attempt
    const asyncThrows = await submit({ crash: 'asyncThrow', crashAttempts: 1 }); // throws in a timer in attempt 1 only
    const after = await submit({ i: 1 }); // an ordinary job behind the crashing ones
    const ids = [throws.id, flaky.id, exits.id, asyncThrows.id, after.id];

    // A thrown error: three attempts, each after a longer backoff, then failed with the last error kept.
    const thrown = await ended(store, throws.id);
    assert.equal(thrown.state, 'failed');
    assert.equal(thrown.attempts, 3);
    assert.equal(thrown.maxAttempts, 3);
    assert.match(thrown.error ?? '', new RegExp(`audit job ${throws.id} failed on purpose in attempt 3`));
    const audit = auditOf(log, throws.id);
    assert.deepEqual(audit.starts.map((s) => s.attempt), [1, 2, 3]);
    assert.deepEqual(audit.failures.map((f) => [f.attempt, f.event]), [
      [1, 'throw'],
      [2, 'throw'],
      [3, 'throw'],
    ]);
    const waits = [1, 2].map((n) => audit.starts[n]!.time - audit.failures[n - 1]!.time);
    t.diagnostic(`waits before attempts 2 and 3: ${waits.join(' ms, ')} ms (backoff ${RETRY_BASE_MS} ms, ${2 * RETRY_BASE_MS} ms)`);
    assert.ok(waits[0]! >= RETRY_BASE_MS, `attempt 2 waited ${waits[0]} ms`);
    assert.ok(waits[1]! >= 2 * RETRY_BASE_MS, `attempt 3 waited ${waits[1]} ms`);
    assert.ok(waits[1]! < 2 * RETRY_BASE_MS + 5_000, `attempt 3 waited ${waits[1]} ms`);

    const flakyJob = await ended(store, flaky.id);
    assert.equal(flakyJob.state, 'finished');
    assert.equal(flakyJob.attempts, 2);

    // process.exit() inside the executor thread: that attempt fails with a readable error, the process lives on.
    const exited = await ended(store, exits.id);
    assert.equal(exited.state, 'failed');
    assert.equal(exited.attempts, 2);
    assert.match(exited.error ?? '', /executor thread exited with code 7/);
    assert.deepEqual(auditOf(log, exits.id).failures.map((f) => f.event), ['crash', 'crash']);

    // An error thrown in a timer kills the thread: attempt 1 fails with that error, attempt 2 succeeds.
    const recovered = await ended(store, asyncThrows.id);
    assert.equal(recovered.state, 'finished');
    assert.equal(recovered.attempts, 2);
    assert.match(recovered.error ?? '', new RegExp(`executor thread crashed: .*audit job ${asyncThrows.id} threw asynchronously in attempt 1`));
    assert.deepEqual(auditOf(log, asyncThrows.id).ends.map((e) => e.attempt), [2]);

    // The worker carried on.
    const afterJob = await ended(store, after.id);
    assert.equal(afterJob.state, 'finished');
    assert.equal(afterJob.attempts, 1);
    assert.deepEqual(auditOf(log, after.id).ends.map((e) => e.pid), [worker.pid]);
    assert.equal(worker.hasExited, false, 'the worker process is still running');

    const counts = await countJobs(store, ids);
    reportCounts(t, 'failures', counts);
    assert.deepEqual(counts, { submitted: 5, finished: 3, failed: 2, deleted: 0, lost: 0 });
    const stats = await store.stats(false);
    assert.deepEqual([stats.total_jobs, stats.finished, stats.failed, stats.queued, stats.processing], [5, 3, 2, 0, 0]);
  } finally {
    await procs.killAll();
    await store?.close();
    dir.remove();
  }
});
