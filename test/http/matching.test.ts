/**
 * The matching routes on a real service: jobs for samples, pairs, cross comparisons and queries,
 * synchronous function lookups, compact results, and bad requests.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestService, type TestService } from '../support/harness.js';
import { call, expectData, ingest, jobEnded, jobResult } from '../support/collection.js';
import { goldenCollection } from '../support/matching.js';
import { fixtureText } from '../smda/fixtures.js';

const { golden } = goldenCollection('intel');

function withoutTimes(report: any): any {
  const copy = structuredClone(report);
  delete copy.info.job.duration;
  delete copy.info.job.timestamp;
  return copy;
}

/** Requests a matching job and returns its finished job and result. */
async function matchingJob(service: TestService, path: string): Promise<{ job: any; result: any }> {
  const job = expectData(await call(service, 'GET', path), 202);
  return { job, result: await jobResult(service, job.job_id, path) };
}

/** A report holding only the function at this offset of a fixture. */
function oneFunctionReport(name: string, offset: number): string {
  const report = JSON.parse(fixtureText(name));
  report.xcfg = { [offset]: report.xcfg[offset] };
  return JSON.stringify(report);
}

describe('matching routes', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ workers: 2 });
    for (const file of golden.order) {
      const family = golden.families[file];
      const id = await ingest(service, file.replace(/\.smda$/, ''), family ? `?family=${family}` : '');
      assert.equal(id, golden.sample_ids[file]);
    }
  });
  after(() => service.close());

  test('GET /matches/sample/{id}: a getMatchesForSample job whose result equals MCRIT\'s report', async () => {
    const { job, result } = await matchingJob(service, '/matches/sample/1');
    assert.deepEqual([job.method, job.parameters], ['getMatchesForSample', { sample_id: 1 }]);
    assert.deepStrictEqual(withoutTimes(result), golden.reports['sample:example_report.smda']);
  });

  test('GET /matches/sample/{id}/{other}: a getMatchesForSampleVs job whose result equals MCRIT\'s report', async () => {
    const { job, result } = await matchingJob(service, '/matches/sample/1/0');
    assert.equal(job.method, 'getMatchesForSampleVs');
    assert.deepStrictEqual(withoutTimes(result), golden.reports['vs:example_report.smda:example_report_2.smda']);
  });

  test('compact=true removes exactly matches.functions', async () => {
    const { job, result } = await matchingJob(service, '/matches/sample/0');
    const compact = expectData(await call(service, 'GET', `/jobs/${job.job_id}/result?compact=true`));
    const { resultId } = await jobEnded(service, job.job_id);
    const byResultId = expectData(await call(service, 'GET', `/results/${resultId}?compact=true`));
    const expected = structuredClone(result);
    delete expected.matches.functions;
    assert.ok(result.matches.functions.length > 0);
    assert.deepStrictEqual(compact, expected);
    assert.deepStrictEqual(byResultId, expected);
  });

  test('matching parameters become job parameters and change the result (band_matches_required=0: PicHash only)', async () => {
    const { job, result } = await matchingJob(service, '/matches/sample/1?band_matches_required=0&minhash_score=60&pichash_size=5');
    assert.deepEqual(job.parameters, { sample_id: 1, minhash_threshold: 60, pichash_size: 5, band_matches_required: 0 });
    const tuples = result.matches.functions.flatMap((fn: any) => fn.matches);
    assert.ok(tuples.length > 0);
    assert.ok(tuples.every((t: number[]) => t[3] === 100 && t[4] & 2), 'only PicHash matches remain');
    const { result: strict } = await matchingJob(service, '/matches/sample/1?minhash_score=90');
    const scores = strict.matches.functions.flatMap((fn: any) => fn.matches.map((t: number[]) => t[3]));
    assert.ok(scores.length > 0 && scores.every((s: number) => s > 90), `the per-job threshold is honoured: ${scores}`);
  });

  test('GET /matches/sample/cross/{ids}: child jobs, and a combining job with the matrices', async () => {
    const { job, result } = await matchingJob(service, '/matches/sample/cross/0,1,2,3');
    assert.equal(job.method, 'combineMatchesToCross');
    assert.equal(Object.keys(job.parameters.jobs).length, 4);
    for (const measure of ['unweighted', 'score_weighted', 'frequency_weighted', 'nonlib_unweighted', 'nonlib_score_weighted', 'nonlib_frequency_weighted']) {
      const { matching_percent: percent, matching_matches: matches, clustered_sequence: order } = result[measure];
      assert.deepEqual(order.slice().sort(), ['0', '1', '2', '3']);
      for (const [file, i] of Object.entries(golden.sample_ids)) {
        assert.equal(percent[i][i], 100);
        const report = golden.reports[`sample:${file}`];
        for (const summary of report.matches.samples) {
          assert.equal(percent[i][summary.sample_id], summary.matched.percent[measure], `${measure} ${i}→${summary.sample_id}`);
          assert.equal(matches[i][summary.sample_id], summary.matched.functions.combined);
        }
      }
    }
  });

  test('cross with sample_group_only=true runs getMatchesForSampleVsGroup children', async () => {
    const { job } = await matchingJob(service, '/matches/sample/cross/0,1?sample_group_only=true');
    const childIds = Object.values(job.parameters.jobs) as string[];
    for (const id of childIds) {
      const child = expectData(await call(service, 'GET', `/jobs/${id}`));
      assert.equal(child.method, 'getMatchesForSampleVsGroup');
      assert.equal(child.parameters.other_sample_ids.length, 1);
    }
  });

  test('POST /query: a stored report queried gets score 100 for every hashed function, against its stored copy', async () => {
    const answer = await call(service, 'POST', '/query', fixtureText('example_report'));
    const job = expectData(answer, 202);
    assert.equal(job.method, 'getMatchesForSmdaReport');
    const result = await jobResult(service, job.job_id);
    assert.equal(result.info.type, 'matcher_query');
    assert.equal(result.info.sample.sample_id, -1);
    const hashed = new Set(golden.reports['sample:example_report.smda'].matches.functions.filter((fn: any) => fn.num_instructions > 10).map((fn: any) => fn.offset));
    for (const fn of result.matches.functions) {
      assert.ok(fn.fid < 0);
      if (hashed.has(fn.offset)) assert.ok(fn.matches.some((t: number[]) => t[1] === 1 && t[3] === 100), `offset ${fn.offset}`);
    }
    assert.equal(expectData(await call(service, 'GET', '/status')).status.num_samples, 4, 'a query stores nothing');
  });

  test('POST /query/function: one function matched at once (matcher_query_function)', async () => {
    const report = expectData(await call(service, 'POST', '/query/function', oneFunctionReport('example_report', 0)));
    assert.equal(report.info.type, 'matcher_query_function');
    assert.equal(report.matches.functions.length, 1);
    assert.equal(report.matches.functions[0].fid, -1);
    assert.ok(report.matches.functions[0].matches.some((t: number[]) => t[2] === 9 && t[3] === 100));
  });

  test('GET /matches/function/{id}: one stored function against the collection', async () => {
    const report = expectData(await call(service, 'GET', '/matches/function/9'));
    assert.equal(report.info.type, 'matcher_function');
    const expected = golden.reports['sample:example_report.smda'].matches.functions.find((fn: any) => fn.fid === 9);
    assert.deepStrictEqual(report.matches.functions, [expected]);
  });

  test('GET /matches/function/{a}/{b}: scores are symmetric, flags as the matcher reports them', async () => {
    const status = expectData(await call(service, 'GET', '/status')).status;
    await fc.assert(
      fc.asyncProperty(fc.nat(status.num_functions - 1), fc.nat(status.num_functions - 1), async (a, b) => {
        const ab = expectData(await call(service, 'GET', `/matches/function/${a}/${b}`));
        const ba = expectData(await call(service, 'GET', `/matches/function/${b}/${a}`));
        assert.equal(ab.match_entry.matches[3], ba.match_entry.matches[3]);
        assert.equal(ab.function_entry_a.function_id, a);
        assert.equal(ab.match_entry.matches[2], b);
        if (a === b && ab.match_entry.matches[3] !== null) assert.equal(ab.match_entry.matches[3], 100);
      }),
      { numRuns: 40 },
    );
    const pair = expectData(await call(service, 'GET', '/matches/function/9/19'));
    assert.equal(pair.match_entry.matches[4], 7, 'PicHash + MinHash + library');
  });

  test('bad requests get a 4xx naming the problem', async () => {
    const failure = async (method: string, path: string, status: number, pattern: RegExp, body?: string) => {
      const answer = await call(service, method, path, body);
      assert.equal(answer.status, status, `${method} ${path}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.data.message, pattern);
    };
    await failure('GET', '/matches/sample/99', 404, /no sample with id 99/);
    await failure('GET', '/matches/sample/1/99', 404, /no sample with id 99/);
    await failure('GET', '/matches/sample/1?minhash_score=101', 400, /minhash_score/);
    await failure('GET', '/matches/sample/1?band_matches_required=x', 400, /band_matches_required/);
    await failure('GET', '/matches/sample/cross/1', 400, /at least two/);
    await failure('GET', '/matches/sample/cross/1,a', 400, /sample_ids/);
    await failure('GET', '/matches/sample/cross/1,99', 404, /no sample with id 99/);
    await failure('GET', '/matches/function/99999', 404, /no function/);
    await failure('GET', '/matches/function/1/99999', 404, /no function with id 99999/);
    await failure('POST', '/query', 400, /invalid SMDA report/, '{"xcfg": 1');
    await failure('POST', '/query', 400, /needs an SMDA report/, '');
    await failure('POST', '/query/function', 400, /exactly one function, not 10/, fixtureText('example_report'));
  });

  test('matching while another job ingests: consistent results, no errors', async () => {
    const expected = golden.reports['sample:example_report.smda'];
    const ingests = ['crossarch_cil_a', 'crossarch_cil_b', 'crossarch_aarch64_a'].map((name) => call(service, 'POST', '/samples', fixtureText(name)));
    const matches = Array.from({ length: 4 }, () => call(service, 'GET', '/matches/sample/1?force_recalculation=true'));
    const answers = await Promise.all([...ingests, ...matches]);
    for (const answer of answers.slice(ingests.length)) {
      const job = expectData(answer, 202);
      const ended = await jobEnded(service, job.job_id);
      assert.equal(ended.state, 'finished', ended.error ?? '');
      assert.deepStrictEqual(withoutTimes(await jobResult(service, job.job_id)), expected);
    }
    for (const answer of answers.slice(0, ingests.length)) assert.equal((await jobEnded(service, expectData(answer, 202).job_id)).state, 'finished');
  });
});
