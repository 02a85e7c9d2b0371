import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { JobParameters, JobState, JsonValue } from '../../src/jobs/types.js';
import { serviceSql } from '../support/service-sql.js';
import { api, startTestService, type TestService } from '../support/harness.js';
import { expectSuccess, FAKE_WORKER, gzipJson, TIMESTAMP } from '../support/http-helpers.js';

/**
 * GET /jobs (paging, order, method, state, filter, X-Total-Count) and GET /jobs/stats on 1,300 jobs
 * in all four states, checked against a model the test keeps of the jobs it created: the expected
 * answer is filtered, sorted and paged here, independently of the service.
 *
 * The jobs are created with `engine.submit` on a service without workers, then moved through their
 * states in the store by a fake worker (claim, then complete / fail / hand back / leave processing).
 */

interface ModelJob {
  id: string;
  number: number;
  method: string;
  state: JobState;
  parameters: JobParameters;
  /** Shown once the job finished. */
  resultId: string | null;
  /** Never claimed: started stays null. */
  neverClaimed: boolean;
  error: string | null;
}

const METHODS = ['noop', 'echo', 'sleep', 'cpu', 'flaky', 'query'] as const;
const STATES: readonly JobState[] = ['queued', 'processing', 'finished', 'failed'];
/** Parameter words: mixed case, non-ASCII, characters special to SQL LIKE, FTS and JSON. */
const WORDS = [
  'Alpha', 'bravo', 'CHARLIE', 'delta-Force', 'echo-room', 'Foxtrot', 'golf_club', 'Hotel 9', 'india', 'Jülich', 'straße',
  'ÅNGSTRÖM', 'kilo', 'Lima Lima', '100%_done', 'say "hi"', "it's", 'a*b', 'query-like', 'x', 'yz', 'München',
];
const FAILURE = 'fake worker says no';
const LONG_LEASE = 3_600_000;
const SEED = 20240115;

let service: TestService;
let model: ModelJob[] = [];
let sha256OfShared: string;

function modelFieldsOf(job: ModelJob): string[] {
  const values: string[] = [];
  const collect = (value: JsonValue) => {
    if (value === null) return;
    if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === 'object') Object.values(value).forEach(collect);
    else values.push(String(value));
  };
  collect(job.parameters);
  return [job.id, job.method, ...(job.resultId ? [job.resultId] : []), ...values];
}

interface ListQuery {
  start?: number;
  limit?: number;
  ascending?: boolean;
  method?: string;
  state?: JobState | 'in_progress';
  filter?: string;
}

/** The expected answer of GET /jobs, computed from the model. */
function expected(query: ListQuery): { ids: string[]; total: number } {
  const state = query.state === 'in_progress' ? 'processing' : query.state;
  const needle = query.filter?.toLowerCase() ?? '';
  const matching = model
    .filter((job) => query.method === undefined || job.method === query.method)
    .filter((job) => state === undefined || job.state === state)
    .filter((job) => needle === '' || modelFieldsOf(job).some((field) => field.toLowerCase().includes(needle)))
    .sort((a, b) => (query.ascending ? a.number - b.number : b.number - a.number));
  const start = query.start ?? 0;
  const limit = query.limit ?? 0;
  const page = matching.slice(start, limit === 0 ? undefined : start + limit);
  return { ids: page.map((job) => job.id), total: matching.length };
}

function queryString(query: ListQuery, spelling: (b: boolean) => string = String): string {
  const params = new URLSearchParams();
  if (query.start !== undefined) params.set('start', String(query.start));
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.ascending !== undefined) params.set('ascending', spelling(query.ascending));
  if (query.method !== undefined) params.set('method', query.method);
  if (query.state !== undefined) params.set('state', query.state);
  if (query.filter !== undefined) params.set('filter', query.filter);
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function list(query: ListQuery, spelling?: (b: boolean) => string) {
  const answer = await api(service.url, 'GET', `/jobs${queryString(query, spelling)}`);
  const data = expectSuccess<any[]>(answer);
  const total = answer.headers.get('x-total-count');
  assert.ok(total !== null, 'X-Total-Count missing');
  assert.match(total, /^\d+$/);
  return { ids: data.map((job) => job.job_id as string), total: Number(total), data };
}

async function expectList(query: ListQuery, spelling?: (b: boolean) => string) {
  const actual = await list(query, spelling);
  const want = expected(query);
  assert.equal(actual.total, want.total, `X-Total-Count of ${queryString(query)}`);
  assert.deepEqual(actual.ids, want.ids, `jobs of ${queryString(query)}`);
  return actual;
}

/** A small deterministic generator, so that the data set is the same on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]! };
}

before(async () => {
  service = await startTestService({ workers: 0 });
  const { engine } = service;
  const store = engine.store;
  const rnd = random(SEED);
  const shared = Buffer.from('an upload shared by many jobs');
  sha256OfShared = createHash('sha256').update(shared).digest('hex');
  const targets = new Map<string, JobState | 'retrying'>();
  const submitted: ModelJob[] = [];

  const submitOne = async (index: number, target: JobState | 'retrying', claimed: boolean) => {
    const method = rnd.pick(METHODS);
    const parameters: JobParameters = {
      label: `${rnd.pick(WORDS)} ${index}`,
      tags: [rnd.pick(WORDS), rnd.pick(WORDS)],
      nested: { word: rnd.pick(WORDS), flag: rnd.next() < 0.5 },
    };
    if (method === 'sleep' || method === 'cpu') parameters.ms = Math.floor(rnd.next() * 100);
    if (index === 777) parameters.serial = 9876543210123;
    const input = rnd.next() < 0.1 ? shared : rnd.next() < 0.1 ? Buffer.from(`input ${index}`) : undefined;
    const { job, created } = await engine.submit({ method, parameters, input, maxAttempts: target === 'failed' ? 1 : 3 });
    assert.equal(created, true);
    assert.equal(job.number, index + 1, 'job numbers are sequential from 1');
    const shown = input
      ? { ...parameters, sha256: createHash('sha256').update(input).digest('hex'), size: input.byteLength }
      : parameters;
    assert.deepEqual(job.parameters, shown);
    targets.set(job.id, target);
    submitted.push({
      id: job.id,
      number: job.number,
      method,
      state: target === 'retrying' ? 'queued' : target,
      parameters: shown,
      resultId: null,
      neverClaimed: !claimed,
      error: target === 'failed' || target === 'retrying' ? FAILURE : null,
    });
  };

  // 1,200 jobs with random target states, all claimed by the fake worker and then moved ...
  for (let i = 0; i < 1200; i++) {
    const r = rnd.next();
    const target = r < 0.2 ? 'queued' : r < 0.25 ? 'retrying' : r < 0.5 ? 'processing' : r < 0.75 ? 'finished' : 'failed';
    await submitOne(i, target, true);
  }
  const now = Date.now();
  const claimed = await store.claim(FAKE_WORKER, METHODS, 5000, LONG_LEASE, now);
  assert.equal(claimed.length, 1200);
  for (const fence of claimed) {
    const target = targets.get(fence.id);
    if (target === 'finished') assert.equal(await store.complete(fence, gzipJson({ job: fence.id }), now), true);
    else if (target === 'failed') assert.equal(await store.fail(fence, FAILURE, { baseMs: LONG_LEASE, maxMs: LONG_LEASE }, now), 'failed');
    else if (target === 'retrying') assert.equal(await store.fail(fence, FAILURE, { baseMs: LONG_LEASE, maxMs: LONG_LEASE }, now), 'retrying');
    else if (target === 'queued') assert.equal(await store.handBack(fence, now), true);
  }
  // ... and 100 that no worker ever claimed.
  for (let i = 1200; i < 1300; i++) await submitOne(i, 'queued', false);

  for (const job of submitted) {
    if (job.state === 'finished') {
      job.resultId = (await store.getJob(job.id))!.resultId;
      assert.match(job.resultId ?? '', /^[0-9a-f]{24}$/);
    }
  }
  model = submitted;
  for (const state of STATES) assert.ok(model.filter((j) => j.state === state).length > 150, `too few ${state} jobs`);
});

after(async () => {
  await service.close();
});

describe('GET /jobs on 1,300 jobs in four states', () => {
  test('without parameters it lists every job, newest first, with X-Total-Count', async () => {
    const { data } = await expectList({});
    assert.equal(data.length, 1300);
  });

  test('every listed job shows what the model says: id, number, method, state, parameters, result id, timestamps', async () => {
    const { data } = await list({ ascending: true });
    assert.equal(data.length, model.length);
    for (const [i, item] of data.entries()) {
      const job = model[i]!;
      for (const key of ['job_id', 'number', 'method', 'state', 'created', 'started', 'finished', 'progress']) {
        assert.ok(key in item, `list items carry ${key}`);
      }
      assert.equal(item.job_id, job.id);
      assert.equal(item.number, job.number);
      assert.equal(item.method, job.method);
      assert.equal(item.state, job.state, `state of job ${job.number}`);
      assert.deepEqual(item.parameters, job.parameters);
      assert.equal(item.result_id, job.resultId);
      assert.match(item.created, TIMESTAMP);
      if (job.neverClaimed) assert.equal(item.started, null);
      else if (job.state !== 'queued') assert.match(item.started, TIMESTAMP);
      else assert.ok(item.started === null || TIMESTAMP.test(item.started), `started of a job handed back: ${item.started}`);
      if (job.state === 'finished' || job.state === 'failed') assert.match(item.finished, TIMESTAMP);
      else assert.equal(item.finished, null);
      assert.ok(item.progress >= 0 && item.progress <= 1);
      if (job.state === 'finished') assert.equal(item.progress, 1);
      if (job.neverClaimed) assert.equal(item.progress, 0);
      if (job.error !== null) assert.equal(item.error, job.error);
    }
  });

  test('ascending=true lists oldest first, ascending=false newest first, in every accepted spelling', async () => {
    const spellings: [boolean, (b: boolean) => string][] = [
      [true, () => 'true'],
      [true, () => 'TRUE'],
      [true, () => '1'],
      [false, () => 'false'],
      [false, () => 'False'],
      [false, () => '0'],
    ];
    for (const [ascending, spelling] of spellings) {
      const { ids } = await expectList({ ascending, limit: 50 }, spelling);
      assert.equal(ids[0], ascending ? model[0]!.id : model[model.length - 1]!.id);
    }
  });

  test('limit=0 means all jobs; a limit larger than the list returns all of them', async () => {
    assert.equal((await expectList({ limit: 0 })).ids.length, 1300);
    assert.equal((await expectList({ limit: 5000 })).ids.length, 1300);
    assert.equal((await expectList({ limit: 0, start: 1250 })).ids.length, 50);
  });

  test('start is an offset into the matching jobs; start at or beyond the end gives an empty page and the full X-Total-Count', async () => {
    for (const start of [1, 100, 1299, 1300, 1301, 10_000, 999_999_999]) {
      const page = await expectList({ start });
      if (start >= 1300) assert.deepEqual(page.ids, []);
    }
    const filtered = await expectList({ state: 'failed', start: 100_000, limit: 10 });
    assert.deepEqual(filtered.ids, []);
    assert.ok(filtered.total > 0);
  });

  test('pages of start/limit tile the whole list in both orders, without gaps or repeats', async () => {
    for (const ascending of [true, false]) {
      const seen: string[] = [];
      for (let start = 0; start < 1300; start += 97) {
        const page = await expectList({ start, limit: 97, ascending });
        assert.ok(page.ids.length <= 97);
        seen.push(...page.ids);
      }
      assert.deepEqual(seen, expected({ ascending }).ids);
      assert.equal(new Set(seen).size, 1300);
    }
  });

  test('state filters each state, and in_progress is processing', async () => {
    for (const state of STATES) {
      const { data, total } = await expectList({ state });
      assert.ok(total > 0);
      assert.ok(data.every((job) => job.state === state));
    }
    const alias = await expectList({ state: 'in_progress' });
    assert.deepEqual(alias.ids, (await list({ state: 'processing' })).ids);
  });

  test('method filters by exact method name', async () => {
    for (const method of METHODS) {
      const { data, total } = await expectList({ method });
      assert.ok(total > 0, method);
      assert.ok(data.every((job) => job.method === method));
    }
    for (const method of ['nosuch', 'Echo', 'ech', 'echo ']) {
      const { ids, total } = await expectList({ method });
      assert.deepEqual([ids, total], [[], 0], method);
    }
  });

  test('method and state combine, and apply before start and limit', async () => {
    for (const method of METHODS) {
      for (const state of [...STATES, 'in_progress' as const]) {
        await expectList({ method, state });
        await expectList({ method, state, start: 3, limit: 7 });
        await expectList({ method, state, start: 3, limit: 7, ascending: true });
      }
    }
  });

  test('filter matches a job id, in any case', async () => {
    const job = model[640]!;
    for (const filter of [job.id, job.id.toUpperCase()]) {
      const { ids } = await expectList({ filter });
      assert.deepEqual(ids, [job.id]);
    }
  });

  test('filter matches the result id of a finished job: that job only', async () => {
    const finished = model.filter((job) => job.state === 'finished');
    for (const job of [finished[0]!, finished[finished.length - 1]!]) {
      assert.deepEqual((await expectList({ filter: job.resultId! })).ids, [job.id]);
      assert.deepEqual((await expectList({ filter: job.resultId!.toUpperCase() })).ids, [job.id]);
    }
  });

  test('filter matches parameter values case-insensitively, nested values, numbers, and the sha256 of the input', async () => {
    const serial = await expectList({ filter: '9876543210123' });
    assert.deepEqual(serial.ids, [model[777]!.id]);
    for (const filter of ['alpha', 'ALPHA', 'aLpHa', 'jülich', 'JÜLICH', 'münchen', 'lima lima', 'hotel 9', 'ÅNGSTRÖM', 'ångström']) {
      const { total } = await expectList({ filter });
      assert.ok(total > 0, `${filter} matches something`);
    }
    const bySha = await expectList({ filter: sha256OfShared });
    assert.ok(bySha.total > 0);
    assert.deepEqual(bySha.ids, expected({ filter: sha256OfShared }).ids);
  });

  test('filter takes characters special to SQL and full-text search literally', async () => {
    for (const filter of ['%', '_', '100%_done', '"', 'say "hi"', "'", "it's", '*', 'a*b', '\\', 'a%b', '%%%', '"hi" OR x', 'NEAR(']) {
      await expectList({ filter });
    }
    assert.equal((await list({ filter: '%' })).total, expected({ filter: '100%' }).total);
  });

  test('filter matches method names and words of the parameters, one or two characters too', async () => {
    for (const filter of ['query', 'QUERY', 'echo', 'ech', 'sleep', 'o', 'yz', 'x', 'ß', 'é', 'nosuchtextanywhere']) {
      await expectList({ filter });
    }
  });

  test('filter combines with method, state, start, limit and ascending', async () => {
    await expectList({ filter: 'bravo', method: 'echo', state: 'finished' });
    await expectList({ filter: 'bravo', state: 'in_progress', start: 2, limit: 5 });
    await expectList({ filter: 'CHARLIE', method: 'query', ascending: true, start: 1, limit: 3 });
    await expectList({ filter: 'lima', state: 'failed', start: 10_000 });
    await expectList({ filter: 'x', limit: 0 });
  });

  test('filter matches within one field: a text spanning two fields (id, then method) is refused', async () => {
    const job = model[10]!;
    for (const filter of [`${job.id.slice(-4)}\n${job.method}`, `${job.method}\n`, '\n']) {
      const answer = await api(service.url, 'GET', `/jobs?${new URLSearchParams({ filter })}`);
      assert.equal(answer.status, 400, JSON.stringify(filter));
    }
  });

  test('filter does not match a job that has no result by the result id reserved for it', async () => {
    // White-box: the store reserves a result id at enqueue; it is not visible through the API
    // until the job finished, and must not be found by the filter before.
    let checked = 0;
    for (const state of ['queued', 'processing', 'failed'] as const) {
      for (const job of model.filter((j) => j.state === state).slice(0, 3)) {
        const [row] = await serviceSql<{ result_id?: string | null }>(service, 'SELECT * FROM jobs WHERE id = ?', [job.id]);
        if (!row?.result_id) continue;
        checked++;
        const { ids } = await list({ filter: row.result_id });
        assert.deepEqual(ids, [], `a ${state} job shows result_id null but is found by ${row.result_id}`);
      }
    }
    // checked stays 0 on a store that reserves no result ids: then there is nothing that could leak.
    void checked;
  });

  test('random combinations of start, limit, ascending, method, state and filter agree with the model', async () => {
    // Filters: substrings (in random case) of any field of any job (id, method, result id,
    // parameter values), whole ids, a few texts found nowhere, and random short texts.
    const substring = fc
      .tuple(fc.nat(model.length - 1), fc.nat(20), fc.nat(40), fc.nat(30), fc.boolean())
      .map(([index, field, from, length, upper]) => {
        const texts = modelFieldsOf(model[index]!);
        const text = texts[field % texts.length]!;
        const start = from % Math.max(1, text.length);
        const cut = text.slice(start, start + 1 + (length % 12));
        return upper ? cut.toUpperCase() : cut;
      });
    const wholeId = fc.tuple(fc.nat(model.length - 1), fc.boolean(), fc.boolean()).map(([index, result, upper]) => {
      const job = model[index]!;
      const id = result && job.resultId ? job.resultId : job.id;
      return upper ? id.toUpperCase() : id;
    });
    const arbitraryQuery: fc.Arbitrary<ListQuery> = fc.record(
      {
        start: fc.oneof(fc.nat(40), fc.nat(1400)),
        limit: fc.oneof(fc.constant(0), fc.nat(30), fc.nat(1400)),
        ascending: fc.boolean(),
        method: fc.constantFrom(...METHODS, 'nosuch'),
        state: fc.constantFrom(...STATES, 'in_progress' as const),
        filter: fc.oneof(
          { weight: 4, arbitrary: substring },
          { weight: 1, arbitrary: wholeId },
          { weight: 1, arbitrary: fc.constantFrom('', 'zz', 'ß', 'Ünknown') },
          // (control characters are refused with a 400, tested in jobs-errors.test.ts)
          {
            weight: 1,
            arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 5 }).filter((text) => !/[\u0000-\u001f\u007f]/.test(text)),
          },
        ),
      },
      { requiredKeys: [] },
    );
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryQuery, async (query) => {
        const { ids } = await expectList(query);
        if (ids.length > 0) nonEmpty++;
      }),
      { numRuns: 200 },
    );
    assert.ok(nonEmpty >= 40, `only ${nonEmpty} of 200 random queries returned jobs: the generator is too weak`);
  });
});

describe('GET /jobs/stats on the same jobs', () => {
  function expectedStats() {
    const count = (jobs: ModelJob[]) => Object.fromEntries(STATES.map((s) => [s, jobs.filter((j) => j.state === s).length]));
    const byMethod: Record<string, Record<string, number>> = {};
    for (const method of METHODS) {
      const jobs = model.filter((j) => j.method === method);
      if (jobs.length > 0) byMethod[method] = { ...count(jobs), total: jobs.length };
    }
    return { total_jobs: model.length, ...count(model), by_method: byMethod };
  }

  test('counts by state and by method match the jobs, with and without with_refresh', async () => {
    for (const query of ['', '?with_refresh=false', '?with_refresh=true', '?with_refresh=1', '?with_refresh=0']) {
      assert.deepEqual(expectSuccess(await api(service.url, 'GET', `/jobs/stats${query}`)), expectedStats(), query);
    }
  });

  test('the stats totals equal the X-Total-Count of the corresponding list queries', async () => {
    const stats = expectSuccess(await api(service.url, 'GET', '/jobs/stats'));
    assert.equal((await list({ limit: 1 })).total, stats.total_jobs);
    for (const state of STATES) assert.equal((await list({ state, limit: 1 })).total, stats[state]);
    for (const method of METHODS) {
      for (const state of STATES) assert.equal((await list({ method, state, limit: 1 })).total, stats.by_method[method][state]);
    }
  });
});
