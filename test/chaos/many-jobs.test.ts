import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { JobStore } from '../../src/storage/store.js';
import { api, tempDir, waitFor } from '../support/harness.js';
import { auditByJob, countJobs, readAudit, reportCounts } from '../support/audit-log.js';
import { openQueue, ProcessSet } from '../support/processes.js';

const JOBS = 5_000;

test(`two worker processes and a server with in-process workers run ${JOBS} jobs on one database, each exactly once`, async (t) => {
  const dir = tempDir();
  const procs = new ProcessSet();
  let store: JobStore | undefined;
  try {
    const options = { dataDir: dir.path, workers: 2 };
    const [server, ...workers] = await Promise.all([
      procs.server({ ...options, name: 'server' }),
      procs.worker({ ...options, name: 'worker A' }),
      procs.worker({ ...options, name: 'worker B' }),
    ]);
    const queue = await openQueue(dir.path);
    store = queue.store;
    const engine = queue.engine;
    const log = join(dir.path, 'audit.log');

    // Submitted while the three processes already claim: enqueue and claim contend for the file.
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const { job, created } = await engine.submit({ method: 'audit', parameters: { log, i } });
      assert.equal(created, true);
      ids.push(job.id);
    }
    const enqueuedMs = Date.now() - started;

    // Sampled while the jobs run: the counts always add up, and finished jobs never go back.
    let lastFinished = 0;
    const stats = await waitFor(
      async () => {
        const answer = await api(server.url, 'GET', '/jobs/stats');
        const s = answer.body.data;
        assert.equal(answer.status, 200);
        assert.equal(s.queued + s.processing + s.finished + s.failed, s.total_jobs, `inconsistent stats ${JSON.stringify(s)}`);
        assert.equal(s.total_jobs, JOBS);
        assert.ok(s.finished >= lastFinished, 'the finished count never decreases');
        assert.ok(s.processing <= 6, `at most 6 jobs run at once (${s.processing})`);
        lastFinished = s.finished;
        return s.finished + s.failed === JOBS && s;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${JOBS} jobs to end` },
    );
    const elapsedMs = Date.now() - started;
    t.diagnostic(`enqueued ${JOBS} jobs in ${enqueuedMs} ms; all ended after ${elapsedMs} ms (${Math.round(JOBS / (elapsedMs / 1000))} jobs/s)`);

    const counts = await countJobs(store, ids);
    reportCounts(t, 'many jobs', counts);

    assert.deepEqual(
      { total_jobs: stats.total_jobs, queued: stats.queued, processing: stats.processing, finished: stats.finished, failed: stats.failed },
      { total_jobs: JOBS, queued: 0, processing: 0, finished: JOBS, failed: 0 },
    );
    assert.deepEqual(stats.by_method, { audit: { queued: 0, processing: 0, finished: JOBS, failed: 0, total: JOBS } });
    const recounted = (await api(server.url, 'GET', '/jobs/stats?with_refresh=true')).body.data;
    assert.deepEqual(recounted, stats, 'the counters equal a recount from the jobs');
    assert.deepEqual(counts, { submitted: JOBS, finished: JOBS, failed: 0, deleted: 0, lost: 0 });

    // The audit: every job started once and ended once, in attempt 1.
    const audits = auditByJob(readAudit(log));
    const twice: string[] = [];
    const perProcess = new Map<number, number>();
    for (const id of ids) {
      const audit = audits.get(id);
      if (!audit || audit.starts.length !== 1 || audit.ends.length !== 1 || audit.ends[0]!.attempt !== 1) twice.push(id);
      if (audit?.ends[0]) perProcess.set(audit.ends[0].pid, (perProcess.get(audit.ends[0].pid) ?? 0) + 1);
    }
    assert.equal(audits.size, JOBS, 'the audit names exactly the submitted jobs');
    assert.deepEqual(twice, [], 'jobs that did not run exactly once');
    const attempts = new Set((await store.listJobs({ offset: 0, limit: 0, order: 'ascending' })).jobs.map((j) => j.attempts));
    assert.deepEqual([...attempts], [1]);

    const names = new Map(procs.all.map((p) => [p.pid, p.name]));
    t.diagnostic(`jobs per process: ${[...perProcess].map(([pid, n]) => `${names.get(pid) ?? pid}=${n}`).join(' ')}`);
    for (const p of [server, ...workers]) assert.ok((perProcess.get(p.pid) ?? 0) > 0, `${p.name} ran jobs`);
    assert.doesNotMatch(procs.stderr(), /reclaimed \d+ job|refused|could not record|claim failed|lease of job/);
  } finally {
    await procs.killAll();
    await store?.close();
    dir.remove();
  }
});
