import Database from 'better-sqlite3';
import { THREAD_BUSY_TIMEOUT_MS } from './busy-retry.js';
import { migrate } from './migrate.js';

/**
 * Opens (creating if needed) a SQLite database file the way every store and process uses it, and
 * brings its schema up to date. Several processes and threads may open the same file.
 */
export function openSqliteDatabase(path: string, busyTimeoutMs = THREAD_BUSY_TIMEOUT_MS): Database.Database {
  const db = new Database(path);
  // Opening (WAL switch, migrations) may wait for another process's writes: it happens once, before
  // the connection serves an event loop, so it gets the long timeout; the caller's applies after.
  db.pragma(`busy_timeout = ${THREAD_BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a crash of the process; only a power loss
  // can lose the last ones. It is what makes a claim + complete cycle cost ~0.1 ms instead of an fsync.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Checkpoint (and fsync) every ~40 MB of WAL instead of every 4 MB: fewer fsyncs per job.
  db.pragma('wal_autocheckpoint = 10000');
  migrate(db);
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  return db;
}
