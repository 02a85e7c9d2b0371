import type { Static } from 'typebox';
import type { JobRecord } from '../jobs/types.js';
import type { JobView } from './schemas.js';

/** UTC, as the Jobs API page shows it: 2024-01-15T10:30:00. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function optionalTimestamp(ms: number | null): string | null {
  return ms === null ? null : formatTimestamp(ms);
}

/** A job as the API shows it. */
export function jobView(job: JobRecord, now = Date.now()): Static<typeof JobView> {
  const end = job.finishedAt ?? (job.state === 'processing' ? now : null);
  return {
    job_id: job.id,
    number: job.number,
    method: job.method,
    state: job.state,
    created: formatTimestamp(job.createdAt),
    started: optionalTimestamp(job.startedAt),
    finished: optionalTimestamp(job.finishedAt),
    progress: job.progress,
    parameters: job.parameters,
    result_id: job.resultId,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    error: job.error,
    duration: job.startedAt !== null && end !== null ? Math.max(0, end - job.startedAt) / 1000 : null,
    depends_on: job.dependsOn,
  };
}
