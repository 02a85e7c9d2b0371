import Database from 'better-sqlite3';
import { EVENT_LOOP_BUSY_TIMEOUT_MS, THREAD_BUSY_TIMEOUT_MS } from './sqlite/busy-retry.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';
import type { Storage, StorageLocation } from './storage.js';
import { openSqliteDatabase } from './sqlite/database.js';

/**
 * Opens the storage at `location`, bringing its schema up to date. `onEventLoop`: the connection
 * serves an event loop (server, worker pool) and must never block it waiting for another
 * connection's write lock (SQLite, see busy-retry.ts); executor threads may wait, and need only a
 * connection or two (PostgreSQL).
 */
export async function openStorage(location: StorageLocation, { onEventLoop }: { onEventLoop: boolean }): Promise<Storage> {
  if (location.kind === 'postgres') {
    // Loaded only when used: a SQLite process (and each of its executor threads) never loads pg.
    const { PgStorage } = await import('./postgres/pg-storage.js');
    return PgStorage.open(location.url, { poolSize: onEventLoop ? 10 : 2 });
  }
  return new SqliteStorage(location.path, onEventLoop ? EVENT_LOOP_BUSY_TIMEOUT_MS : THREAD_BUSY_TIMEOUT_MS);
}

export interface MigrationOutcome {
  /** Versions applied now, in order. */
  applied: number[];
  /** The schema's version afterwards. */
  current: number;
}

/** Brings the schema at `location` up to date, as every start does (`migrate` command). */
export async function migrateStorage(location: StorageLocation): Promise<MigrationOutcome> {
  if (location.kind === 'postgres') {
    const { newPool, parseDatabaseUrl } = await import('./postgres/connection.js');
    const { migratePostgres } = await import('./postgres/migrate.js');
    const target = parseDatabaseUrl(location.url);
    const pool = newPool(target, 1, (message) => console.error(message));
    try {
      const report = await migratePostgres(pool, target.schema);
      return { applied: report.applied.map((m) => m.version), current: report.current };
    } finally {
      await pool.end();
    }
  }
  const probe = new Database(location.path);
  const before = probe.pragma('user_version', { simple: true }) as number;
  probe.close();
  const db = openSqliteDatabase(location.path);
  try {
    const current = db.pragma('user_version', { simple: true }) as number;
    return { applied: Array.from({ length: current - before }, (_, i) => before + 1 + i), current };
  } finally {
    db.close();
  }
}
