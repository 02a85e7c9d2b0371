import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withSchema } from '../../src/storage/postgres/connection.js';
import { api, tempDir, waitFor } from '../support/harness.js';
import { auditByJob, countJobs, readAudit, reportCounts, type JobCounts } from '../support/audit-log.js';
import { openQueue, ProcessSet, type QueueLocation } from '../support/processes.js';
import { newTestSchema, TEST_DATABASE_URL } from '../support/postgres.js';
import { PrivateCluster, privateClusterUnavailable } from '../support/private-postgres.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * Faults of the database itself, on PostgreSQL: the connection cut and delayed by a proxy, and the
 * server restarted while workers run. Workers retry with backoff and never die; a job whose outcome
 * could not be written is reclaimed when its lease expires. Nothing may be lost, nothing finish twice.
 */

/** Every job ended, none lost or failed; each finished exactly once (its last attempt), per the audit. */
async function assertEachFinishedOnce(t: { diagnostic(m: string): void }, label: string, queue: Awaited<ReturnType<typeof openQueue>>, ids: string[], log: string): Promise<JobCounts> {
  const counts = await countJobs(queue.store, ids);
  reportCounts(t, label, counts);
  assert.deepEqual(counts, { submitted: ids.length, finished: ids.length, failed: 0, deleted: 0, lost: 0 });
  const audits = auditByJob(readAudit(log));
  let reruns = 0;
  for (const id of ids) {
    const job = (await queue.store.getJob(id))!;
    const ends = audits.get(id)?.ends.filter((e) => e.attempt === job.attempts) ?? [];
    assert.equal(ends.length, 1, `job ${id}: its last attempt (${job.attempts}) ended ${ends.length} times`);
    if (job.attempts > 1) reruns++;
  }
  t.diagnostic(`${label}: ${reruns} job(s) ran again after an attempt whose outcome could not be written`);
  const stats = await queue.store.stats(false);
  assert.deepEqual(stats, await queue.store.stats(true), 'the counters equal a recount');
  return counts;
}

test('connections cut and delayed by a TCP proxy while 2 workers run 600 jobs: nothing is lost, each job finishes once', async (t) => {
  const dir = tempDir();
  const schema = newTestSchema();
  const procs = new ProcessSet();
  const proxy = await TcpProxy.start(Number(new URL(TEST_DATABASE_URL).port || 5432));
  const proxied = new URL(schema.url);
  proxied.port = String(proxy.port);
  let queue: Awaited<ReturnType<typeof openQueue>> | undefined;
  const JOBS = 600;
  try {
    const direct: QueueLocation = { dataDir: dir.path, database: schema.url };
    queue = await openQueue(direct); // the test's own connection is not proxied
    const workers = await Promise.all(
      ['worker A', 'worker B'].map((name) => procs.worker({ dataDir: dir.path, database: proxied.toString(), workers: 2, maxAttempts: 5, name })),
    );
    const log = join(dir.path, 'audit.log');
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) ids.push((await queue.engine.submit({ method: 'audit', parameters: { log, i, ms: 20 + (i % 4) * 10 }, maxAttempts: 5 })).job.id);

    const finished = async () => (await queue!.store.stats(false)).finished;
    const progressed = async (more: number, what: string) => {
      const target = (await finished()) + more;
      await waitFor(async () => (await finished()) >= target, { timeoutMs: 30_000, what });
    };
    await progressed(60, 'jobs to run');
    proxy.delayMs = 80; // every chunk, each way
    await sleep(1_000);
    proxy.delayMs = 0;
    const cutOnce = proxy.cut();
    proxy.setDown(true); // new connections are reset at once
    await sleep(1_500);
    proxy.setDown(false);
    await progressed(60, 'jobs to run again after the outage');
    await waitFor(() => proxy.openConnections > 0, { what: 'the workers to be connected' });
    const cutTwice = proxy.cut();
    t.diagnostic(`cut ${cutOnce} then ${cutTwice} open connections; refused ${proxy.counts.refused} while down; ${proxy.counts.accepted} accepted in all`);
    assert.ok(cutOnce > 0 && cutTwice > 0 && proxy.counts.refused > 0, 'the faults hit the workers');
    assert.ok((await finished()) < JOBS, 'jobs were still running at the second cut');

    await waitFor(async () => {
      const s = await queue!.store.stats(false);
      return s.finished + s.failed === JOBS;
    }, { timeoutMs: 60_000, intervalMs: 200, what: 'every job to end' });
    await assertEachFinishedOnce(t, 'connection cut and delayed', queue, ids, log);
    for (const w of workers) assert.equal(w.hasExited, false, `${w.name} survived`);
    assert.match(procs.stderr(), /claim failed|could not record|notification connection lost|idle connection lost/, 'the workers saw the faults');
  } finally {
    await procs.killAll();
    await queue?.store.close();
    await proxy.close();
    await schema.drop();
    dir.remove();
  }
});

const unavailable = privateClusterUnavailable();

test('PostgreSQL restarted while 2 workers run 2,000 jobs: nothing is lost, each job finishes once', { skip: unavailable && `no private PostgreSQL cluster: ${unavailable}` }, async (t) => {
  const dir = tempDir();
  const procs = new ProcessSet();
  const cluster = await PrivateCluster.create();
  let queue: Awaited<ReturnType<typeof openQueue>> | undefined;
  const JOBS = 2_000;
  try {
    const location: QueueLocation = { dataDir: dir.path, database: withSchema(cluster.url, 'mcrit') };
    queue = await openQueue(location);
    const server = await procs.server({ ...location, workers: 0, name: 'API server' });
    const workers = await Promise.all(['worker A', 'worker B'].map((name) => procs.worker({ ...location, workers: 2, maxAttempts: 5, name })));
    const log = join(dir.path, 'audit.log');
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) ids.push((await queue.engine.submit({ method: 'audit', parameters: { log, i }, maxAttempts: 5 })).job.id);

    await waitFor(async () => (await queue!.store.stats(false)).finished >= JOBS / 4, { timeoutMs: 60_000, what: 'a quarter of the jobs to finish' });
    const stoppedAt = Date.now();
    cluster.stop('fast');
    const during = await api(server.url, 'GET', '/jobs/stats');
    assert.equal(during.status, 503, `the API answers 503 while the database is down: ${JSON.stringify(during.body)}`);
    await sleep(2_000);
    cluster.start();
    t.diagnostic(`PostgreSQL was down for ${Date.now() - stoppedAt} ms`);

    await waitFor(async () => {
      const s = await queue!.store.stats(false).catch(() => undefined);
      return s && s.finished + s.failed === JOBS;
    }, { timeoutMs: 90_000, intervalMs: 250, what: 'every job to end' });
    await assertEachFinishedOnce(t, 'PostgreSQL restart', queue, ids, log);
    assert.equal((await api(server.url, 'GET', '/jobs/stats')).body.data.finished, JOBS, 'the API server works again');
    for (const p of [server, ...workers]) assert.equal(p.hasExited, false, `${p.name} survived the restart`);
  } finally {
    await procs.killAll();
    await queue?.store.close().catch(() => undefined);
    cluster.destroy();
    dir.remove();
  }
});
