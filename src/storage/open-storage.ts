import { EVENT_LOOP_BUSY_TIMEOUT_MS, THREAD_BUSY_TIMEOUT_MS } from './sqlite/busy-retry.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';
import { PgStorage } from './postgres/pg-storage.js';
import type { Storage, StorageLocation } from './storage.js';

/**
 * Opens the storage at `location`, bringing its schema up to date. `onEventLoop`: the connection
 * serves an event loop (server, worker pool) and must never block it waiting for another
 * connection's write lock (SQLite, see busy-retry.ts); executor threads may wait, and need only a
 * connection or two (PostgreSQL).
 */
export async function openStorage(location: StorageLocation, { onEventLoop }: { onEventLoop: boolean }): Promise<Storage> {
  if (location.kind === 'postgres') return PgStorage.open(location.url, { poolSize: onEventLoop ? 10 : 2 });
  return new SqliteStorage(location.path, onEventLoop ? EVENT_LOOP_BUSY_TIMEOUT_MS : THREAD_BUSY_TIMEOUT_MS);
}
