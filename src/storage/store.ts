import type {
  BulkDeleteCriteria,
  ClaimedJob,
  EnqueueOutcome,
  EnqueueRequest,
  FailOutcome,
  Fence,
  JobListQuery,
  JobPage,
  JobRecord,
  JobStats,
  RetryBackoff,
  StoredResult,
} from '../jobs/types.js';

/**
 * The storage interface. One implementation per database (`sqlite/`, `postgres/`); every
 * dialect difference lives behind it. All methods are async so that a networked database fits.
 * Every state change happens in one transaction together with the job counters.
 */
export interface JobStore {
  readonly kind: 'sqlite' | 'postgres';

  /**
   * Adds a job, or returns the equal job that is queued, processing or finished (unless forced).
   * The job's result id is reserved here; it is shown, and found by the text filter, once the job finished.
   */
  enqueue(request: EnqueueRequest, jobId: string, now: number): Promise<EnqueueOutcome>;
  getJob(id: string): Promise<JobRecord | undefined>;
  listJobs(query: JobListQuery): Promise<JobPage>;
  /** Counts per state and method; `recount` recomputes them from the jobs and repairs drift. */
  stats(recount: boolean): Promise<JobStats>;
  /** Deletes the job, its result and the uploads no other job references. Returns the number deleted. */
  deleteJob(id: string): Promise<number>;
  deleteJobs(criteria: BulkDeleteCriteria): Promise<number>;
  getResult(resultId: string): Promise<StoredResult | undefined>;
  getJobByResult(resultId: string): Promise<JobRecord | undefined>;

  /** Moves up to `limit` runnable jobs of the given methods to processing, under a lease for `workerId`. */
  claim(workerId: string, methods: readonly string[], limit: number, leaseMs: number, now: number): Promise<ClaimedJob[]>;
  /**
   * Extends the leases still held; returns the fences lost to a delete or a reclaim (not those whose
   * job their own claim has just ended).
   */
  renewLeases(fences: readonly Fence[], leaseMs: number, now: number): Promise<Fence[]>;
  reportProgress(fence: Fence, progress: number): Promise<boolean>;
  /** Stores the (gzip-compressed) result under the job's result id and finishes the job, atomically. false = refused (stale fence). */
  complete(fence: Fence, compressedResult: Uint8Array, now: number): Promise<boolean>;
  /**
   * Ends a failed attempt: queued again after backoff while attempts are left, else failed.
   * `permanent`: the job cannot succeed by running again (its input is bad): failed at once.
   */
  fail(fence: Fence, error: string, backoff: RetryBackoff, now: number, permanent?: boolean): Promise<FailOutcome>;
  /** Returns a processing job to the queue without counting the attempt (worker shutdown). */
  handBack(fence: Fence, now: number): Promise<boolean>;
  /** Reclaims jobs whose lease expired: queued again (with backoff) or failed when no attempts are left. */
  reclaimExpiredLeases(backoff: RetryBackoff, now: number): Promise<number>;
  readInput(sha256: string): Promise<Uint8Array | undefined>;

  /**
   * Only on stores that announce work (PostgreSQL's LISTEN/NOTIFY): calls `listener` whenever a job
   * may have become claimable (enqueued, released, handed back, reclaimed) by any process, and after
   * the announcements were interrupted. Returns the unsubscribe function. Without it, pools poll.
   */
  onRunnable?(listener: () => void): () => void;

  close(): Promise<void>;
}

/** A request refused by the store because of what it asked for (unknown dependency, ...). */
export class StoreRequestError extends Error {}
