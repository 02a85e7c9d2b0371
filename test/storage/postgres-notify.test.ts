import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newObjectId } from '../../src/jobs/object-id.js';
import type { EnqueueRequest } from '../../src/jobs/types.js';
import { PgStorage } from '../../src/storage/postgres/pg-storage.js';
import { waitFor } from '../support/harness.js';
import { newTestSchema } from '../support/postgres.js';

/** LISTEN/NOTIFY: a store announces claimable jobs to the subscribers of every store on the schema. */

const request = (parameters: Record<string, unknown>, extra: Partial<EnqueueRequest> = {}): EnqueueRequest => ({
  method: 'm',
  parameters: parameters as never,
  maxAttempts: 3,
  forceRecalculation: false,
  ...extra,
});

test('enqueues, released dependents, hand-backs and reclaims are announced to other connections; waiting jobs are not', async () => {
  const schema = newTestSchema();
  const [writer, watcher, otherSchema] = await Promise.all([
    PgStorage.open(schema.url, { poolSize: 2 }),
    PgStorage.open(schema.url, { poolSize: 2 }),
    (async () => newTestSchema())(),
  ]);
  const elsewhere = await PgStorage.open(otherSchema.url, { poolSize: 2 });
  let announced = 0;
  let announcedElsewhere = 0;
  const unsubscribe = watcher.jobs.onRunnable(() => announced++);
  elsewhere.jobs.onRunnable(() => announcedElsewhere++);
  try {
    // The first announcement comes with the (re)connection itself.
    await waitFor(() => announced === 1, { what: 'the listener to connect' });
    await waitFor(() => announcedElsewhere === 1, { what: 'the other listener to connect' });
    const expectAnnouncement = async (what: string, action: () => Promise<unknown>) => {
      const before = announced;
      await action();
      await waitFor(() => announced > before, { timeoutMs: 2_000, what });
    };
    let now = 1_000;
    const dependency = (await writer.jobs.enqueue(request({ i: 1 }), newObjectId(now), now)).job;
    await waitFor(() => announced === 2, { timeoutMs: 2_000, what: 'the enqueue to be announced' });

    const quiet = announced;
    await writer.jobs.enqueue(request({ i: 2 }, { dependsOn: [dependency.id] }), newObjectId(now), now);
    const [claimed] = await writer.jobs.claim('w', ['m'], 1, 1_000, now);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(announced, quiet, 'neither a job waiting for a dependency nor a claim is announced');

    await expectAnnouncement('a hand-back', () => writer.jobs.handBack(claimed!, now));
    const [again] = await writer.jobs.claim('w', ['m'], 1, 1_000, now);
    assert.equal(again?.id, dependency.id);
    await expectAnnouncement('the release of the dependent', () => writer.jobs.complete(again!, Buffer.from('x'), now));
    const [dependent] = await writer.jobs.claim('w', ['m'], 1, 1_000, now);
    now += 5_000;
    await expectAnnouncement('a reclaim', () => writer.jobs.reclaimExpiredLeases({ baseMs: 0, maxMs: 0 }, now).then((n) => assert.equal(n, 1)));
    assert.ok(dependent);

    assert.equal(announcedElsewhere, 1, 'another schema hears nothing of this one');
    unsubscribe();
    const last = announced;
    await writer.jobs.enqueue(request({ i: 3 }), newObjectId(now), now);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(announced, last, 'nothing after unsubscribing');
  } finally {
    await Promise.all([writer.close(), watcher.close(), elsewhere.close()]);
    await Promise.all([schema.drop(), otherSchema.drop()]);
  }
});

test('processes starting together migrate a new schema once', async () => {
  const schema = newTestSchema();
  const stores = await Promise.all(Array.from({ length: 6 }, () => PgStorage.open(schema.url, { poolSize: 1 })));
  try {
    const { rows } = await stores[0]!.pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows, [
      { version: 1, name: 'jobs' },
      { version: 2, name: 'collection' },
      { version: 3, name: 'band index without pending list' },
    ]);
    // All of them work on the same tables.
    for (const [i, storage] of stores.entries()) await storage.jobs.enqueue(request({ i }), newObjectId(i), i);
    assert.equal((await stores[5]!.jobs.stats(false)).total_jobs, 6);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await schema.drop();
  }
});
