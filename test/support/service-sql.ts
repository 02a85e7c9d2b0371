import type { PgStorage } from '../../src/storage/postgres/pg-storage.js';
import type { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { RunningService } from '../../src/service.js';
import type { Storage } from '../../src/storage/storage.js';

/**
 * White-box SQL on a running service's own database, whichever the store: statements written with
 * `?` placeholders in the SQL both dialects share (PostgreSQL's get `$1, $2, …`).
 */
export function serviceSql<T = Record<string, any>>(service: RunningService, sql: string, params: unknown[] = []): Promise<T[]> {
  return storageSql<T>(service.storage, sql, params);
}

/** The same on a storage. */
export async function storageSql<T = Record<string, any>>(storage: Storage, sql: string, params: unknown[] = []): Promise<T[]> {
  if (storage.kind === 'postgres') {
    let n = 0;
    const { rows } = await (storage as PgStorage).pool.query(sql.replace(/\?/g, () => `$${++n}`), params);
    return rows as T[];
  }
  const statement = (storage as SqliteStorage).db.prepare(sql);
  if (statement.reader) return statement.all(...params) as T[];
  statement.run(...params);
  return [];
}

/** The same, with a statement for each dialect where they differ. */
export function serviceSqlOf<T = Record<string, any>>(
  service: RunningService,
  statements: { sqlite: string; postgres: string },
  params: unknown[] = [],
): Promise<T[]> {
  return serviceSql<T>(service, statements[service.storage.kind], params);
}

/** How many results are stored (white-box: each finished job has exactly one). */
export async function storedResults(storage: Storage): Promise<number> {
  const [row] = await storageSql<{ n: number }>(storage, 'SELECT count(*) AS n FROM results');
  return Number(row!.n);
}
