import { JOB_STATES, type JobState, type JobStats, type StateCounts } from '../jobs/types.js';

function zeroCounts(): StateCounts {
  return { queued: 0, processing: 0, finished: 0, failed: 0 };
}

/** Shapes (method, state, count) rows into the stats answer; methods without jobs are left out. */
export function statsFromCounts(rows: Iterable<{ method: string; state: JobState; count: number }>): JobStats {
  const stats: JobStats = { total_jobs: 0, ...zeroCounts(), by_method: {} };
  for (const { method, state, count } of rows) {
    if (!JOB_STATES.includes(state) || count === 0) continue;
    const perMethod = (stats.by_method[method] ??= { ...zeroCounts(), total: 0 });
    perMethod[state] += count;
    perMethod.total += count;
    stats[state] += count;
    stats.total_jobs += count;
  }
  return stats;
}
