import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { JobStore } from '../../src/storage/store.js';
import { api, waitFor } from '../support/harness.js';
import { auditByJob, countJobs, readAudit, reportCounts } from '../support/audit-log.js';
import { newQueueLocation, openQueue, ProcessSet, type ServerProcess } from '../support/processes.js';

interface Deployment {
  store: 'sqlite' | 'postgres';
  jobs: number;
  /** Executor threads of each API server (0: API only). */
  servers: number[];
  workerProcesses: number;
  /** Executor threads per worker process. */
  workerThreads: number;
  timeoutMs: number;
}

/**
 * Processes share one database while jobs are submitted; every job must finish exactly once (the
 * audit file counts executions), the counters must stay consistent throughout and equal a recount.
 */
async function manyJobs(t: { diagnostic(message: string): void }, d: Deployment): Promise<void> {
  const location = newQueueLocation(d.store);
  const procs = new ProcessSet();
  let store: JobStore | undefined;
  try {
    const started = await Promise.all([
      ...d.servers.map((workers, i) => procs.server({ ...location, workers, name: `server ${i + 1}` })),
      ...Array.from({ length: d.workerProcesses }, (_, i) => procs.worker({ ...location, workers: d.workerThreads, name: `worker ${i + 1}` })),
    ]);
    const servers = started.slice(0, d.servers.length) as ServerProcess[];
    const queue = await openQueue(location);
    store = queue.store;
    const log = join(location.dataDir, 'audit.log');
    const concurrency = d.servers.reduce((a, b) => a + b, 0) + d.workerProcesses * d.workerThreads;

    // Submitted while the processes already claim: enqueue and claim contend for the database.
    const began = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < d.jobs; i += 8) {
      const batch = Array.from({ length: Math.min(8, d.jobs - i) }, (_, k) => queue.engine.submit({ method: 'audit', parameters: { log, i: i + k } }));
      for (const { job, created } of await Promise.all(batch)) {
        assert.equal(created, true);
        ids.push(job.id);
      }
    }
    const enqueuedMs = Date.now() - began;

    // Sampled from each server in turn while the jobs run: the counts always add up, and finished jobs never go back.
    let lastFinished = 0;
    let poll = 0;
    const stats = await waitFor(
      async () => {
        const answer = await api(servers[poll++ % servers.length]!.url, 'GET', '/jobs/stats');
        const s = answer.body.data;
        assert.equal(answer.status, 200);
        assert.equal(s.queued + s.processing + s.finished + s.failed, s.total_jobs, `inconsistent stats ${JSON.stringify(s)}`);
        assert.equal(s.total_jobs, d.jobs);
        assert.ok(s.finished >= lastFinished, 'the finished count never decreases');
        assert.ok(s.processing <= concurrency, `at most ${concurrency} jobs run at once (${s.processing})`);
        lastFinished = s.finished;
        return s.finished + s.failed === d.jobs && s;
      },
      { timeoutMs: d.timeoutMs, intervalMs: 100, what: `${d.jobs} jobs to end` },
    );
    const elapsedMs = Date.now() - began;
    t.diagnostic(`${d.store}: enqueued ${d.jobs} jobs in ${enqueuedMs} ms; all ended after ${elapsedMs} ms (${Math.round(d.jobs / (elapsedMs / 1000))} jobs/s)`);

    const counts = await countJobs(store, ids);
    reportCounts(t, `many jobs (${d.store})`, counts);
    assert.deepEqual(
      { total_jobs: stats.total_jobs, queued: stats.queued, processing: stats.processing, finished: stats.finished, failed: stats.failed },
      { total_jobs: d.jobs, queued: 0, processing: 0, finished: d.jobs, failed: 0 },
    );
    assert.deepEqual(stats.by_method, { audit: { queued: 0, processing: 0, finished: d.jobs, failed: 0, total: d.jobs } });
    for (const server of servers) {
      const recounted = (await api(server.url, 'GET', '/jobs/stats?with_refresh=true')).body.data;
      assert.deepEqual(recounted, stats, `${server.name}: the counters equal a recount from the jobs`);
    }
    assert.deepEqual(counts, { submitted: d.jobs, finished: d.jobs, failed: 0, deleted: 0, lost: 0 });

    // The audit: every job started once and ended once, in attempt 1.
    const audits = auditByJob(readAudit(log));
    const twice: string[] = [];
    const perProcess = new Map<number, number>();
    for (const id of ids) {
      const audit = audits.get(id);
      if (!audit || audit.starts.length !== 1 || audit.ends.length !== 1 || audit.ends[0]!.attempt !== 1) twice.push(id);
      if (audit?.ends[0]) perProcess.set(audit.ends[0].pid, (perProcess.get(audit.ends[0].pid) ?? 0) + 1);
    }
    assert.equal(audits.size, d.jobs, 'the audit names exactly the submitted jobs');
    assert.deepEqual(twice, [], 'jobs that did not run exactly once');
    const attempts = new Set((await store.listJobs({ offset: 0, limit: 0, order: 'ascending' })).jobs.map((j) => j.attempts));
    assert.deepEqual([...attempts], [1]);

    const names = new Map(procs.all.map((p) => [p.pid, p.name]));
    t.diagnostic(`jobs per process: ${[...perProcess].map(([pid, n]) => `${names.get(pid) ?? pid}=${n}`).join(' ')}`);
    for (const [i, p] of procs.all.entries()) {
      const threads = i < d.servers.length ? d.servers[i]! : d.workerThreads;
      if (threads > 0) assert.ok((perProcess.get(p.pid) ?? 0) > 0, `${p.name} ran jobs`);
      else assert.equal(perProcess.get(p.pid) ?? 0, 0, `${p.name} is API only`);
    }
    assert.doesNotMatch(procs.stderr(), /reclaimed \d+ job|refused|could not record|claim failed|lease of job/);
  } finally {
    await procs.killAll();
    await store?.close();
    await location.remove();
  }
}

test('two worker processes and a server with in-process workers run 5,000 jobs on one SQLite database, each exactly once', (t) =>
  manyJobs(t, { store: 'sqlite', jobs: 5_000, servers: [2], workerProcesses: 2, workerThreads: 2, timeoutMs: 60_000 }));

test('three worker processes and two API servers run 10,000 jobs on one PostgreSQL database, each exactly once', (t) =>
  manyJobs(t, { store: 'postgres', jobs: 10_000, servers: [0, 0], workerProcesses: 3, workerThreads: 2, timeoutMs: 180_000 }));
