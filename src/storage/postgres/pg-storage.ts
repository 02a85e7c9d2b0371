import type pg from 'pg';
import type { Fence } from '../../jobs/types.js';
import type { SampleStore } from '../sample-store.js';
import type { Storage } from '../storage.js';
import { newPool, parseDatabaseUrl, PoolScope, type PgTarget } from './connection.js';
import { migratePostgres } from './migrate.js';
import { PgJobStore } from './pg-job-store.js';
import { PgSampleStore } from './pg-sample-store.js';
import { RunnableJobsListener } from './runnable-jobs-listener.js';

/** The outcome a job commit rolls back with when its fence no longer holds. */
class FenceNotHeld extends Error {}

/** Both stores on one PostgreSQL pool; `open` brings the schema up to date first. */
export class PgStorage implements Storage {
  readonly kind = 'postgres' as const;
  readonly jobs: PgJobStore;
  readonly samples: PgSampleStore;
  private readonly db: PoolScope;

  private constructor(
    readonly pool: pg.Pool,
    readonly target: PgTarget,
    private readonly listener: RunnableJobsListener,
  ) {
    this.db = new PoolScope(pool);
    this.jobs = new PgJobStore(this.db, listener, () => this.close());
    this.samples = new PgSampleStore(this.db);
  }

  /** `poolSize`: connections at most (an executor thread needs 1-2, a server ~10). */
  static async open(url: string, { poolSize = 10, log = (m: string) => console.error(m) } = {}): Promise<PgStorage> {
    const target = parseDatabaseUrl(url);
    const pool = newPool(target, poolSize, log);
    try {
      await migratePostgres(pool, target.schema);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PgStorage(pool, target, new RunnableJobsListener(target, log));
  }

  async commitJob<R>(
    fence: Fence,
    now: number,
    write: (samples: SampleStore) => Promise<R>,
    encodeResult: (result: R) => Uint8Array,
  ): Promise<{ committed: true; result: R } | { committed: false }> {
    try {
      const result = await this.db.transaction(async (tx) => {
        const result = await write(new PgSampleStore(tx));
        if (!(await new PgJobStore(tx).complete(fence, encodeResult(result), now))) throw new FenceNotHeld();
        return result;
      });
      return { committed: true, result };
    } catch (error) {
      if (error instanceof FenceNotHeld) return { committed: false };
      throw error;
    }
  }

  private closing: Promise<void> | undefined;

  /** Closes the pool and the notification connection (once, whoever asks: this or `jobs.close()`). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.listener.close();
      await this.pool.end();
    })();
    return this.closing;
  }
}
