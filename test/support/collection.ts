import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobRecord } from '../../src/jobs/types.js';
import { parseJsonWithIntegerTokens, stringifyLossless, toLosslessJson } from '../../src/smda/lossless-json.js';
import { serviceSqlOf } from './service-sql.js';
import { FIXTURE_REPORTS, FIXTURES_DIR, fixtureText, type GoldenFunction } from '../smda/fixtures.js';
import { waitFor, type ApiAnswer, type TestService } from './harness.js';

/** Helpers of the collection tests: requests with lossless answers, fixture ingestion, golden values. */

/**
 * Requests and parses the answer losslessly (PicHashes beyond 2^53 become bigints). A string or
 * Buffer body is sent as JSON unless `contentType` says otherwise (null: no content type).
 */
export async function call(
  service: TestService,
  method: string,
  path: string,
  body?: string | Buffer,
  contentType: string | null = 'application/json',
): Promise<ApiAnswer> {
  const response = await fetch(service.url + path, {
    method,
    // fetch labels a string text/plain; bytes go without a content type.
    body: contentType === null && typeof body === 'string' ? Buffer.from(body) : body,
    headers: body === undefined || contentType === null ? {} : { 'content-type': contentType },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? text : toLosslessJson(parseJsonWithIntegerTokens(text)) };
}

/** Asserts the success envelope with this status (bigints allowed) and returns its data. */
export function expectData(answer: ApiAnswer, status = 200): any {
  assert.equal(answer.status, status, stringifyLossless(answer.body));
  assert.equal(answer.body.status, 'successful');
  return answer.body.data;
}

export function golden(name: string): { sample: Record<string, unknown>; functions: GoldenFunction[] } {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'golden', `${name}.golden.json`), 'utf8'));
}

/** Waits until the job has ended (finished or failed) and returns it. */
export async function jobEnded(service: TestService, jobId: string, what = `job ${jobId}`): Promise<JobRecord> {
  return waitFor(
    async () => {
      const job = await service.engine.store.getJob(jobId);
      return job && (job.state === 'finished' || job.state === 'failed') && job;
    },
    { timeoutMs: 60_000, what },
  );
}

/** Waits for a job that must finish, and returns its result. */
export async function jobResult(service: TestService, jobId: string, what?: string): Promise<any> {
  const job = await jobEnded(service, jobId, what);
  assert.equal(job.state, 'finished', job.error ?? '');
  return (await call(service, 'GET', `/jobs/${jobId}/result`)).body.data;
}

/** Sends a job-creating request, checks the 202 with the job of this method and parameters, and waits for its result. */
export async function requestJob(
  service: TestService,
  method: string,
  path: string,
  expected: { method: string; parameters: object },
): Promise<{ job: any; result: any }> {
  const job = expectData(await call(service, method, path), 202);
  assert.deepEqual([job.method, job.parameters], [expected.method, expected.parameters]);
  return { job, result: await jobResult(service, job.job_id, `${method} ${path}`) };
}

/** Adds a fixture report (query string: family, ...) and returns the new sample's id. */
export async function ingest(service: TestService, name: string, query = ''): Promise<number> {
  const answer = await call(service, 'POST', `/samples${query}`, fixtureText(name));
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  const result = await jobResult(service, answer.body.data.job_id, `the ingest of ${name}`);
  assert.equal(result.existed, false);
  return result.sample.sample_id;
}

export const shaOf = (name: string) => golden(name).sample['sha256'] as string;
/** The fixtures with a sha256 of their own (example_report_meta repeats example_report's). */
export const UNIQUE_REPORTS = FIXTURE_REPORTS.filter((name, i) => FIXTURE_REPORTS.findIndex((other) => shaOf(other) === shaOf(name)) === i);
export const REPEATED_REPORTS = FIXTURE_REPORTS.filter((name) => !UNIQUE_REPORTS.includes(name));

/** Functions of a fixture that have a MinHash signature (each has one band index entry per band). */
export const hashedFunctions = (name: string) => golden(name).functions.filter((f) => f.minhash !== '').length;

/**
 * The band index, white-box: [band key, function id] pairs in key order. SQLite keeps them in the
 * table band_index, PostgreSQL in each function's band_keys (with a GIN index).
 */
export async function bandEntries(service: TestService): Promise<[number, number][]> {
  const rows = await serviceSqlOf<{ band_key: number; function_id: number }>(service, {
    sqlite: 'SELECT band_key, function_id FROM band_index ORDER BY band_key, function_id',
    postgres: 'SELECT k AS band_key, id AS function_id FROM functions, unnest(band_keys) AS k ORDER BY k, id',
  });
  return rows.map((r) => [Number(r.band_key), Number(r.function_id)]);
}

/** How many band index, PicBlockHash or label entries belong to these functions, white-box. */
export async function rowsOfFunctions(
  service: TestService,
  table: 'band_index' | 'picblockhash_index' | 'function_labels',
  functionIds: number[],
): Promise<number> {
  if (table === 'band_index') return (await bandEntries(service)).filter(([, id]) => functionIds.includes(id)).length;
  const [row] = await serviceSqlOf<{ n: number }>(
    service,
    {
      sqlite: `SELECT count(*) AS n FROM ${table} WHERE function_id IN (SELECT value FROM json_each(?))`,
      postgres: `SELECT count(*) AS n FROM ${table} WHERE function_id IN (SELECT jsonb_array_elements_text(?::jsonb)::bigint)`,
    },
    [JSON.stringify(functionIds)],
  );
  return Number(row!.n);
}

/** The functions of a sample through the API, by function id. */
export async function functionsOf(service: TestService, sampleId: number): Promise<Record<string, any>> {
  return expectData(await call(service, 'GET', `/samples/${sampleId}/functions`));
}

export async function collectionStatus(service: TestService): Promise<Record<string, number>> {
  return expectData(await call(service, 'GET', '/status')).status;
}
