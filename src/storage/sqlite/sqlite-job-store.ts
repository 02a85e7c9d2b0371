import Database from 'better-sqlite3';
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
import { StoreRequestError, type JobStore } from '../store.js';
import { JOB_COLUMNS, toClaimed, toRecord, type JobRow } from '../job-rows.js';
import { retryWhileBusy } from './busy-retry.js';
import { openSqliteDatabase } from './database.js';
import { statsFromCounts } from '../job-stats.js';




/**
 * Shared by `fail` and `reclaimExpiredLeases`: queued again after backoff, or failed when `noRetry`
 * holds (no attempts left; for `fail` also a permanent error).
 */
const afterFailedAttempt = (noRetry: string) => `
  state = CASE WHEN ${noRetry} THEN 'failed' ELSE 'queued' END,
  finished_at = CASE WHEN ${noRetry} THEN @now END,
  run_at = @now + min(@maxMs, @baseMs * (1 << min(attempts - 1, 40))),
  lease_owner = NULL, lease_expires_at = NULL`;

/** A filter text that may occur inside a result id (24 lower-case hex characters). */
const COULD_BE_IN_RESULT_ID = /^[0-9a-f]{1,24}$/;

const FENCE = 'number = @jobNumber AND claims = @claim AND state = \'processing\'';

/** The job store on one SQLite file (WAL), shareable by several processes. */
export class SqliteJobStore implements JobStore {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;

  private readonly sql;

  /** On a database file (opened here) or on a connection shared with the other stores. */
  constructor(database: string | Database.Database) {
    this.db = typeof database === 'string' ? openSqliteDatabase(database) : database;
    const db = this.db;
    this.sql = {
      findEqual: db.prepare<[string], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM jobs WHERE dedup_key = ? AND state IN ('queued', 'processing', 'finished')
         ORDER BY number DESC LIMIT 1`,
      ),
      jobById: db.prepare<[string], JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`),
      jobByNumber: db.prepare<[number], JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE number = ?`),
      jobByResult: db.prepare<[string], JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE result_id = ? AND state = 'finished'`),
      resultById: db.prepare<[string], { body: Buffer; job_id: string; method: string; result_id: string }>(
        `SELECT r.body, j.id AS job_id, j.method, j.result_id FROM jobs j JOIN results r ON r.job_number = j.number
         WHERE j.result_id = ? AND j.state = 'finished'`,
      ),
      insertUpload: db.prepare(
        'INSERT INTO uploads (sha256, size, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING',
      ),
      insertJob: db.prepare(
        `INSERT INTO jobs (id, method, state, parameters, search_text, dedup_key, input_sha256, depends_on,
           pending_dependencies, created_at, run_at, max_attempts, result_id)
         VALUES (@id, @method, 'queued', @parameters, @searchText, @dedupKey, @inputSha256, @dependsOn,
           @pending, @now, @now, @maxAttempts, @resultId)`,
      ),
      insertDependency: db.prepare('INSERT OR IGNORE INTO job_dependencies (depends_on_number, job_number) VALUES (?, ?)'),
      counts: db.prepare<[], { method: string; state: JobState; count: number }>(
        'SELECT method, state, count FROM job_counts WHERE count <> 0',
      ),
      clearCounts: db.prepare('DELETE FROM job_counts'),
      recount: db.prepare(
        'INSERT INTO job_counts (method, state, count) SELECT method, state, count(*) FROM jobs GROUP BY method, state',
      ),
      deleteByNumber: db.prepare('DELETE FROM jobs WHERE number = ?'),
      deleteUnreferencedUpload: db.prepare(
        'DELETE FROM uploads WHERE sha256 = @sha AND NOT EXISTS (SELECT 1 FROM jobs WHERE input_sha256 = @sha)',
      ),
      // One statement: pick and lease in the same write transaction, so two workers (threads or
      // processes) can never claim the same job. Walks the partial index jobs_runnable in number order.
      claim: db.prepare<unknown[], JobRow>(
        `UPDATE jobs SET state = 'processing', attempts = attempts + 1, claims = claims + 1, started_at = @now, progress = 0,
           lease_owner = @workerId, lease_expires_at = @now + @leaseMs
         WHERE number IN (
           SELECT number FROM jobs INDEXED BY jobs_runnable
           WHERE state = 'queued' AND pending_dependencies = 0 AND run_at <= @now
             AND method IN (SELECT value FROM json_each(@methods))
           ORDER BY number LIMIT @limit)
         RETURNING ${JOB_COLUMNS}`,
      ),
      renewLease: db.prepare(`UPDATE jobs SET lease_expires_at = @expires WHERE ${FENCE}`),
      endedByClaim: db.prepare(
        "SELECT 1 FROM jobs WHERE number = @jobNumber AND claims = @claim AND state IN ('finished', 'failed')",
      ),
      progress: db.prepare(`UPDATE jobs SET progress = @progress WHERE ${FENCE}`),
      complete: db.prepare(
        `UPDATE jobs SET state = 'finished', finished_at = @now, progress = 1, lease_owner = NULL, lease_expires_at = NULL
         WHERE ${FENCE}`,
      ),
      insertResult: db.prepare("INSERT INTO results (job_number, encoding, body) VALUES (?, 'gzip', ?)"),
      fail: db.prepare<unknown[], { state: JobState }>(
        `UPDATE jobs SET ${afterFailedAttempt('attempts >= max_attempts OR @permanent = 1')}, error = @error WHERE ${FENCE} RETURNING state`,
      ),
      handBack: db.prepare(
        `UPDATE jobs SET state = 'queued', attempts = attempts - 1, run_at = @now, progress = 0,
           lease_owner = NULL, lease_expires_at = NULL
         WHERE ${FENCE}`,
      ),
      reclaim: db.prepare(
        `UPDATE jobs SET ${afterFailedAttempt('attempts >= max_attempts')},
           error = 'lease expired: worker ' || lease_owner || ' stopped renewing it during attempt ' || attempts
         WHERE state = 'processing' AND lease_expires_at < @now`,
      ),
      input: db.prepare<[string], { data: Buffer }>('SELECT data FROM uploads WHERE sha256 = ?'),
    };
  }

  async enqueue(request: EnqueueRequest, jobId: string, now: number): Promise<EnqueueOutcome> {
    const key = dedupKey(request);
    const run = this.db.transaction((): EnqueueOutcome => {
      if (!request.forceRecalculation) {
        const equal = this.sql.findEqual.get(key);
        if (equal) return { job: toRecord(equal), created: false };
      }
      const dependencyIds = [...new Set((request.dependsOn ?? []).map((id) => id.toLowerCase()))];
      const dependencies = dependencyIds.map((id) => {
        const row = this.sql.jobById.get(id);
        if (!row) throw new StoreRequestError(`depends_on names unknown job ${id}`);
        return row;
      });
      if (request.input) {
        const { sha256, bytes } = request.input;
        this.sql.insertUpload.run(sha256, bytes.byteLength, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), now);
      }
      const resultId = newObjectId(now);
      const { lastInsertRowid } = this.sql.insertJob.run({
        id: jobId,
        method: request.method,
        parameters: JSON.stringify(request.parameters),
        searchText: searchText([jobId, request.method], request.parameters),
        resultId,
        dedupKey: key,
        inputSha256: request.input?.sha256 ?? null,
        dependsOn: JSON.stringify(dependencyIds),
        pending: dependencies.filter((d) => !isEnded(d.state)).length,
        now,
        maxAttempts: request.maxAttempts,
      });
      const number = Number(lastInsertRowid);
      for (const dependency of dependencies) this.sql.insertDependency.run(dependency.number, number);
      return { job: toRecord(this.sql.jobByNumber.get(number)!), created: true };
    });
    return retryWhileBusy(() => run.immediate());
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = this.sql.jobById.get(id.toLowerCase());
    return row && toRecord(row);
  }

  async listJobs(query: JobListQuery): Promise<JobPage> {
    const conditions: string[] = [];
    const params: Record<string, unknown> = {
      limit: query.limit === 0 ? -1 : query.limit,
      offset: query.offset,
    };
    if (query.method !== undefined) {
      conditions.push('method = @method');
      params.method = query.method;
    }
    if (query.state !== undefined) {
      conditions.push('state = @state');
      params.state = query.state;
    }
    const order = query.order === 'ascending' ? 'ASC' : 'DESC';
    const text = query.text?.toLowerCase() ?? '';
    const where = (extra: string[]) => (extra.length ? `WHERE ${extra.join(' AND ')}` : '');
    let pageSql: string;
    let countSql: string;
    if (text === '') {
      // Pages walk an index in number order; the total comes from the counters, without a scan.
      pageSql = `SELECT ${JOB_COLUMNS} FROM jobs ${where(conditions)} ORDER BY number ${order} LIMIT @limit OFFSET @offset`;
      countSql = `SELECT coalesce(sum(count), 0) AS n FROM job_counts ${where(conditions)}`;
    } else if ([...text].length >= 3) {
      // The trigram index yields matching job numbers in order; a phrase of trigrams is an exact substring.
      // It also holds the result id reserved for each job: a hex text found there counts only for a
      // finished job (the only kind that shows its result id) or when it occurs in the rest of the text.
      params.phrase = `"${text.replaceAll('"', '""')}"`;
      params.text = text;
      const matching = ['job_search MATCH @phrase', ...conditions];
      if (COULD_BE_IN_RESULT_ID.test(text)) matching.push("(state = 'finished' OR instr(search_text, @text) > 0)");
      pageSql = `SELECT ${JOB_COLUMNS} FROM job_search JOIN jobs ON jobs.number = job_search.rowid ${where(matching)}
        ORDER BY job_search.rowid ${order} LIMIT @limit OFFSET @offset`;
      countSql =
        matching.length > 1
          ? `SELECT count(*) AS n FROM job_search JOIN jobs ON jobs.number = job_search.rowid ${where(matching)}`
          : 'SELECT count(*) AS n FROM job_search WHERE job_search MATCH @phrase';
    } else {
      // One or two characters are below the trigram index: scan.
      params.text = text;
      const matching = [...conditions, "(instr(search_text, @text) > 0 OR (state = 'finished' AND instr(result_id, @text) > 0))"];
      pageSql = `SELECT ${JOB_COLUMNS} FROM jobs ${where(matching)} ORDER BY number ${order} LIMIT @limit OFFSET @offset`;
      countSql = `SELECT count(*) AS n FROM jobs ${where(matching)}`;
    }
    const rows = this.cached(pageSql).all(params) as JobRow[];
    const { n: total } = this.cached(countSql).get(params) as { n: number };
    return { jobs: rows.map(toRecord), total };
  }

  private readonly statementCache = new Map<string, Database.Statement>();

  /** The list queries vary in their WHERE clause; each variant is prepared once. */
  private cached(sqlText: string): Database.Statement {
    let statement = this.statementCache.get(sqlText);
    if (!statement) {
      statement = this.db.prepare(sqlText);
      this.statementCache.set(sqlText, statement);
    }
    return statement;
  }

  async stats(recount: boolean): Promise<JobStats> {
    if (recount) {
      const recountAll = this.db.transaction(() => {
        this.sql.clearCounts.run();
        this.sql.recount.run();
      });
      await retryWhileBusy(() => recountAll.immediate());
    }
    return statsFromCounts(this.sql.counts.all());
  }

  async deleteJob(id: string): Promise<number> {
    const run = this.db.transaction((): number => {
      const row = this.sql.jobById.get(id.toLowerCase());
      if (!row) return 0;
      this.sql.deleteByNumber.run(row.number);
      if (row.input_sha256) this.sql.deleteUnreferencedUpload.run({ sha: row.input_sha256 });
      return 1;
    });
    return retryWhileBusy(() => run.immediate());
  }

  async deleteJobs(criteria: BulkDeleteCriteria): Promise<number> {
    const conditions: string[] = [];
    if (criteria.method !== undefined) conditions.push('method = @method');
    if (criteria.createdBefore !== undefined) conditions.push('created_at < @createdBefore');
    if (criteria.finishedBefore !== undefined) conditions.push('finished_at < @finishedBefore');
    if (conditions.length === 0) throw new StoreRequestError('a bulk delete needs at least one criterion');
    const statement = this.cached(`DELETE FROM jobs WHERE ${conditions.join(' AND ')} RETURNING input_sha256`);
    const run = this.db.transaction((): number => {
      const deleted = statement.all(criteria) as { input_sha256: string | null }[];
      const inputs = new Set(deleted.map((d) => d.input_sha256).filter((sha): sha is string => sha !== null));
      for (const sha of inputs) this.sql.deleteUnreferencedUpload.run({ sha });
      return deleted.length;
    });
    return retryWhileBusy(() => run.immediate());
  }

  async getResult(resultId: string): Promise<StoredResult | undefined> {
    const row = this.sql.resultById.get(resultId.toLowerCase());
    return row && { id: row.result_id, jobId: row.job_id, method: row.method, gzipJson: row.body };
  }

  async getJobByResult(resultId: string): Promise<JobRecord | undefined> {
    const row = this.sql.jobByResult.get(resultId.toLowerCase());
    return row && toRecord(row);
  }

  async claim(workerId: string, methods: readonly string[], limit: number, leaseMs: number, now: number): Promise<ClaimedJob[]> {
    if (limit <= 0 || methods.length === 0) return [];
    const rows = await retryWhileBusy(() => this.sql.claim.all({ workerId, methods: JSON.stringify(methods), limit, leaseMs, now }));
    return rows
      .sort((a, b) => a.number - b.number)
      .map(toClaimed);
  }

  async renewLeases(fences: readonly Fence[], leaseMs: number, now: number): Promise<Fence[]> {
    if (fences.length === 0) return [];
    // A job its own claim just ended (an executor thread commits its completion itself) is not lost.
    const run = this.db.transaction(() =>
      fences.filter(
        (fence) => this.sql.renewLease.run({ ...fence, expires: now + leaseMs }).changes === 0 && !this.sql.endedByClaim.get(fence),
      ),
    );
    return retryWhileBusy(() => run.immediate());
  }

  async reportProgress(fence: Fence, progress: number): Promise<boolean> {
    return retryWhileBusy(() => this.sql.progress.run({ ...fence, progress }).changes === 1);
  }

  async complete(fence: Fence, compressedResult: Uint8Array, now: number): Promise<boolean> {
    const run = this.db.transaction((): boolean => {
      if (this.sql.complete.run({ ...fence, now }).changes !== 1) return false;
      this.sql.insertResult.run(fence.jobNumber, compressedResult);
      return true;
    });
    return retryWhileBusy(() => run.immediate());
  }

  async fail(fence: Fence, error: string, backoff: RetryBackoff, now: number, permanent = false): Promise<FailOutcome> {
    const row = await retryWhileBusy(() => this.sql.fail.get({ ...fence, error, now, ...backoff, permanent: permanent ? 1 : 0 }));
    if (!row) return 'refused';
    return row.state === 'failed' ? 'failed' : 'retrying';
  }

  async handBack(fence: Fence, now: number): Promise<boolean> {
    return retryWhileBusy(() => this.sql.handBack.run({ ...fence, now }).changes === 1);
  }

  async reclaimExpiredLeases(backoff: RetryBackoff, now: number): Promise<number> {
    return retryWhileBusy(() => this.sql.reclaim.run({ now, ...backoff }).changes);
  }

  async readInput(sha256: string): Promise<Uint8Array | undefined> {
    return this.sql.input.get(sha256)?.data;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
