import { dedupKey, searchText } from '../../jobs/job-keys.js';
import { isEnded } from '../../jobs/state-machine.js';
import { newObjectId } from '../../jobs/object-id.js';
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
  JobState,
  JobStats,
  RetryBackoff,
  StoredResult,
} from '../../jobs/types.js';
import { statsFromCounts } from '../job-stats.js';
import { StoreRequestError, type JobStore } from '../store.js';
import { JOB_COLUMNS, toClaimed, toRecord, type JobRow } from '../job-rows.js';
import type { PgScope } from './connection.js';
import { withoutNul } from './pg-values.js';
import type { RunnableJobsListener } from './runnable-jobs-listener.js';


const JOB_COLUMNS_OF_J = JOB_COLUMNS.split(',').map((c) => `j.${c.trim()}`).join(', ');


/**
 * Shared by `fail` and `reclaimExpiredLeases`: queued again after backoff, or failed when `noRetry`
 * holds (no attempts left; for `fail` also a permanent error). $1 = now, $2 = base ms, $3 = max ms.
 */
const afterFailedAttempt = (noRetry: string) => `
  state = CASE WHEN ${noRetry} THEN 'failed' ELSE 'queued' END,
  finished_at = CASE WHEN ${noRetry} THEN $1::bigint END,
  run_at = $1::bigint + least($3::bigint, $2::bigint * (1::bigint << least(attempts - 1, 40))),
  lease_owner = NULL, lease_expires_at = NULL`;

/** A filter text that may occur inside a result id (24 lower-case hex characters). */
const COULD_BE_IN_RESULT_ID = /^[0-9a-f]{1,24}$/;

/** The fence of a claim; the statement's first two parameters are the job number and the claim. */
const FENCE = "number = $1 AND claims = $2 AND state = 'processing'";

/** A LIKE pattern matching `text` anywhere (backslash is LIKE's default escape character). */
const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The job store on PostgreSQL; shared by any number of processes and machines. */
export class PgJobStore implements JobStore {
  readonly kind = 'postgres' as const;

  /**
   * `db`: the pool, or a transaction's connection (a job's commit). `closeStorage`: what `close`
   * does, as on SQLite, where the stores share one connection: closes the storage this store is of.
   */
  constructor(
    private readonly db: PgScope,
    private readonly listener?: RunnableJobsListener,
    private readonly closeStorage?: () => Promise<void>,
  ) {}

  async enqueue(request: EnqueueRequest, jobId: string, now: number): Promise<EnqueueOutcome> {
    const key = dedupKey(request);
    return this.db.transaction(async (tx) => {
      if (!request.forceRecalculation) {
        // Two equal submissions at once: the second waits for the first's commit, then finds its job.
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
        const equal = await tx.query<JobRow>(
          `SELECT ${JOB_COLUMNS} FROM jobs WHERE dedup_key = $1 AND state IN ('queued', 'processing', 'finished')
           ORDER BY number DESC LIMIT 1`,
          [key],
        );
        if (equal.rows[0]) return { job: toRecord(equal.rows[0]), created: false };
      }
      const dependencyIds = [...new Set((request.dependsOn ?? []).map((id) => id.toLowerCase()))];
      const dependencies = (
        await tx.query<{ id: string; number: number; state: JobState }>('SELECT id, number, state FROM jobs WHERE id = ANY($1) FOR SHARE', [
          dependencyIds,
        ])
      ).rows;
      for (const id of dependencyIds) {
        if (!dependencies.some((d) => d.id === id)) throw new StoreRequestError(`depends_on names unknown job ${id}`);
      }
      if (request.input) {
        const { sha256, bytes } = request.input;
        await tx.query('INSERT INTO uploads (sha256, size, data, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING', [
          sha256,
          bytes.byteLength,
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          now,
        ]);
      }
      const resultId = newObjectId(now);
      const inserted = await tx.query<JobRow>(
        `INSERT INTO jobs (id, method, state, parameters, dedup_key, input_sha256, depends_on, pending_dependencies,
           created_at, run_at, max_attempts, result_id)
         VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $8, $9, $10)
         RETURNING ${JOB_COLUMNS}`,
        [
          jobId,
          request.method,
          JSON.stringify(request.parameters),
          key,
          request.input?.sha256 ?? null,
          JSON.stringify(dependencyIds),
          dependencies.filter((d) => !isEnded(d.state)).length,
          now,
          request.maxAttempts,
          resultId,
        ],
      );
      const row = inserted.rows[0]!;
      await tx.query('INSERT INTO job_search (number, text) VALUES ($1, $2)', [
        row.number,
        withoutNul(`${searchText([jobId, request.method], request.parameters)}\n${resultId}`),
      ]);
      if (dependencies.length > 0) {
        await tx.query(
          'INSERT INTO job_dependencies (depends_on_number, job_number) SELECT unnest($1::bigint[]), $2 ON CONFLICT DO NOTHING',
          [dependencies.map((d) => d.number), row.number],
        );
      }
      return { job: toRecord(row), created: true };
    });
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const { rows } = await this.db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id.toLowerCase()]);
    return rows[0] && toRecord(rows[0]);
  }

  async listJobs(query: JobListQuery): Promise<JobPage> {
    const values: unknown[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    const conditions: string[] = [];
    if (query.method !== undefined) conditions.push(`j.method = ${param(withoutNul(query.method))}`);
    if (query.state !== undefined) conditions.push(`j.state = ${param(query.state)}`);
    const order = query.order === 'ascending' ? 'ASC' : 'DESC';
    const text = withoutNul(query.text?.toLowerCase() ?? '');
    const where = (all: string[]) => (all.length ? `WHERE ${all.join(' AND ')}` : '');
    let from = 'jobs j';
    let countSql: string;
    if (text === '') {
      // The total comes from the counters, without a scan.
      countSql = `SELECT coalesce(sum(count), 0) AS n FROM job_counts j ${where(conditions)}`;
    } else {
      // The trigram index finds the matching jobs (for 3+ characters; shorter texts scan). The
      // text holds the result id reserved for each job: a hex text found there counts only for a
      // finished job (the only kind that shows its result id) or when it occurs elsewhere.
      from = 'job_search s JOIN jobs j ON j.number = s.number';
      const pattern = param(containing(text));
      conditions.push(`s.text LIKE ${pattern}`);
      if (COULD_BE_IN_RESULT_ID.test(text)) {
        conditions.push(`(j.state = 'finished' OR left(s.text, length(s.text) - 25) LIKE ${pattern})`);
      }
      // Without a condition on the job row the total is counted in job_search alone (one row per
      // job): joined, the planner hash-joins a scan of all of jobs. Measured at 1,000,000 jobs
      // (bench/jobs-api-latency.ts, filter=emotet, 81,685 matches): 424 ms joined, 98 ms alone.
      countSql =
        conditions.length === 1
          ? `SELECT count(*) AS n FROM job_search s WHERE s.text LIKE ${pattern}`
          : `SELECT count(*) AS n FROM ${from} ${where(conditions)}`;
    }
    const countValues = [...values];
    const pageSql = `SELECT ${JOB_COLUMNS_OF_J} FROM ${from} ${where(conditions)} ORDER BY j.number ${order}
      LIMIT ${param(query.limit === 0 ? null : query.limit)} OFFSET ${param(query.offset)}`;
    const [page, count] = await Promise.all([
      this.db.query<JobRow>(pageSql, values),
      this.db.query<{ n: number }>(countSql, countValues),
    ]);
    return { jobs: page.rows.map(toRecord), total: count.rows[0]!.n };
  }

  async stats(recount: boolean): Promise<JobStats> {
    if (recount) {
      await this.db.transaction(async (tx) => {
        // Waits for the transactions that hold counter rows, and makes the next ones wait: the
        // recount then sees every committed job change, and later ones apply on top of it.
        await tx.query('LOCK TABLE job_counts IN EXCLUSIVE MODE');
        await tx.query('DELETE FROM job_counts');
        await tx.query(
          'INSERT INTO job_counts (method, state, shard, count) SELECT method, state, 0, count(*) FROM jobs GROUP BY method, state',
        );
      });
    }
    const { rows } = await this.db.query<{ method: string; state: JobState; count: number }>(
      'SELECT method, state, sum(count) AS count FROM job_counts GROUP BY method, state HAVING sum(count) <> 0',
    );
    return statsFromCounts(rows);
  }

  async deleteJob(id: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ input_sha256: string | null }>('DELETE FROM jobs WHERE id = $1 RETURNING input_sha256', [
        id.toLowerCase(),
      ]);
      if (rows.length === 0) return 0;
      await this.deleteUnreferencedUploads(tx, rows);
      return 1;
    });
  }

  async deleteJobs(criteria: BulkDeleteCriteria): Promise<number> {
    const values: unknown[] = [];
    const conditions: string[] = [];
    // A method name with U+0000 cannot be stored (PostgreSQL text): as a criterion it matches no job.
    if (criteria.method !== undefined) conditions.push(`method = $${values.push(withoutNul(criteria.method))}`);
    if (criteria.createdBefore !== undefined) conditions.push(`created_at < $${values.push(criteria.createdBefore)}`);
    if (criteria.finishedBefore !== undefined) conditions.push(`finished_at < $${values.push(criteria.finishedBefore)}`);
    if (conditions.length === 0) throw new StoreRequestError('a bulk delete needs at least one criterion');
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ input_sha256: string | null }>(
        `DELETE FROM jobs WHERE ${conditions.join(' AND ')} RETURNING input_sha256`,
        values,
      );
      await this.deleteUnreferencedUploads(tx, rows);
      return rows.length;
    });
  }

  private async deleteUnreferencedUploads(tx: PgScope, deleted: { input_sha256: string | null }[]): Promise<void> {
    const inputs = [...new Set(deleted.map((d) => d.input_sha256).filter((sha): sha is string => sha !== null))];
    if (inputs.length === 0) return;
    await tx.query(
      `DELETE FROM uploads u WHERE u.sha256 = ANY($1) AND NOT EXISTS (SELECT 1 FROM jobs WHERE input_sha256 = u.sha256)`,
      [inputs],
    );
  }

  async getResult(resultId: string): Promise<StoredResult | undefined> {
    const { rows } = await this.db.query<{ body: Buffer; job_id: string; method: string; result_id: string }>(
      `SELECT r.body, j.id AS job_id, j.method, j.result_id FROM jobs j JOIN results r ON r.job_number = j.number
       WHERE j.result_id = $1 AND j.state = 'finished'`,
      [resultId.toLowerCase()],
    );
    const row = rows[0];
    return row && { id: row.result_id, jobId: row.job_id, method: row.method, gzipJson: row.body };
  }

  async getJobByResult(resultId: string): Promise<JobRecord | undefined> {
    const { rows } = await this.db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE result_id = $1 AND state = 'finished'`, [
      resultId.toLowerCase(),
    ]);
    return rows[0] && toRecord(rows[0]);
  }

  async claim(workerId: string, methods: readonly string[], limit: number, leaseMs: number, now: number): Promise<ClaimedJob[]> {
    if (limit <= 0 || methods.length === 0) return [];
    // SKIP LOCKED: workers claiming at once each take other runnable jobs instead of queueing on
    // the same rows; a row claimed (and committed) meanwhile fails the re-check and is skipped.
    const { rows } = await this.db.query<JobRow>(
      `WITH picked AS (
         SELECT number FROM jobs
         WHERE state = 'queued' AND pending_dependencies = 0 AND run_at <= $1 AND method = ANY($2)
         ORDER BY number LIMIT $3
         FOR UPDATE SKIP LOCKED)
       UPDATE jobs j SET state = 'processing', attempts = attempts + 1, claims = claims + 1, started_at = $1, progress = 0,
         lease_owner = $4, lease_expires_at = $1 + $5
       FROM picked WHERE j.number = picked.number
       RETURNING ${JOB_COLUMNS_OF_J}`,
      [now, methods, limit, workerId, leaseMs],
    );
    return rows
      .sort((a, b) => a.number - b.number)
      .map(toClaimed);
  }

  async renewLeases(fences: readonly Fence[], leaseMs: number, now: number): Promise<Fence[]> {
    if (fences.length === 0) return [];
    // One statement; rows locked in number order, as the sweeper locks them (no deadlock). The state
    // is read from the locked rows, not from the statement's snapshot: a renewal that waited for its
    // own job's completion must see the job finished (its claim ended it: the lease is not lost),
    // where the snapshot, taken before the wait, still shows it processing (test: postgres-lease-race).
    const { rows } = await this.db.query<{ number: number; renewed: boolean }>(
      `WITH held AS (SELECT * FROM unnest($1::bigint[], $2::integer[]) AS h (number, claims)),
       locked AS (
         SELECT l.number, l.state FROM jobs l JOIN held h ON h.number = l.number AND h.claims = l.claims
         ORDER BY l.number FOR UPDATE OF l),
       renewed AS (
         UPDATE jobs j SET lease_expires_at = $3 FROM locked
         WHERE j.number = locked.number AND locked.state = 'processing')
       SELECT h.number, EXISTS (SELECT 1 FROM locked k WHERE k.number = h.number AND k.state IN ('processing', 'finished', 'failed')) AS renewed
       FROM held h`,
      [fences.map((f) => f.jobNumber), fences.map((f) => f.claim), now + leaseMs],
    );
    const kept = new Set(rows.filter((r) => r.renewed).map((r) => r.number));
    return fences.filter((fence) => !kept.has(fence.jobNumber));
  }

  async reportProgress(fence: Fence, progress: number): Promise<boolean> {
    const { rowCount } = await this.db.query(`UPDATE jobs SET progress = $3 WHERE ${FENCE}`, [fence.jobNumber, fence.claim, progress]);
    return rowCount === 1;
  }

  async complete(fence: Fence, compressedResult: Uint8Array, now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        `UPDATE jobs SET state = 'finished', finished_at = $3, progress = 1, lease_owner = NULL, lease_expires_at = NULL
         WHERE ${FENCE}`,
        [fence.jobNumber, fence.claim, now],
      );
      if (rowCount !== 1) return false;
      await tx.query("INSERT INTO results (job_number, encoding, body) VALUES ($1, 'gzip', $2)", [
        fence.jobNumber,
        Buffer.from(compressedResult.buffer, compressedResult.byteOffset, compressedResult.byteLength),
      ]);
      return true;
    });
  }

  async fail(fence: Fence, error: string, backoff: RetryBackoff, now: number, permanent = false): Promise<FailOutcome> {
    const { rows } = await this.db.query<{ state: JobState }>(
      `UPDATE jobs SET ${afterFailedAttempt('attempts >= max_attempts OR $7::boolean')}, error = $6
       WHERE number = $4 AND claims = $5 AND state = 'processing' RETURNING state`,
      [now, backoff.baseMs, backoff.maxMs, fence.jobNumber, fence.claim, withoutNul(error), permanent],
    );
    if (!rows[0]) return 'refused';
    return rows[0].state === 'failed' ? 'failed' : 'retrying';
  }

  async handBack(fence: Fence, now: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE jobs SET state = 'queued', attempts = attempts - 1, run_at = $3, progress = 0, lease_owner = NULL, lease_expires_at = NULL
       WHERE ${FENCE}`,
      [fence.jobNumber, fence.claim, now],
    );
    return rowCount === 1;
  }

  async reclaimExpiredLeases(backoff: RetryBackoff, now: number): Promise<number> {
    // Every worker sweeps: SKIP LOCKED lets one take each expired job while the others pass over it
    // (a row being renewed or completed right now is not expired for long: the next sweep decides).
    const { rowCount } = await this.db.query(
      `WITH expired AS (
         SELECT number FROM jobs WHERE state = 'processing' AND lease_expires_at < $1 ORDER BY number FOR UPDATE SKIP LOCKED)
       UPDATE jobs j SET ${afterFailedAttempt('attempts >= max_attempts')},
         error = 'lease expired: worker ' || lease_owner || ' stopped renewing it during attempt ' || attempts
       FROM expired WHERE j.number = expired.number`,
      [now, backoff.baseMs, backoff.maxMs],
    );
    return rowCount ?? 0;
  }

  async readInput(sha256: string): Promise<Uint8Array | undefined> {
    const { rows } = await this.db.query<{ data: Buffer }>('SELECT data FROM uploads WHERE sha256 = $1', [sha256]);
    return rows[0]?.data;
  }

  onRunnable(listener: () => void): () => void {
    if (!this.listener) return () => undefined;
    return this.listener.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.closeStorage?.();
  }
}
