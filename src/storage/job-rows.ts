import type { ClaimedJob, JobRecord, JobState } from '../jobs/types.js';

/** A job as both stores keep it: the row of the `jobs` table and its columns, and the record it becomes. */
export interface JobRow {
  number: number;
  id: string;
  method: string;
  state: JobState;
  parameters: string;
  input_sha256: string | null;
  depends_on: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  progress: number;
  attempts: number;
  claims: number;
  max_attempts: number;
  error: string | null;
  result_id: string | null;
}

export const JOB_COLUMNS = `number, id, method, state, parameters, input_sha256, depends_on, created_at, started_at,
  finished_at, progress, attempts, claims, max_attempts, error, result_id`;

export function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    number: row.number,
    method: row.method,
    state: row.state,
    parameters: JSON.parse(row.parameters),
    inputSha256: row.input_sha256,
    dependsOn: JSON.parse(row.depends_on),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    progress: row.progress,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    error: row.error,
    resultId: row.state === 'finished' ? row.result_id : null,
  };
}

/** A claimed job row as the worker receives it. */
export function toClaimed(row: JobRow): ClaimedJob {
  return {
    jobNumber: row.number,
    claim: row.claims,
    attempt: row.attempts,
    id: row.id,
    method: row.method,
    parameters: JSON.parse(row.parameters),
    inputSha256: row.input_sha256,
    maxAttempts: row.max_attempts,
  };
}
