import { EVENT_LOOP_BUSY_TIMEOUT_MS, THREAD_BUSY_TIMEOUT_MS } from './sqlite/busy-retry.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';
import type { Storage, StorageLocation } from './storage.js';

/**
 * `onEventLoop`: the connection serves an event loop (server, worker pool) and must never block it
 * waiting for another connection's write lock (see busy-retry.ts); executor threads may wait.
 */
export function openStorage(location: StorageLocation, { onEventLoop }: { onEventLoop: boolean }): Storage {
  return new SqliteStorage(location.path, onEventLoop ? EVENT_LOOP_BUSY_TIMEOUT_MS : THREAD_BUSY_TIMEOUT_MS);
}
