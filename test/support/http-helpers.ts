import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { newObjectId } from '../../src/jobs/object-id.js';
import type { ClaimedJob, JobParameters, JobRecord } from '../../src/jobs/types.js';
import type { JobStore } from '../../src/storage/store.js';
import type { ApiAnswer } from './harness.js';

/** Helpers of the HTTP conformance tests (test/http). */

export const HTTP_TEST_METHODS = fileURLToPath(new URL('./http-test-methods.ts', import.meta.url));

/** The timestamp layout of the Jobs API page: 2024-01-15T10:30:00. */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** A fake worker id used to move jobs through their states directly in the store. */
export const FAKE_WORKER = 'http-test-fake-worker';
const LONG_LEASE_MS = 3_600_000;

/** Asserts the success envelope `{"status":"successful","data":...}` with exactly these two keys; returns data. */
export function expectSuccess<T = any>(answer: ApiAnswer, status = 200): T {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  assert.equal(typeof answer.body, 'object', `expected a JSON object, got ${JSON.stringify(answer.body)}`);
  assert.deepEqual(Object.keys(answer.body).sort(), ['data', 'status']);
  assert.equal(answer.body.status, 'successful');
  return answer.body.data as T;
}

/** Asserts the error envelope `{"status":"failed","data":{"message":...}}` and nothing else in it. */
export function expectFailureEnvelope(answer: ApiAnswer): string {
  assert.ok(answer.body !== null && typeof answer.body === 'object', `expected a JSON envelope, got ${JSON.stringify(answer.body)}`);
  assert.deepEqual(Object.keys(answer.body).sort(), ['data', 'status'], `not the envelope: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.status, 'failed');
  assert.ok(answer.body.data !== null && typeof answer.body.data === 'object');
  assert.deepEqual(Object.keys(answer.body.data), ['message'], `not the envelope: ${JSON.stringify(answer.body)}`);
  assert.equal(typeof answer.body.data.message, 'string');
  assert.ok(answer.body.data.message.length > 0, 'empty error message');
  return answer.body.data.message;
}

/** Asserts an error answer: the status, the envelope and (when given) the exact message. */
export function expectFailure(answer: ApiAnswer, status: number, message?: string | RegExp): string {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  const actual = expectFailureEnvelope(answer);
  if (typeof message === 'string') assert.equal(actual, message);
  else if (message) assert.match(actual, message);
  return actual;
}

/** The messages the contract's 400s carry: they name the parameter, what it expects and what it got. */
export const messages = {
  jobId: (got: unknown) => `invalid path parameter 'job_id': expected a job id of 24 hexadecimal characters, got ${JSON.stringify(got)}`,
  resultId: (got: unknown) =>
    `invalid path parameter 'result_id': expected a result id of 24 hexadecimal characters, got ${JSON.stringify(got)}`,
  integer: (name: string, got: unknown) => `invalid query parameter '${name}': expected a non-negative integer of at most 15 digits, got ${JSON.stringify(got)}`,
  boolean: (name: string, got: unknown) =>
    `invalid query parameter '${name}': expected a boolean: true, false, 1 or 0, got ${JSON.stringify(got)}`,
  state: (got: unknown) =>
    `invalid query parameter 'state': expected one of queued, processing, in_progress, finished, failed, got ${JSON.stringify(got)}`,
  method: (got: unknown) => `invalid query parameter 'method': expected a job method name of 1 to 200 characters, got ${JSON.stringify(got)}`,
  invalidDate: (name: string, got: string) => `invalid query parameter '${name}': ${JSON.stringify(got)} is not a valid date`,
  malformedDate: (name: string, got: string) =>
    `invalid query parameter '${name}': expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM] (UTC unless an offset is given), got ${JSON.stringify(got)}`,
  noJob: (id: string) => `no job with id ${id}`,
  noResult: (id: string) => `no result with id ${id}`,
  noResultYet: (id: string, state: string) => `job ${id} has no result: it is ${state}`,
  noRoute: (method: string, path: string) => `no route ${method} ${path}`,
  bulkDeleteNeedsCriteria: 'DELETE /jobs needs at least one of the query parameters method, created_before, finished_before',
  tokenRequired: 'an API token is required: header apitoken or Authorization: Bearer',
  filter: (got: string) =>
    `invalid query parameter 'filter': expected a text of at most 1000 characters without control characters, got ${JSON.stringify(got)}`,
  tokenInvalid: 'the API token is not valid',
};

export function gzipJson(value: unknown): Uint8Array {
  return new Uint8Array(gzipSync(JSON.stringify(value)));
}

/** Claims exactly the job `id` for the fake worker (it must be the oldest runnable job of its method). */
export async function claimJob(store: JobStore, job: Pick<JobRecord, 'id' | 'method'>, now = Date.now()): Promise<ClaimedJob> {
  const claimed = await store.claim(FAKE_WORKER, [job.method], 1, LONG_LEASE_MS, now);
  assert.equal(claimed.length, 1, `could not claim job ${job.id}`);
  assert.equal(claimed[0]!.id, job.id, `claimed ${claimed[0]!.id} instead of ${job.id}: test set-up error`);
  return claimed[0]!;
}

/** Claims and completes a job with the given result; returns the result id the job then shows. */
export async function finishJob(
  store: JobStore,
  job: Pick<JobRecord, 'id' | 'method'>,
  result: unknown,
  times: { startedAt?: number; finishedAt?: number } = {},
): Promise<string> {
  const fence = await claimJob(store, job, times.startedAt);
  assert.equal(await store.complete(fence, gzipJson(result), times.finishedAt ?? Date.now()), true);
  const resultId = (await store.getJob(job.id))?.resultId;
  assert.ok(resultId, `job ${job.id} has no result id after completing`);
  return resultId;
}

/** Claims and fails a job whose max_attempts is 1, so that it ends `failed`. */
export async function failJob(
  store: JobStore,
  job: Pick<JobRecord, 'id' | 'method'>,
  error: string,
  times: { startedAt?: number; failedAt?: number } = {},
): Promise<void> {
  const fence = await claimJob(store, job, times.startedAt);
  const outcome = await store.fail(fence, error, { baseMs: LONG_LEASE_MS, maxMs: LONG_LEASE_MS }, times.failedAt ?? Date.now());
  assert.equal(outcome, 'failed', 'the job must have max_attempts 1 to fail at once: test set-up error');
}

/** Enqueues a job directly in the store at a chosen time (no method validation); returns the record. */
export async function enqueueAt(
  store: JobStore,
  method: string,
  parameters: JobParameters,
  createdAt: number,
  options: { maxAttempts?: number; input?: Uint8Array } = {},
): Promise<JobRecord> {
  const input = options.input && { bytes: options.input, sha256: createHash('sha256').update(options.input).digest('hex') };
  const outcome = await store.enqueue(
    {
      method,
      parameters: input ? { ...parameters, sha256: input.sha256, size: input.bytes.byteLength } : parameters,
      input,
      maxAttempts: options.maxAttempts ?? 3,
      forceRecalculation: true,
    },
    newObjectId(createdAt),
    createdAt,
  );
  return outcome.job;
}
