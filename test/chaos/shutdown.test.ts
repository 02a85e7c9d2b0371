import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { JobStore } from '../../src/storage/store.js';
import { tempDir, waitFor } from '../support/harness.js';
import { auditOf, countJobs, reportCounts } from '../support/audit-log.js';
import { FAST, openQueue, ProcessSet } from '../support/processes.js';

test('SIGTERM with a short grace period hands the running job back, its attempt not counted; another worker finishes it', async (t) => {
  const dir = tempDir();
  const procs = new ProcessSet();
  let store: JobStore | undefined;
  const graceMs = 300;
  try {
    const first = await procs.worker({ dataDir: dir.path, name: 'first', shutdownGraceMs: graceMs });
    const queue = await openQueue(dir.path);
    store = queue.store;
    const log = join(dir.path, 'audit.log');
    const { job } = await queue.engine.submit({ method: 'audit', parameters: { log, ms: 2_500, tickMs: 20 } });
    await waitFor(() => auditOf(log, job.id).ticks[3], { what: 'the job to run' });

    const termAt = Date.now();
    first.signal('SIGTERM');
    assert.deepEqual(await first.waitExit(graceMs + 5_000), { code: 0, signal: null }, 'the worker exits by itself');
    t.diagnostic(`worker exited ${Date.now() - termAt} ms after SIGTERM (grace ${graceMs} ms)`);
    assert.match(first.stderr, new RegExp(`handed job ${job.id} back`));

    const handedBack = (await store.getJob(job.id))!;
    assert.equal(handedBack.state, 'queued');
    assert.equal(handedBack.attempts, 0, 'the handed-back attempt is not counted');
    assert.equal(handedBack.error, null);
    const stopped = auditOf(log, job.id);
    assert.deepEqual(stopped.ends, [], 'the job was stopped, not finished');
    const lastTick = stopped.ticks.at(-1)!;
    assert.ok(lastTick.time - termAt <= graceMs + 500, `the job ran ${lastTick.time - termAt} ms past SIGTERM`);

    const second = await procs.worker({ dataDir: dir.path, name: 'second' });
    const finished = await waitFor(async () => {
      const j = await store!.getJob(job.id);
      return j?.state === 'finished' && j;
    }, { what: 'the job to finish in the second worker' });
    assert.equal(finished.attempts, 1);
    const audit = auditOf(log, job.id);
    assert.deepEqual(
      audit.starts.map((s) => [s.attempt, s.pid]),
      [
        [1, first.pid],
        [1, second.pid],
      ],
    );
    assert.deepEqual(audit.ends.map((e) => [e.attempt, e.pid]), [[1, second.pid]]);

    const counts = await countJobs(store, [job.id]);
    reportCounts(t, 'SIGTERM, short grace', counts);
    assert.deepEqual(counts, { submitted: 1, finished: 1, failed: 0, deleted: 0, lost: 0 });
  } finally {
    await procs.killAll();
    await store?.close();
    dir.remove();
  }
});

test('SIGTERM with a long grace period lets the running job (longer than the lease) finish before the worker exits; it claims nothing new', async (t) => {
  const dir = tempDir();
  const procs = new ProcessSet();
  let store: JobStore | undefined;
  const jobMs = FAST.leaseMs + 1_000;
  try {
    const options = { dataDir: dir.path, shutdownGraceMs: 10_000 };
    const workers = await Promise.all([procs.worker({ ...options, name: 'worker A' }), procs.worker({ ...options, name: 'worker B' })]);
    const queue = await openQueue(dir.path);
    store = queue.store;
    const log = join(dir.path, 'audit.log');
    const { job } = await queue.engine.submit({ method: 'audit', parameters: { log, ms: jobMs, tickMs: 20 } });
    const running = await waitFor(() => auditOf(log, job.id).ticks[3], { what: 'the job to run' });
    const stopping = workers.find((w) => w.pid === running.pid)!;
    const other = workers.find((w) => w !== stopping)!;

    const termAt = Date.now();
    stopping.signal('SIGTERM');
    // Submitted during the grace period: only the other worker may take it.
    const { job: later } = await queue.engine.submit({ method: 'audit', parameters: { log, later: true } });

    assert.deepEqual(await stopping.waitExit(15_000), { code: 0, signal: null }, 'the worker exits by itself');
    const exitAt = Date.now();
    t.diagnostic(`worker exited ${exitAt - termAt} ms after SIGTERM, the job being ${jobMs} ms long`);

    const finished = (await store.getJob(job.id))!;
    assert.equal(finished.state, 'finished', 'the running job finished before the worker exited');
    assert.equal(finished.attempts, 1);
    assert.equal(finished.error, null);
    const audit = auditOf(log, job.id);
    assert.deepEqual(audit.starts.map((s) => [s.attempt, s.pid]), [[1, stopping.pid]], 'ran once, not reclaimed by the other worker');
    assert.deepEqual(audit.ends.map((e) => [e.attempt, e.pid]), [[1, stopping.pid]]);
    assert.ok(exitAt - audit.ends[0]!.time < 2_000, 'the worker exits soon after its last job ends');
    assert.doesNotMatch(stopping.stderr, /handed job|refused/);

    const laterJob = await waitFor(async () => {
      const j = await store!.getJob(later.id);
      return j?.state === 'finished' && j;
    }, { what: 'the later job to finish' });
    assert.equal(laterJob.attempts, 1);
    assert.deepEqual(auditOf(log, later.id).starts.map((s) => s.pid), [other.pid], 'a stopping worker claims nothing new');

    const counts = await countJobs(store, [job.id, later.id]);
    reportCounts(t, 'SIGTERM, long grace', counts);
    assert.deepEqual(counts, { submitted: 2, finished: 2, failed: 0, deleted: 0, lost: 0 });
  } finally {
    await procs.killAll();
    await store?.close();
    dir.remove();
  }
});

test(
  'an executor thread crashing during the shutdown grace period fails its attempt (counted, error kept) and does not hold the worker for the whole grace period',
  async (t) => {
    const dir = tempDir();
    const procs = new ProcessSet();
    let store: JobStore | undefined;
    const graceMs = 4_000;
    const jobMs = 600;
    let jobId: string | undefined;
    try {
      const first = await procs.worker({ dataDir: dir.path, name: 'first', shutdownGraceMs: graceMs });
      const queue = await openQueue(dir.path);
      store = queue.store;
      const log = join(dir.path, 'audit.log');
      // process.exit() in the executor thread after `jobMs`, in attempt 1 only.
      const { job } = await queue.engine.submit({ method: 'audit', parameters: { log, ms: jobMs, tickMs: 20, crash: 'exit', crashAttempts: 1 } });
      jobId = job.id;
      await waitFor(() => auditOf(log, job.id).ticks[3], { what: 'the job to run' });

      const termAt = Date.now();
      first.signal('SIGTERM');
      const exit = await first.waitExit(graceMs + 5_000);
      const exitMs = Date.now() - termAt;
      t.diagnostic(`worker exited ${exitMs} ms after SIGTERM (grace ${graceMs} ms, the job crashed after ${jobMs} ms)`);
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.deepEqual(auditOf(log, job.id).failures.map((f) => [f.attempt, f.event]), [[1, 'crash']], 'the thread crashed during the grace period');

      const afterCrash = (await store.getJob(job.id))!;
      assert.equal(afterCrash.attempts, 1, 'the crashed attempt is counted');
      assert.match(afterCrash.error ?? '', /executor thread exited with code 7/, 'the crash is recorded');
      assert.ok(exitMs < graceMs - 1_500, `the worker waited ${exitMs} ms for a job whose thread had died`);

      await procs.worker({ dataDir: dir.path, name: 'second' });
      const finished = await waitFor(async () => {
        const j = await store!.getJob(job.id);
        return j?.state === 'finished' && j;
      }, { what: 'the job to finish in attempt 2' });
      assert.equal(finished.attempts, 2);
      assert.deepEqual(await countJobs(store, [job.id]), { submitted: 1, finished: 1, failed: 0, deleted: 0, lost: 0 });
    } finally {
      await procs.killAll();
      if (store && jobId) reportCounts(t, 'crash during shutdown', await countJobs(store, [jobId]));
      await store?.close();
      dir.remove();
    }
  },
);
