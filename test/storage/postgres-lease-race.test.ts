import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { newObjectId } from '../../src/jobs/object-id.js';
import { waitFor } from '../support/harness.js';
import { openTempPgStorage, TEST_DATABASE_URL } from '../support/postgres.js';

/**
 * A lease renewal whose statement starts while the job's completion holds its row, and so waits for
 * it, must not report the completed job as lost (found as "lease of job … lost" in the 10,000-job
 * chaos test on a loaded machine: the statement's snapshot still showed the job processing). Made
 * deterministic with a row lock held from a third connection: the completion queues for the row
 * first, the renewal behind it.
 */
test('a lease renewal queued behind its own job\'s completion reports the lease held (PostgreSQL)', async () => {
  const { storage, schema, close } = await openTempPgStorage();
  const blocker = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await blocker.connect();
  try {
    await storage.jobs.enqueue({ method: 'noop', parameters: {}, maxAttempts: 1, forceRecalculation: false }, newObjectId(), Date.now());
    const [claimed] = await storage.jobs.claim('w1', ['noop'], 1, 60_000, Date.now());
    const fence = { jobNumber: claimed!.jobNumber, claim: claimed!.claim };
    const waitingForLock = async (count: number) =>
      waitFor(
        async () => {
          // Inside its transaction the blocker sees a cached pg_stat_activity unless it clears it.
          await blocker.query('SELECT pg_stat_clear_snapshot()');
          const { rows } = await blocker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
          return rows[0].n >= count;
        },
        { what: `${count} statement(s) waiting for the row lock` },
      );

    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM ${schema.schema}.jobs WHERE number = $1 FOR UPDATE`, [fence.jobNumber]);
    const completion = storage.jobs.complete(fence, new Uint8Array([0x1f, 0x8b]), Date.now());
    await waitingForLock(1);
    const renewal = storage.jobs.renewLeases([fence], 60_000, Date.now());
    await waitingForLock(2);
    await blocker.query('COMMIT');

    assert.equal(await completion, true, 'the completion is accepted');
    assert.deepEqual(await renewal, [], 'no lease is reported lost');
    assert.equal((await storage.jobs.getJob(claimed!.id))?.state, 'finished');
  } finally {
    await blocker.end();
    await close();
  }
});
