import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqliteJobStore } from '../../src/storage/sqlite/sqlite-job-store.js';
import { startTestService, TEST_METHODS, waitFor } from '../support/harness.js';
import { AUDIT_METHODS, countJobs, reportCounts } from '../support/audit-log.js';
import { FAST, ProcessSet } from '../support/processes.js';

test('CPU-bound jobs that never report progress and run longer than the lease keep it through the heartbeat', async (t) => {
  // One job in the server's in-process pool, one in a worker process: each sweeper would reclaim an expired lease.
  const service = await startTestService({ workers: 1, methodModules: [TEST_METHODS, AUDIT_METHODS], ...FAST });
  const procs = new ProcessSet();
  try {
    const worker = await procs.worker({ dataDir: service.dataDir, workers: 1, name: 'worker' });
    const store = service.engine.store as SqliteJobStore;
    const cpuMs = 2 * FAST.leaseMs + 1_000;
    const jobs = await Promise.all([1, 2].map(async (n) => (await service.engine.submit({ method: 'cpu', parameters: { ms: cpuMs, n } })).job));
    const ids = jobs.map((j) => j.id);

    const startedAt = Date.now();
    await waitFor(async () => (await Promise.all(ids.map((id) => store.getJob(id)))).every((j) => j?.state === 'processing'), {
      what: 'both jobs to run',
    });
    const owners = store.db.prepare('SELECT DISTINCT lease_owner FROM jobs WHERE state = ?').all('processing') as { lease_owner: string }[];
    assert.equal(owners.length, 2, 'one job in each process');

    // Past the first lease: still processing in attempt 1, and the lease lies in the future.
    await sleep(FAST.leaseMs + 2 * FAST.sweepMs);
    for (const id of ids) {
      const row = store.db.prepare('SELECT state, attempts, lease_expires_at FROM jobs WHERE id = ?').get(id) as {
        state: string;
        attempts: number;
        lease_expires_at: number;
      };
      assert.equal(row.state, 'processing');
      assert.equal(row.attempts, 1);
      assert.ok(row.lease_expires_at > Date.now(), 'the lease was renewed');
    }

    const finished = await Promise.all(
      ids.map((id) =>
        waitFor(async () => {
          const j = await store.getJob(id);
          return j?.state === 'finished' && j;
        }, { timeoutMs: 20_000, what: `job ${id} to finish` }),
      ),
    );
    t.diagnostic(`two ${cpuMs} ms CPU jobs (lease ${FAST.leaseMs} ms) finished after ${Date.now() - startedAt} ms`);
    for (const job of finished) {
      assert.equal(job.attempts, 1, `job ${job.id} was not reclaimed`);
      assert.equal(job.error, null);
    }
    assert.doesNotMatch(worker.stderr, /reclaimed \d+ job|refused|lease of job/);

    const counts = await countJobs(store, ids);
    reportCounts(t, 'heartbeat', counts);
    assert.deepEqual(counts, { submitted: 2, finished: 2, failed: 0, deleted: 0, lost: 0 });
  } finally {
    await procs.killAll();
    await service.close();
  }
});
