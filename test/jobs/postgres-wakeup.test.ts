import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newObjectId } from '../../src/jobs/object-id.js';
import { PgStorage } from '../../src/storage/postgres/pg-storage.js';
import { startTestService, waitFor } from '../support/harness.js';

/**
 * On PostgreSQL an idle worker pool waits for LISTEN/NOTIFY, not for its poll: with both polls set
 * to a minute, a job enqueued by another process must still run at once, also after the
 * notification connection was cut.
 */
test('an idle pool claims a job enqueued by another process at once, also after its notification connection was cut', async (t) => {
  const service = await startTestService({ workers: 1, pollMs: 60_000, safetyPollMs: 60_000 }, { store: 'postgres' });
  const other = await PgStorage.open(service.config.database!, { poolSize: 2 });
  try {
    const runOne = async (i: number) => {
      const started = Date.now();
      const { job } = await other.jobs.enqueue({ method: 'noop', parameters: { i }, maxAttempts: 1, forceRecalculation: false }, newObjectId(), Date.now());
      await waitFor(async () => (await other.jobs.getJob(job.id))?.state === 'finished', { timeoutMs: 5_000, what: `job ${i} to finish` });
      return Date.now() - started;
    };
    await new Promise((resolve) => setTimeout(resolve, 300)); // the pool is idle, waiting
    const first = await runOne(1);
    assert.ok(first < 2_000, `ran after ${first} ms`);

    // Cut the pool's notification connection from the server side; the listener reconnects.
    const { rowCount } = await other.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
      [`mcrit-ts listener ${(other.target.schema)}`.slice(0, 63)],
    );
    assert.ok((rowCount ?? 0) >= 1, 'the listener connection was found');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = await runOne(2);
    assert.ok(second < 2_000, `ran after ${second} ms`);
    t.diagnostic(`enqueue to finished: ${first} ms, and ${second} ms after the notification connection was cut`);
  } finally {
    await other.close();
    await service.close();
  }
});
