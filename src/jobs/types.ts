/**
 * Core types of the job engine.
 *
 * Glossary
 * - job: one call of a method with named parameters, executed by a worker. Identified by `id` (24 hex
 *   characters, ObjectId layout) and by `number` (sequential from 1, never reused).
 * - method: a named unit of work (`addBinarySample`, `query`, ...), a module in the method registry
 *   with a schema for its parameters and a `run` function.
 * - input: bytes uploaded with a job (a binary, a report). Stored once per sha256 as an "upload" and
 *   removed with the last job that references it. Never part of `parameters`.
 * - state: queued | processing | finished | failed; the transitions are in `state-machine.ts`.
 * - attempt: one execution of a job by a worker, counted when the job is claimed.
 * - lease: how long a worker holds a processing job. A worker's heartbeat renews it; the sweeper
 *   reclaims jobs whose lease expired (the attempt stays used).
 * - claim: one hand-out of a job to a worker, numbered per job (1, 2, ...). Unlike attempts, claims
 *   are never given back, so a claim number identifies one lease for good.
 * - fence: (job number, claim). Every write a worker makes about a job carries it; a write whose
 *   claim is no longer the job's current processing claim is refused.
 * - result: the JSON a finished job returned, stored gzip-compressed under its own id.
 * - dependency: a job stays queued until every job it depends on has ended (finished, failed or
 *   was deleted).
 * - worker: a loop that claims jobs and runs them in executor threads, renewing their leases.
 * - counters: per (method, state) job counts, changed in the same transaction as every state change.
 */

export const JOB_STATES = ['queued', 'processing', 'finished', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Plain JSON data as stored in `parameters` and results. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JobParameters = { [key: string]: JsonValue };

/** A job as the store knows it. Times are milliseconds since the epoch (UTC). */
export interface JobRecord {
  id: string;
  number: number;
  method: string;
  state: JobState;
  parameters: JobParameters;
  inputSha256: string | null;
  dependsOn: string[];
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  progress: number;
  attempts: number;
  maxAttempts: number;
  error: string | null;
  resultId: string | null;
}

/** The token a worker writes with: a job number and the claim it holds. */
export interface Fence {
  jobNumber: number;
  claim: number;
}

/** A job handed to a worker by `claim`. */
export interface ClaimedJob extends Fence {
  /** Counted attempts including this one. */
  attempt: number;
  id: string;
  method: string;
  parameters: JobParameters;
  inputSha256: string | null;
  maxAttempts: number;
}

export interface JobInput {
  bytes: Uint8Array;
  sha256: string;
}

export interface EnqueueRequest {
  method: string;
  parameters: JobParameters;
  input?: JobInput;
  dependsOn?: string[];
  maxAttempts: number;
  /** Create a new job even when an equal one is queued, processing or finished. */
  forceRecalculation: boolean;
}

export interface EnqueueOutcome {
  job: JobRecord;
  /** false when an equal job already existed and is returned instead. */
  created: boolean;
}

export type SortOrder = 'ascending' | 'descending';

export interface JobListQuery {
  /** How many matching jobs to skip. */
  offset: number;
  /** At most this many jobs; 0 = all. */
  limit: number;
  order: SortOrder;
  method?: string;
  state?: JobState;
  /** Case-insensitive substring of id, method, result id or a parameter value. */
  text?: string;
}

export interface JobPage {
  jobs: JobRecord[];
  /** Number of jobs matching the criteria before paging. */
  total: number;
}

export type StateCounts = Record<JobState, number>;

export interface JobStats extends StateCounts {
  total_jobs: number;
  by_method: Record<string, StateCounts & { total: number }>;
}

export interface BulkDeleteCriteria {
  method?: string;
  createdBefore?: number;
  finishedBefore?: number;
}

export interface StoredResult {
  id: string;
  jobId: string;
  method: string;
  /** The result's JSON text, gzip-compressed as stored. */
  gzipJson: Uint8Array;
}

/** How long to wait before the next attempt after attempt `n` failed: base * 2^(n-1), capped. */
export interface RetryBackoff {
  baseMs: number;
  maxMs: number;
}

/** What happened to a failure report. */
export type FailOutcome = 'retrying' | 'failed' | 'refused';
