import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { JobRecord } from '../../src/jobs/types.js';
import { api, startTestService, type ApiAnswer, type TestService } from '../support/harness.js';
import {
  expectFailure,
  expectFailureEnvelope,
  expectSuccess,
  finishJob,
  messages,
} from '../support/http-helpers.js';

/**
 * Bad input on the eight Jobs API routes: every one is a 4xx with the failed envelope and a message
 * naming the parameter, never a 500. Also routing (trailing slashes, /jobs/stats, unknown routes),
 * the OpenAPI document and the API token.
 */

let service: TestService;
let queued: JobRecord;
let finished: JobRecord;
let finishedResultId: string;
const get = (path: string, init?: RequestInit) => api(service.url, 'GET', path, init);
const del = (path: string, init?: RequestInit) => api(service.url, 'DELETE', path, init);
const UNKNOWN_ID = '0123456789abcdef01234567';

before(async () => {
  service = await startTestService({ workers: 0 });
  finished = (await service.engine.submit({ method: 'query', parameters: { tag: 'finished' } })).job;
  finishedResultId = await finishJob(service.engine.store, finished, { matches: { functions: [1] } });
  queued = (await service.engine.submit({ method: 'echo', parameters: { tag: 'queued' } })).job;
});

after(async () => {
  await service.close();
});

async function jobCount(): Promise<number> {
  return expectSuccess(await get('/jobs/stats')).total_jobs;
}

describe('job and result ids', () => {
  const malformed = [
    'xyz',
    '123',
    'g'.repeat(24),
    'a'.repeat(23),
    'a'.repeat(25),
    `${UNKNOWN_ID}zz`,
    `${UNKNOWN_ID}.json`,
    ` ${UNKNOWN_ID}`,
    `0x${UNKNOWN_ID.slice(2)}`,
    '0123456789abcdef0123456-',
    'stats2',
  ];

  test('a malformed job id is a 400 naming job_id on GET /jobs/{id}, DELETE /jobs/{id} and GET /jobs/{id}/result', async () => {
    for (const id of malformed) {
      const p = encodeURIComponent(id);
      expectFailure(await get(`/jobs/${p}`), 400, messages.jobId(id));
      expectFailure(await del(`/jobs/${p}`), 400, messages.jobId(id));
      expectFailure(await get(`/jobs/${p}/result`), 400, messages.jobId(id));
    }
  });

  test('a malformed result id is a 400 naming result_id on GET /results/{id} and GET /results/{id}/job', async () => {
    for (const id of malformed) {
      const p = encodeURIComponent(id);
      expectFailure(await get(`/results/${p}`), 400, messages.resultId(id));
      expectFailure(await get(`/results/${p}/job`), 400, messages.resultId(id));
    }
  });

  test('an existing id followed by trailing characters is a 400, not a lookup of its first 24 characters', async () => {
    for (const suffix of ['0', 'zz', '%20', '.json', '%00']) {
      const decoded = decodeURIComponent(suffix);
      expectFailure(await get(`/jobs/${finished.id}${suffix}`), 400, messages.jobId(finished.id + decoded));
      expectFailure(await get(`/jobs/${finished.id}${suffix}/result`), 400, messages.jobId(finished.id + decoded));
      expectFailure(await get(`/results/${finishedResultId}${suffix}`), 400, messages.resultId(finishedResultId + decoded));
      expectFailure(await get(`/results/${finishedResultId}${suffix}/job`), 400, messages.resultId(finishedResultId + decoded));
      expectFailure(await del(`/jobs/${queued.id}${suffix}`), 400, messages.jobId(queued.id + decoded));
    }
    assert.ok(await service.engine.store.getJob(queued.id), 'the job must not have been deleted');
  });

  test('upper-case job and result ids are accepted and emitted in lower case', async () => {
    assert.match(finished.id, /^[0-9a-f]{24}$/);
    const upperJob = finished.id.toUpperCase();
    const upperResult = finishedResultId.toUpperCase();
    assert.notEqual(upperJob, finished.id, 'the id must contain letters for this test to mean anything');

    const job = expectSuccess(await get(`/jobs/${upperJob}`));
    assert.equal(job.job_id, finished.id);
    assert.equal(job.result_id, finishedResultId);
    assert.deepEqual(expectSuccess(await get(`/jobs/${upperJob}/result`)), { matches: { functions: [1] } });
    assert.deepEqual(expectSuccess(await get(`/results/${upperResult}`)), { matches: { functions: [1] } });
    assert.equal(expectSuccess(await get(`/results/${upperResult}/job`)).job_id, finished.id);
    // mixed case
    const mixed = [...finished.id].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    assert.equal(expectSuccess(await get(`/jobs/${mixed}`)).job_id, finished.id);
  });

  test('DELETE /jobs/{id} accepts an upper-case id', async () => {
    const { job } = await service.engine.submit({ method: 'noop', parameters: { tag: 'delete-upper' } });
    assert.deepEqual(expectSuccess(await del(`/jobs/${job.id.toUpperCase()}`)), { num_deleted: 1 });
    assert.equal(await service.engine.store.getJob(job.id), undefined);
  });

  test('an unknown id is a 404 whose message names the id in lower case', async () => {
    const upper = 'ABCDEF0123456789ABCDEF01';
    const lower = upper.toLowerCase();
    for (const id of [UNKNOWN_ID, upper]) {
      expectFailure(await get(`/jobs/${id}`), 404, messages.noJob(id.toLowerCase()));
      expectFailure(await del(`/jobs/${id}`), 404, messages.noJob(id.toLowerCase()));
      expectFailure(await get(`/jobs/${id}/result`), 404, messages.noJob(id.toLowerCase()));
      expectFailure(await get(`/results/${id}`), 404, messages.noResult(id.toLowerCase()));
      expectFailure(await get(`/results/${id}/job`), 404, messages.noResult(id.toLowerCase()));
    }
    expectFailure(await get(`/results/${lower}?compact=true`), 404, messages.noResult(lower));
  });

  test('a job id is not a result id: GET /results/{job id} is a 404', async () => {
    expectFailure(await get(`/results/${finished.id}`), 404, messages.noResult(finished.id));
    expectFailure(await get(`/results/${finished.id}/job`), 404, messages.noResult(finished.id));
  });

  test(
    'an id longer than 100 characters is a 400 malformed id in the failed envelope',
    async () => {
      const id = 'a'.repeat(101);
      expectFailure(await get(`/jobs/${id}`), 400, messages.jobId(id));
      expectFailure(await get(`/results/${id}/job`), 400, messages.resultId(id));
    },
  );

  test(
    'a path with a broken percent-encoding is a 400 in the failed envelope',
    async () => {
      for (const path of ['/jobs/%zz', '/jobs/%E0%A4%A', '/results/%zz/job']) {
        const answer = await get(path);
        assert.equal(answer.status, 400, path);
        expectFailureEnvelope(answer);
      }
    },
  );
});

describe('a method filter holding U+0000 (no job can have such a method)', () => {
  test('GET /jobs and DELETE /jobs match nothing and answer 200, on either store', async () => {
    const before = await jobCount();
    assert.deepEqual(expectSuccess(await get('/jobs?method=a%00b')), []);
    assert.deepEqual(expectSuccess(await del('/jobs?method=a%00b')), { num_deleted: 0 });
    assert.equal(await jobCount(), before);
  });
});

describe('integer query parameters (start, limit)', () => {
  const bad = ['abc', '-1', '1.5', '', '+1', '1e3', ' 1', '0x10', '1,000', 'NaN', 'Infinity', '\u0663'];

  test('a value that is not a non-negative decimal integer is a 400 naming the parameter', async () => {
    for (const name of ['start', 'limit']) {
      for (const value of bad) {
        const answer = await get(`/jobs?${new URLSearchParams({ [name]: value })}`);
        expectFailure(answer, 400, messages.integer(name, value));
      }
    }
  });

  test('non-negative decimal integers are accepted for start and limit, leading zeros included', async () => {
    for (const value of ['0', '1', '007', '1000000']) {
      expectSuccess(await get(`/jobs?start=${value}`));
      expectSuccess(await get(`/jobs?limit=${value}`));
    }
    assert.equal(expectSuccess<unknown[]>(await get('/jobs?limit=001')).length, 1);
  });
});

describe('boolean query parameters (ascending, compact, with_refresh)', () => {
  const accepted = ['true', 'false', 'TRUE', 'FALSE', 'True', 'fAlSe', '1', '0'];
  const bad = ['yes', 'no', 'maybe', '2', '', 'on', 't', 'f', 'truee', ' true', '01', '-1'];
  const routes = (value: string) => [
    { name: 'ascending', path: `/jobs?ascending=${encodeURIComponent(value)}` },
    { name: 'with_refresh', path: `/jobs/stats?with_refresh=${encodeURIComponent(value)}` },
    { name: 'compact', path: `/jobs/${finished.id}/result?compact=${encodeURIComponent(value)}` },
    { name: 'compact', path: `/results/${finishedResultId}?compact=${encodeURIComponent(value)}` },
  ];

  test('true and false in any case, 1 and 0 are accepted by every boolean parameter', async () => {
    for (const value of accepted) for (const route of routes(value)) expectSuccess(await get(route.path));
  });

  test('any other value is a 400 naming the parameter (ascending=yes, compact=maybe, with_refresh=2, ...)', async () => {
    for (const value of bad) {
      for (const route of routes(value)) expectFailure(await get(route.path), 400, messages.boolean(route.name, value));
    }
  });
});

describe('state, method and filter query parameters', () => {
  test('an unknown state is a 400 naming state', async () => {
    for (const value of ['done', 'Queued', 'FINISHED', 'IN_PROGRESS', 'in-progress', 'running', '', 'processing ']) {
      expectFailure(await get(`/jobs?state=${encodeURIComponent(value)}`), 400, messages.state(value));
    }
  });

  test('the four states and in_progress are accepted', async () => {
    for (const value of ['queued', 'processing', 'in_progress', 'finished', 'failed']) expectSuccess(await get(`/jobs?state=${value}`));
    const queuedOnly = expectSuccess<any[]>(await get('/jobs?state=queued'));
    assert.deepEqual(queuedOnly.map((j) => j.job_id), [queued.id]);
  });

  test('an empty method is a 400 on GET /jobs and on DELETE /jobs', async () => {
    expectFailure(await get('/jobs?method='), 400, messages.method(''));
    const before = await jobCount();
    expectFailure(await del('/jobs?method='), 400, messages.method(''));
    assert.equal(await jobCount(), before);
  });

  test('a filter containing a control character (NUL, newline, ...) is a 400 naming the filter', async () => {
    for (const filter of ['l\u0000b', 'nul\u0000byte', '\u0000', 'a\nb', '\t', 'x\u007f']) {
      expectFailure(await get(`/jobs?${new URLSearchParams({ filter })}`), 400, messages.filter(filter));
    }
  });

  test('an empty filter matches every job', async () => {
    const all = expectSuccess<any[]>(await get('/jobs'));
    const filtered = await get('/jobs?filter=');
    assert.deepEqual(expectSuccess(filtered), all);
    assert.equal(filtered.headers.get('x-total-count'), String(all.length));
  });
});

describe('repeated query keys', () => {
  test('a repeated key is a 400 naming the parameter on every route, not a 500', async () => {
    expectFailure(await get('/jobs?limit=1&limit=2'), 400, messages.integer('limit', ['1', '2']));
    expectFailure(await get('/jobs?start=0&start=0'), 400, messages.integer('start', ['0', '0']));
    expectFailure(await get('/jobs?ascending=true&ascending=false'), 400, messages.boolean('ascending', ['true', 'false']));
    expectFailure(await get('/jobs?state=queued&state=failed'), 400, messages.state(['queued', 'failed']));
    expectFailure(await get('/jobs?method=echo&method=query'), 400, messages.method(['echo', 'query']));
    expectFailure(await get('/jobs?filter=a&filter=b'), 400, messages.filter(['a', 'b'] as never));
    expectFailure(await get('/jobs/stats?with_refresh=1&with_refresh=1'), 400, messages.boolean('with_refresh', ['1', '1']));
    expectFailure(await get(`/jobs/${finished.id}/result?compact=1&compact=0`), 400, messages.boolean('compact', ['1', '0']));
    expectFailure(await get(`/results/${finishedResultId}?compact=true&compact=true`), 400, messages.boolean('compact', ['true', 'true']));
    const before = await jobCount();
    expectFailure(await del('/jobs?method=echo&method=query'), 400, messages.method(['echo', 'query']));
    expectFailure(await del('/jobs?created_before=2030-01-01&created_before=2030-01-02'), 400, /^invalid query parameter 'created_before'/);
    expectFailure(await del('/jobs?finished_before=2030-01-01&finished_before=2030-01-02'), 400, /^invalid query parameter 'finished_before'/);
    assert.equal(await jobCount(), before, 'nothing may be deleted');
  });
});

describe('routing', () => {
  test('a trailing slash is ignored on every route', async () => {
    const list = await get('/jobs');
    const listSlash = await get('/jobs/');
    assert.deepEqual(expectSuccess(listSlash), expectSuccess(list));
    assert.equal(listSlash.headers.get('x-total-count'), list.headers.get('x-total-count'));
    assert.deepEqual(expectSuccess(await get('/jobs/stats/')), expectSuccess(await get('/jobs/stats')));
    assert.equal(expectSuccess(await get(`/jobs/${finished.id}/`)).job_id, finished.id);
    assert.deepEqual(expectSuccess(await get(`/jobs/${finished.id}/result/`)), { matches: { functions: [1] } });
    assert.deepEqual(expectSuccess(await get(`/results/${finishedResultId}/`)), { matches: { functions: [1] } });
    assert.equal(expectSuccess(await get(`/results/${finishedResultId}/job/`)).job_id, finished.id);
    expectFailure(await get('/jobs/?state=nope'), 400, messages.state('nope'));

    const { job } = await service.engine.submit({ method: 'noop', parameters: { tag: 'trailing-slash' } });
    assert.deepEqual(expectSuccess(await del(`/jobs/${job.id}/`)), { num_deleted: 1 });
    const { job: other } = await service.engine.submit({ method: 'cpu', parameters: { ms: 1 } });
    assert.deepEqual(expectSuccess(await del('/jobs/?method=cpu')), { num_deleted: 1 });
    assert.equal(await service.engine.store.getJob(other.id), undefined);
    expectFailure(await del('/jobs/'), 400, messages.bulkDeleteNeedsCriteria);
  });

  test('/jobs/stats is the statistics route, never a job id', async () => {
    for (const path of ['/jobs/stats', '/jobs/stats/', '/jobs/stats?with_refresh=true']) {
      const stats = expectSuccess(await get(path));
      assert.deepEqual(Object.keys(stats).sort(), ['by_method', 'failed', 'finished', 'processing', 'queued', 'total_jobs']);
      assert.equal(stats.total_jobs, stats.queued + stats.processing + stats.finished + stats.failed);
    }
  });

  test('an unknown route is a 404 in the failed envelope naming method and path (without the query)', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/nope', '/nope'],
      ['GET', '/nope?limit=1', '/nope'],
      ['GET', '/job', '/job'],
      ['GET', '/results', '/results'],
      ['GET', `/jobs/${finished.id}/results`, `/jobs/${finished.id}/results`],
      ['GET', `/results/${finishedResultId}/jobs`, `/results/${finishedResultId}/jobs`],
      ['POST', '/jobs', '/jobs'],
      ['PUT', `/jobs/${finished.id}`, `/jobs/${finished.id}`],
      ['PATCH', '/jobs/stats', '/jobs/stats'],
      ['DELETE', `/results/${finishedResultId}`, `/results/${finishedResultId}`],
      ['POST', '/jobs/stats', '/jobs/stats'],
      ['DELETE', '/jobs/stats', '/jobs/stats'],
    ];
    for (const [method, path, shown] of cases) {
      expectFailure(await api(service.url, method, path), 404, messages.noRoute(method, shown));
    }
  });

  test('GET /docs/json is an OpenAPI document listing the eight Jobs API routes and their parameters', async () => {
    const answer = await get('/docs/json');
    assert.equal(answer.status, 200);
    const doc = answer.body;
    assert.match(String(doc.openapi), /^3\.\d+\.\d+$/);
    assert.equal(typeof doc.info?.title, 'string');
    const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = {
      'GET /jobs': ['query start', 'query limit', 'query ascending', 'query method', 'query state', 'query filter'],
      'GET /jobs/stats': ['query with_refresh'],
      'GET /jobs/{job_id}': ['path job_id'],
      'DELETE /jobs/{job_id}': ['path job_id'],
      'DELETE /jobs': ['query method', 'query created_before', 'query finished_before'],
      'GET /jobs/{job_id}/result': ['path job_id', 'query compact'],
      'GET /results/{result_id}': ['path result_id', 'query compact'],
      'GET /results/{result_id}/job': ['path result_id'],
    };
    for (const [operation, parameters] of Object.entries(expected)) {
      assert.ok(operations.includes(operation), `${operation} missing from ${operations.join(', ')}`);
      const [method, path] = operation.split(' ') as [string, string];
      const declared = (doc.paths[path][method.toLowerCase()].parameters ?? []).map((p: any) => `${p.in} ${p.name}`);
      assert.deepEqual([...declared].sort(), [...parameters].sort(), operation);
    }
  });
});

describe('API token', () => {
  let secured: TestService;
  let job: JobRecord;
  let resultId: string;
  const routes = () => [
    ['GET', '/jobs'],
    ['GET', '/jobs/stats'],
    ['GET', `/jobs/${job.id}`],
    ['GET', `/jobs/${job.id}/result`],
    ['GET', `/results/${resultId}`],
    ['GET', `/results/${resultId}/job`],
    ['DELETE', `/jobs?method=${job.method}`],
    ['DELETE', `/jobs/${job.id}`],
    ['GET', '/docs/json'],
  ];
  const call = (method: string, path: string, headers: Record<string, string> = {}) => api(secured.url, method, path, { headers });

  before(async () => {
    secured = await startTestService({ workers: 0, apiToken: 'secret' });
    job = (await secured.engine.submit({ method: 'echo', parameters: { tag: 'secured' } })).job;
    resultId = await finishJob(secured.engine.store, job, { ok: true });
  });
  after(async () => {
    await secured.close();
  });

  test('every route answers 401 without a token, and nothing is deleted', async () => {
    for (const [method, path] of routes()) expectFailure(await call(method!, path!), 401, messages.tokenRequired);
    assert.ok(await secured.engine.store.getJob(job.id));
  });

  test('every route answers 401 with a wrong token in apitoken or Authorization: Bearer', async () => {
    for (const headers of [
      { apitoken: 'wrong' },
      { apitoken: 'secre' },
      { apitoken: 'secret2' },
      { apitoken: 'SECRET' },
      { apitoken: '' },
      { authorization: 'Bearer wrong' },
      { authorization: 'Bearer secret2' },
    ] as Record<string, string>[]) {
      for (const [method, path] of routes()) expectFailure(await call(method!, path!, headers), 401, messages.tokenInvalid);
    }
    assert.ok(await secured.engine.store.getJob(job.id));
  });

  test('the token is checked before the parameters: a bad id without a token is a 401', async () => {
    expectFailure(await call('GET', '/jobs/xyz'), 401, messages.tokenRequired);
    expectFailure(await call('GET', '/jobs?limit=abc', { apitoken: 'nope' }), 401, messages.tokenInvalid);
  });

  test('the header apitoken and Authorization: Bearer are both accepted', async () => {
    for (const headers of [{ apitoken: 'secret' }, { authorization: 'Bearer secret' }] as Record<string, string>[]) {
      assert.equal(expectSuccess(await call('GET', `/jobs/${job.id}`, headers)).job_id, job.id);
      assert.deepEqual(expectSuccess(await call('GET', `/results/${resultId}`, headers)), { ok: true });
      assert.equal(expectSuccess(await call('GET', '/jobs/stats', headers)).total_jobs, 1);
      assert.equal((await call('GET', '/docs/json', headers)).status, 200);
      expectFailure(await call('GET', '/jobs/xyz', headers), 400, messages.jobId('xyz'));
    }
    assert.deepEqual(expectSuccess(await call('DELETE', `/jobs/${job.id}`, { authorization: 'Bearer secret' })), { num_deleted: 1 });
    assert.equal(await secured.engine.store.getJob(job.id), undefined);
  });
});

describe('no input produces a 500', () => {
  let fuzzed: TestService;
  let ids: string[];

  before(async () => {
    fuzzed = await startTestService({ workers: 0 });
    const a = (await fuzzed.engine.submit({ method: 'query', parameters: { word: 'fuzz' } })).job;
    const b = (await fuzzed.engine.submit({ method: 'echo', parameters: { word: 'fuzz' } })).job;
    ids = [a.id, b.id, await finishJob(fuzzed.engine.store, a, { matches: { functions: [] } })];
  });
  after(async () => {
    await fuzzed.close();
  });

  function checkAnswer(answer: ApiAnswer, what: string) {
    assert.ok(answer.status < 500, `${what} gave ${answer.status}: ${JSON.stringify(answer.body)}`);
    if (answer.status >= 400) {
      try {
        expectFailureEnvelope(answer);
      } catch (error) {
        throw new Error(`${what} gave ${answer.status} without the failed envelope: ${JSON.stringify(answer.body)}`, { cause: error });
      }
    } else {
      assert.equal(answer.body?.status, 'successful', `${what}: ${JSON.stringify(answer.body)}`);
    }
  }

  // Any code point except lone surrogates; path segments of any length up to 3 x 30 encoded characters.
  const anyText = fc.string({ unit: 'binary', maxLength: 30 });
  const segment = fc
    .oneof(anyText, fc.constantFrom('stats', 'STATS', '', '.', '..', '%', '%zz'), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 20, maxLength: 28 }))
    .map((s) => encodeURIComponent(s));
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const queryValue = fc.oneof(anyText, fc.constantFrom('0', '1', 'true', 'FALSE', '-1', '2024-02-30', '2024-01-01T00:00:00Z', 'queued', 'in_progress'));
  const query = (keys: readonly string[]) =>
    fc
      .tuple(
        fc.record(Object.fromEntries(keys.map((k) => [k, maybe(queryValue)]))),
        fc.array(fc.tuple(fc.oneof(anyText, fc.constantFrom(...keys, '__proto__', 'constructor')), queryValue), { maxLength: 3 }),
      )
      .map(([known, extra]) => {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(known)) if (v !== undefined) params.append(k, v as string);
        for (const [k, v] of extra) params.append(k, v);
        return params.toString();
      });

  test('random ids on the five id routes: status < 500 and the envelope', async () => {
    await fc.assert(
      fc.asyncProperty(segment, query(['compact']), async (id, q) => {
        for (const [method, path] of [
          ['GET', `/jobs/${id}`],
          ['GET', `/jobs/${id}/result?${q}`],
          ['GET', `/results/${id}?${q}`],
          ['GET', `/results/${id}/job`],
          ['DELETE', `/jobs/${id}`],
        ] as const) {
          checkAnswer(await api(fuzzed.url, method, path), `${method} ${path}`);
        }
      }),
      { numRuns: 120 },
    );
  });

  test('random query values on GET /jobs, GET /jobs/stats, DELETE /jobs and the result routes: status < 500 and the envelope', async () => {
    await fc.assert(
      fc.asyncProperty(
        query(['start', 'limit', 'ascending', 'method', 'state', 'filter']),
        query(['with_refresh']),
        query(['method', 'created_before', 'finished_before']),
        query(['compact']),
        fc.constantFrom(...ids),
        async (listQuery, statsQuery, deleteQuery, compactQuery, id) => {
          for (const [method, path] of [
            ['GET', `/jobs?${listQuery}`],
            ['GET', `/jobs/stats?${statsQuery}`],
            ['DELETE', `/jobs?${deleteQuery}`],
            ['GET', `/jobs/${id}/result?${compactQuery}`],
            ['GET', `/results/${id}?${compactQuery}`],
          ] as const) {
            checkAnswer(await api(fuzzed.url, method, path), `${method} ${path}`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('raw (unencoded) query strings: status < 500 and the envelope', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }), async (raw) => {
        for (const path of ['/jobs', '/jobs/stats', `/results/${ids[2]}`]) {
          checkAnswer(await api(fuzzed.url, 'GET', `${path}?${raw}`), `GET ${path}?${raw}`);
        }
        checkAnswer(await api(fuzzed.url, 'DELETE', `/jobs?${raw}`), `DELETE /jobs?${raw}`);
      }),
      { numRuns: 100 },
    );
    // the service still answers
    expectSuccess(await api(fuzzed.url, 'GET', '/jobs/stats'));
  });
});
