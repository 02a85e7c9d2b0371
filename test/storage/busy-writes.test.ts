import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { databasePath } from '../../src/service.js';
import { api, startTestService } from '../support/harness.js';

test('while another connection holds the write lock, the server keeps answering and its writes wait without blocking it', async () => {
  const service = await startTestService({ workers: 0 });
  const other = new Database(databasePath(service.dataDir));
  try {
    const holdMs = 1_500;
    other.exec('BEGIN IMMEDIATE');
    const released = new Promise<number>((resolve) =>
      setTimeout(() => {
        other.exec('COMMIT');
        resolve(Date.now());
      }, holdMs),
    );
    const started = Date.now();
    const submitted = service.engine.submit({ method: 'noop', parameters: { during: 'lock' } }).then(() => Date.now());
    // Reads go on during the lock (WAL), and the event loop is free: answers come back while the lock
    // is still held (a blocked event loop would answer only after the release). Ordered, not timed.
    const answeredAt: number[] = [];
    while (Date.now() - started < holdMs - 300) {
      const answer = await api(service.url, 'GET', '/jobs/stats');
      assert.equal(answer.status, 200);
      answeredAt.push(Date.now());
    }
    const [releasedAt, submittedAt] = await Promise.all([released, submitted]);
    const duringLock = answeredAt.filter((at) => at < releasedAt).length;
    assert.ok(duringLock >= 3, `only ${duringLock} answers while the lock was held`);
    assert.ok(submittedAt >= releasedAt, 'the write waited for the lock');
    assert.equal((await service.engine.store.stats(false)).queued, 1);
  } finally {
    other.close();
    await service.close();
  }
});
