import type Database from 'better-sqlite3';
import type { Fence } from '../../jobs/types.js';
import type { SampleStore } from '../sample-store.js';
import type { Storage } from '../storage.js';
import { openSqliteDatabase } from './database.js';
import { SqliteJobStore } from './sqlite-job-store.js';
import { SqliteSampleStore } from './sqlite-sample-store.js';

/** Both stores on one SQLite connection. */
export class SqliteStorage implements Storage {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  readonly jobs: SqliteJobStore;
  readonly samples: SqliteSampleStore;

  constructor(path: string, busyTimeoutMs?: number) {
    this.db = openSqliteDatabase(path, busyTimeoutMs);
    this.jobs = new SqliteJobStore(this.db);
    this.samples = new SqliteSampleStore(this.db);
  }

  async commitJob<R>(
    fence: Fence,
    now: number,
    write: (samples: SampleStore) => Promise<R>,
    encodeResult: (result: R) => Uint8Array,
  ): Promise<{ committed: true; result: R } | { committed: false }> {
    // A manual transaction, because `write` is async (the interface's); on SQLite its statements run
    // synchronously, and this connection serves one job at a time. Store calls inside nest as savepoints.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await write(this.samples);
      if (!(await this.jobs.complete(fence, encodeResult(result), now))) {
        this.db.exec('ROLLBACK');
        return { committed: false };
      }
      this.db.exec('COMMIT');
      return { committed: true, result };
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
