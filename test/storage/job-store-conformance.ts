import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { sha256Hex } from '../../src/jobs/job-keys.js';
import { isAllowedTransition } from '../../src/jobs/state-machine.js';
import { newObjectId } from '../../src/jobs/object-id.js';
import type { EnqueueRequest, JobState, RetryBackoff } from '../../src/jobs/types.js';
import type { JobStore } from '../../src/storage/store.js';

/**
 * The storage interface's conformance suite: every implementation (SQLite, PostgreSQL) must pass it.
 * `open` gives a fresh, empty store; `close` disposes of it.
 */
export interface StoreFactory {
  open(): Promise<{ store: JobStore; close(): Promise<void> }>;
}

const BACKOFF: RetryBackoff = { baseMs: 1_000, maxMs: 10_000 };
const WORKER = 'worker-a';
const LEASE = 30_000;

function request(method: string, parameters: Record<string, unknown> = {}, extra: Partial<EnqueueRequest> = {}): EnqueueRequest {
  return { method, parameters: parameters as never, maxAttempts: 3, forceRecalculation: false, ...extra };
}

function input(text: string) {
  const bytes = Buffer.from(text);
  return { bytes, sha256: sha256Hex(bytes) };
}

const result = (value: unknown) => gzipSync(JSON.stringify(value));

/** Moves a model job to the state the store reports, checking the state machine allows the step. */
function move(job: { state: JobState }, to: JobState): void {
  if (job.state !== to) assert.ok(isAllowedTransition(job.state, to), `${job.state} -> ${to} is not a transition of the state machine`);
  job.state = to;
}

export function jobStoreConformance(name: string, factory: StoreFactory): void {
  describe(`${name} job store`, () => {
    async function withStore(body: (store: JobStore) => Promise<void>): Promise<void> {
      const { store, close } = await factory.open();
      try {
        await body(store);
      } finally {
        await close();
      }
    }

    let clock = 1_700_000_000_000;
    const enqueue = (store: JobStore, req: EnqueueRequest) => store.enqueue(req, newObjectId(clock), clock++);

    test('enqueue returns the equal queued, processing or finished job instead of a new one', () =>
      withStore(async (store) => {
        const first = await enqueue(store, request('m', { a: 1, b: [1, 2] }, { input: input('x') }));
        assert.equal(first.created, true);
        const again = await enqueue(store, request('m', { b: [1, 2], a: 1 }, { input: input('x') }));
        assert.deepEqual([again.created, again.job.id], [false, first.job.id]);
        const [claimed] = await store.claim(WORKER, ['m'], 1, LEASE, clock);
        assert.equal((await enqueue(store, request('m', { a: 1, b: [1, 2] }, { input: input('x') }))).job.id, first.job.id);
        await store.complete(claimed!, result(1), clock);
        assert.equal((await enqueue(store, request('m', { a: 1, b: [1, 2], force_recalculation: false }, { input: input('x') }))).created, false);
        // different parameters, input or method, or forced: new jobs
        assert.equal((await enqueue(store, request('m', { a: 2, b: [1, 2] }, { input: input('x') }))).created, true);
        assert.equal((await enqueue(store, request('m', { a: 1, b: [1, 2] }, { input: input('y') }))).created, true);
        assert.equal((await enqueue(store, request('other', { a: 1, b: [1, 2] }, { input: input('x') }))).created, true);
        const forced = await enqueue(store, request('m', { a: 1, b: [1, 2] }, { input: input('x'), forceRecalculation: true }));
        assert.equal(forced.created, true);
        assert.notEqual(forced.job.id, first.job.id);
      }));

    test('enqueue creates a new job when the equal one failed', () =>
      withStore(async (store) => {
        const first = await enqueue(store, request('m', {}, { maxAttempts: 1 }));
        const [claimed] = await store.claim(WORKER, ['m'], 1, LEASE, clock);
        assert.equal(await store.fail(claimed!, 'boom', BACKOFF, clock), 'failed');
        const second = await enqueue(store, request('m'));
        assert.equal(second.created, true);
        assert.notEqual(second.job.id, first.job.id);
      }));

    test('numbers are sequential from 1 and never reused after a delete', () =>
      withStore(async (store) => {
        const a = await enqueue(store, request('m', { i: 1 }));
        const b = await enqueue(store, request('m', { i: 2 }));
        assert.deepEqual([a.job.number, b.job.number], [1, 2]);
        await store.deleteJob(b.job.id);
        assert.equal((await enqueue(store, request('m', { i: 3 }))).job.number, 3);
      }));

    test('claim takes runnable jobs of known methods oldest first, counts the attempt and never hands a job out twice', () =>
      withStore(async (store) => {
        for (let i = 0; i < 5; i++) await enqueue(store, request('m', { i }));
        await enqueue(store, request('unknown-here', {}));
        const first = await store.claim(WORKER, ['m'], 2, LEASE, clock);
        const second = await store.claim('worker-b', ['m'], 10, LEASE, clock);
        assert.deepEqual(first.map((j) => j.parameters.i), [0, 1]);
        assert.deepEqual(second.map((j) => j.parameters.i), [2, 3, 4]);
        assert.ok([...first, ...second].every((j) => j.attempt === 1));
        assert.deepEqual(await store.claim(WORKER, ['m'], 10, LEASE, clock), []);
        const job = await store.getJob(first[0]!.id);
        assert.equal(job?.state, 'processing');
        assert.equal(job?.startedAt, clock);
      }));

    test('complete stores the result and finishes the job; a stale fence is refused', () =>
      withStore(async (store) => {
        const { job } = await enqueue(store, request('m'));
        const [claimed] = await store.claim(WORKER, ['m'], 1, LEASE, clock);
        assert.equal(await store.reportProgress(claimed!, 0.5), true);
        assert.equal((await store.getJob(job.id))?.progress, 0.5);
        assert.equal(await store.complete({ ...claimed!, claim: 2 }, result('wrong'), clock), false);
        assert.equal(job.resultId, null, 'no result id before a result exists');
        assert.equal(await store.complete(claimed!, result({ ok: true }), clock), true);
        assert.equal(await store.complete(claimed!, result('again'), clock), false);
        assert.equal(await store.reportProgress(claimed!, 0.1), false);
        const finished = await store.getJob(job.id);
        const resultId = finished!.resultId!;
        assert.match(resultId, /^[0-9a-f]{24}$/);
        assert.deepEqual([finished?.state, finished?.progress, finished?.finishedAt], ['finished', 1, clock]);
        const stored = await store.getResult(resultId);
        assert.deepEqual(JSON.parse(gunzipSync(stored!.gzipJson).toString()), { ok: true });
        assert.equal(stored?.jobId, job.id);
        assert.equal((await store.getJobByResult(resultId))?.id, job.id);
      }));

    test('a failed attempt is retried after exponential backoff, then the job fails keeping the last error', () =>
      withStore(async (store) => {
        const { job } = await enqueue(store, request('m', {}, { maxAttempts: 3 }));
        let now = clock;
        for (let attempt = 1; attempt <= 3; attempt++) {
          const [claimed] = await store.claim(WORKER, ['m'], 1, LEASE, now);
          assert.equal(claimed?.attempt, attempt);
          const outcome = await store.fail(claimed!, `error ${attempt}`, BACKOFF, now);
          assert.equal(outcome, attempt < 3 ? 'retrying' : 'failed');
          // not runnable before base * 2^(attempt-1)
          const delay = BACKOFF.baseMs * 2 ** (attempt - 1);
          if (attempt < 3) assert.deepEqual(await store.claim(WORKER, ['m'], 1, LEASE, now + delay - 1), []);
          now += delay;
        }
        const failed = await store.getJob(job.id);
        assert.deepEqual([failed?.state, failed?.attempts, failed?.error], ['failed', 3, 'error 3']);
        assert.notEqual(failed?.finishedAt, null);
      }));

    test('a permanent failure ends the job at its first attempt, attempts left or not; a plain one is retried', () =>
      withStore(async (store) => {
        const { job: permanent } = await enqueue(store, request('m', { kind: 'bad input' }, { maxAttempts: 3 }));
        const { job: plain } = await enqueue(store, request('m', { kind: 'transient' }, { maxAttempts: 3 }));
        const claimed = await store.claim(WORKER, ['m'], 2, LEASE, clock);
        const fenceOf = (id: string) => claimed.find((c) => c.id === id)!;
        assert.equal(await store.fail(fenceOf(permanent.id), 'SmdaReportError: report: not valid JSON', BACKOFF, clock, true), 'failed');
        assert.equal(await store.fail(fenceOf(plain.id), 'connection reset', BACKOFF, clock, false), 'retrying');
        const failed = await store.getJob(permanent.id);
        assert.deepEqual([failed?.state, failed?.attempts, failed?.maxAttempts, failed?.finishedAt], ['failed', 1, 3, clock]);
        assert.equal(failed?.error, 'SmdaReportError: report: not valid JSON');
        assert.equal((await store.getJob(plain.id))?.state, 'queued');
        assert.equal(await store.fail(fenceOf(permanent.id), 'again', BACKOFF, clock, true), 'refused', 'the fence is gone');
      }));

    test('expired leases are reclaimed with the attempt used; the last attempt fails the job', () =>
      withStore(async (store) => {
        const { job } = await enqueue(store, request('m', {}, { maxAttempts: 2 }));
        const [first] = await store.claim(WORKER, ['m'], 1, LEASE, clock);
        assert.equal(await store.reclaimExpiredLeases(BACKOFF, clock + LEASE - 1), 0);
        assert.deepEqual(await store.renewLeases([first!], LEASE, clock + 1000), []);
        assert.equal(await store.reclaimExpiredLeases(BACKOFF, clock + LEASE + 1), 0, 'the renewed lease still holds');
        assert.equal(await store.reclaimExpiredLeases(BACKOFF, clock + 1000 + LEASE + 1), 1);
        const reclaimed = await store.getJob(job.id);
        assert.deepEqual([reclaimed?.state, reclaimed?.attempts], ['queued', 1]);
        assert.match(reclaimed?.error ?? '', /lease expired: worker worker-a/);
        assert.deepEqual(await store.renewLeases([first!], LEASE, clock), [first], 'the old fence is lost');
        const later = clock + 100_000;
        const [second] = await store.claim('worker-b', ['m'], 1, LEASE, later);
        assert.equal(second?.attempt, 2);
        assert.equal(await store.complete(first!, result('late'), later), false, 'late write refused');
        assert.equal(await store.fail(first!, 'late', BACKOFF, later), 'refused');
        assert.equal(await store.reclaimExpiredLeases(BACKOFF, later + LEASE + 1), 1);
        assert.equal((await store.getJob(job.id))?.state, 'failed');
      }));

    test('handing a job back returns it to the queue without counting the attempt', () =>
      withStore(async (store) => {
        const { job } = await enqueue(store, request('m'));
        const [claimed] = await store.claim(WORKER, ['m'], 1, LEASE, clock);
        assert.equal(await store.handBack(claimed!, clock), true);
        assert.deepEqual([(await store.getJob(job.id))?.state, (await store.getJob(job.id))?.attempts], ['queued', 0]);
        const [again] = await store.claim(WORKER, ['m'], 1, LEASE, clock);
        assert.deepEqual([again?.attempt, again?.claim], [1, 2]);
        assert.equal(await store.handBack(claimed!, clock), false, 'the handed-back claim is gone for good');
        assert.equal(await store.complete(claimed!, result('stale'), clock), false);
      }));

    test('a job waits for its dependencies to end (finished, failed or deleted)', () =>
      withStore(async (store) => {
        const a = await enqueue(store, request('dep', { i: 'a' }, { maxAttempts: 1 }));
        const b = await enqueue(store, request('dep', { i: 'b' }));
        const c = await enqueue(store, request('dep', { i: 'c' }));
        const parent = await enqueue(store, request('parent', {}, { dependsOn: [a.job.id, b.job.id.toUpperCase(), c.job.id] }));
        assert.deepEqual(parent.job.dependsOn, [a.job.id, b.job.id, c.job.id]);
        const claimDeps = () => store.claim(WORKER, ['dep'], 1, LEASE, clock);
        const claimParent = () => store.claim(WORKER, ['parent'], 1, LEASE, clock);
        const [ja] = await claimDeps();
        await store.fail(ja!, 'x', BACKOFF, clock);
        assert.deepEqual(await claimParent(), []);
        const [jb] = await claimDeps();
        await store.complete(jb!, result(null), clock);
        assert.deepEqual(await claimParent(), []);
        await store.deleteJob(c.job.id);
        const [p] = await claimParent();
        assert.equal(p?.id, parent.job.id);
        await assert.rejects(enqueue(store, request('parent', { x: 1 }, { dependsOn: ['0123456789abcdef01234567'] })), /unknown job/);
        const late = await enqueue(store, request('parent', { x: 2 }, { dependsOn: [b.job.id] }));
        assert.equal(late.job.state, 'queued');
        assert.equal((await claimParent())[0]?.id, late.job.id, 'a dependency that already ended does not block');
      }));

    test('deleting jobs removes their results and the uploads no other job references', () =>
      withStore(async (store) => {
        const shared = input('shared bytes');
        const a = await enqueue(store, request('m', { i: 1 }, { input: shared }));
        const b = await enqueue(store, request('m', { i: 2 }, { input: shared }));
        const own = await enqueue(store, request('m', { i: 3 }, { input: input('own bytes') }));
        const [claimed] = await store.claim(WORKER, ['m'], 1, LEASE, clock);
        await store.complete(claimed!, result('r'), clock);
        const resultId = (await store.getJob(claimed!.id))!.resultId!;
        assert.equal(await store.deleteJob(a.job.id), 1);
        assert.equal(await store.deleteJob(a.job.id), 0);
        assert.equal(await store.getResult(resultId), undefined);
        assert.deepEqual(Buffer.from((await store.readInput(shared.sha256))!), shared.bytes);
        assert.equal(await store.deleteJob(b.job.id.toUpperCase()), 1);
        assert.equal(await store.readInput(shared.sha256), undefined);
        assert.notEqual(await store.readInput(input('own bytes').sha256), undefined);
        assert.equal(await store.deleteJobs({ method: 'm' }), 1);
        assert.equal(await store.readInput(input('own bytes').sha256), undefined);
        assert.equal(await store.getJob(own.job.id), undefined);
      }));

    test('bulk delete applies all criteria together', () =>
      withStore(async (store) => {
        const t0 = clock;
        const old = await enqueue(store, request('a', { i: 1 }));
        await enqueue(store, request('b', { i: 2 }));
        const [claimed] = await store.claim(WORKER, ['a'], 1, LEASE, clock);
        await store.complete(claimed!, result(1), t0 + 5);
        clock = t0 + 10;
        await enqueue(store, request('a', { i: 3 }));
        assert.equal(await store.deleteJobs({ method: 'a', createdBefore: t0 + 10, finishedBefore: t0 + 5 }), 0);
        assert.equal(await store.deleteJobs({ method: 'a', createdBefore: t0 + 10, finishedBefore: t0 + 6 }), 1);
        assert.equal(await store.getJob(old.job.id), undefined);
        assert.equal(await store.deleteJobs({ createdBefore: t0 + 10 }), 1);
        assert.equal((await store.stats(false)).total_jobs, 1);
        await assert.rejects(store.deleteJobs({}), /at least one criterion/);
      }));

    test('listJobs filters, orders and pages like an independent computation', () =>
      withStore(async (store) => {
        const names = ['Alpha.exe', 'beta.DLL', 'gamma "quoted"', 'δέλτα', 'x'];
        const model: { id: string; number: number; method: string; state: JobState; text: string }[] = [];
        for (let i = 0; i < 120; i++) {
          const method = ['addBinarySample', 'query', 'rebuildIndex'][i % 3]!;
          const { job } = await enqueue(store, request(method, { filename: names[i % names.length]!, i }));
          model.push({ id: job.id, number: job.number, method, state: 'queued', text: '' });
        }
        for (const [i, claimed] of (await store.claim(WORKER, ['addBinarySample', 'query', 'rebuildIndex'], 80, LEASE, clock)).entries()) {
          const job = model.find((m) => m.number === claimed.jobNumber)!;
          job.state = 'processing';
          if (i % 3 === 0) {
            await store.complete(claimed, result(i), clock);
            job.state = 'finished';
          } else if (i % 3 === 1) {
            await store.fail({ ...claimed }, 'x', BACKOFF, clock);
            job.state = 'queued';
          }
        }
        for (const job of model) {
          const stored = (await store.getJob(job.id))!;
          assert.equal(stored.state, job.state);
          job.text = [job.id, job.method, stored.resultId ?? '', ...Object.values(stored.parameters).map(String)].join('\n').toLowerCase();
        }
        const resultId = (await store.getJob(model.find((m) => m.state === 'finished')!.id))!.resultId!;
        const texts = [undefined, 'alpha', 'ALPHA.EXE', 'dll', 'a', 'be', '"quot', 'δέλ', resultId.slice(3, 15), model[7]!.id.toUpperCase(), 'query', 'zzz'];
        await fc.assert(
          fc.asyncProperty(
            fc.record({
              offset: fc.nat(130),
              limit: fc.nat(50),
              order: fc.constantFrom('ascending' as const, 'descending' as const),
              method: fc.option(fc.constantFrom('addBinarySample', 'query', 'rebuildIndex', 'none'), { nil: undefined }),
              state: fc.option(fc.constantFrom<JobState>('queued', 'processing', 'finished', 'failed'), { nil: undefined }),
              text: fc.constantFrom(...texts),
            }),
            async (query) => {
              const matching = model
                .filter((m) => (query.method === undefined || m.method === query.method) && (query.state === undefined || m.state === query.state))
                .filter((m) => query.text === undefined || m.text.includes(query.text.toLowerCase()))
                .sort((a, b) => (query.order === 'ascending' ? a.number - b.number : b.number - a.number));
              const expected = matching.slice(query.offset, query.limit === 0 ? undefined : query.offset + query.limit);
              const page = await store.listJobs(query);
              assert.equal(page.total, matching.length);
              assert.deepEqual(page.jobs.map((j) => j.number), expected.map((m) => m.number));
            },
          ),
          { numRuns: 300 },
        );
      }));

    test('stats equal a recount after random sequences of enqueue, claim, complete, fail, reclaim and delete', () =>
      fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              fc.record({ op: fc.constant('enqueue' as const), method: fc.constantFrom('a', 'b', 'c'), key: fc.nat(20) }),
              fc.record({ op: fc.constant('claim' as const), n: fc.integer({ min: 1, max: 3 }) }),
              fc.record({ op: fc.constantFrom('complete' as const, 'fail' as const, 'handBack' as const), pick: fc.nat() }),
              fc.record({ op: fc.constant('reclaim' as const) }),
              fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
              fc.record({ op: fc.constant('bulkDelete' as const), method: fc.constantFrom('a', 'b', 'c') }),
            ),
            { maxLength: 60 },
          ),
          async (ops) => {
            const { store, close } = await factory.open();
            try {
              let now = 1_000_000;
              const model = new Map<string, { method: string; state: JobState }>();
              let held: { jobNumber: number; claim: number; id: string }[] = [];
              for (const op of ops) {
                now += 100;
                if (op.op === 'enqueue') {
                  const out = await store.enqueue(request(op.method, { key: op.key }, { maxAttempts: 2 }), newObjectId(now), now);
                  if (out.created) model.set(out.job.id, { method: op.method, state: 'queued' });
                } else if (op.op === 'claim') {
                  const claimed = await store.claim(WORKER, ['a', 'b', 'c'], op.n, 500, now);
                  for (const c of claimed) move(model.get(c.id)!, 'processing');
                  held.push(...claimed);
                } else if (op.op === 'reclaim') {
                  await store.reclaimExpiredLeases({ baseMs: 0, maxMs: 0 }, now);
                  for (const [id, job] of model) {
                    if (job.state === 'processing') move(job, (await store.getJob(id))!.state);
                  }
                  held = held.filter((h) => model.get(h.id)?.state === 'processing');
                } else if (op.op === 'delete') {
                  const ids = [...model.keys()];
                  if (ids.length === 0) continue;
                  const id = ids[op.pick % ids.length]!;
                  assert.equal(await store.deleteJob(id), 1);
                  model.delete(id);
                } else if (op.op === 'bulkDelete') {
                  const expected = [...model.values()].filter((j) => j.method === op.method).length;
                  assert.equal(await store.deleteJobs({ method: op.method }), expected);
                  for (const [id, job] of model) if (job.method === op.method) model.delete(id);
                } else {
                  held = held.filter((h) => model.has(h.id));
                  if (held.length === 0) continue;
                  const h = held.splice(op.pick % held.length, 1)[0]!;
                  if (op.op === 'complete') {
                    if (await store.complete(h, result(1), now)) move(model.get(h.id)!, 'finished');
                  } else if (op.op === 'handBack') {
                    if (await store.handBack(h, now)) move(model.get(h.id)!, 'queued');
                  } else {
                    const outcome = await store.fail(h, 'x', { baseMs: 0, maxMs: 0 }, now);
                    if (outcome !== 'refused') move(model.get(h.id)!, outcome === 'failed' ? 'failed' : 'queued');
                  }
                }
                const stats = await store.stats(false);
                const expected = { queued: 0, processing: 0, finished: 0, failed: 0 };
                for (const job of model.values()) expected[job.state]++;
                assert.deepEqual(
                  { queued: stats.queued, processing: stats.processing, finished: stats.finished, failed: stats.failed },
                  expected,
                );
                assert.equal(stats.total_jobs, model.size);
                for (const method of ['a', 'b', 'c']) {
                  const n = [...model.values()].filter((j) => j.method === method).length;
                  assert.equal(stats.by_method[method]?.total ?? 0, n);
                }
              }
              assert.deepEqual(await store.stats(false), await store.stats(true));
            } finally {
              await close();
            }
          },
        ),
        { numRuns: 60 },
      ));
  });
}
