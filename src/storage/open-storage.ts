import { SqliteStorage } from './sqlite/sqlite-storage.js';
import type { Storage, StorageLocation } from './storage.js';

export function openStorage(location: StorageLocation): Storage {
  return new SqliteStorage(location.path);
}
