import pg from 'pg';

/**
 * Connections to PostgreSQL. A database URL is libpq's (`postgres://user@host:port/db`), plus an
 * optional `schema` parameter: the tables live in that schema (created when missing; default
 * `public`), so that several stores (test runs, deployments) can share one database.
 */
export interface PgTarget {
  /** For `pg`, without our own `schema` parameter. */
  connectionString: string;
  schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

export function parseDatabaseUrl(url: string): PgTarget {
  if (!isPostgresUrl(url)) throw new Error(`not a PostgreSQL URL (postgres://…): ${url}`);
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name '${schema}': lower-case letters, digits and _`);
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** A URL naming the same database with another schema. */
export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

/**
 * int8 (counts, ids, millisecond timestamps) as JS numbers; the unsigned 64-bit hashes and
 * addresses, which do not fit, are selected as text (`::text`) and read as bigint.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function newPool(target: PgTarget, max: number, log: (message: string) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max,
    // Every statement names its tables without a schema: the search path picks the store's.
    options: `-c search_path=${target.schema},public`,
    types,
    connectionTimeoutMillis: 10_000,
    application_name: 'mcrit-ts',
  });
  // An idle connection that the server closed (restart, cut connection) must not crash the process:
  // the pool drops it and the next query opens another.
  pool.on('error', (error) => log(`PostgreSQL: idle connection lost (${error.message})`));
  return pool;
}

export type Row = Record<string, any>;

/** Where statements run: the pool (each statement its own transaction) or a transaction's connection. */
export interface PgScope {
  query<R extends Row = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Runs `body` in a transaction; inside one, in a savepoint. */
  transaction<T>(body: (scope: PgScope) => Promise<T>): Promise<T>;
}

/** Deadlock and serialization failures: the transaction was rolled back and may simply run again. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

const MAX_RETRIES = 5;

export class PoolScope implements PgScope {
  constructor(readonly pool: pg.Pool) {}

  async query<R extends Row = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>(text, values);
      } catch (error) {
        if (!isRetryable(error) || attempt >= MAX_RETRIES) throw error;
      }
    }
  }

  async transaction<T>(body: (scope: PgScope) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const connection = await checkOut(this.pool);
      try {
        await connection.client.query('BEGIN');
        const result = await body(new TransactionScope(connection.client));
        await connection.client.query('COMMIT');
        return result;
      } catch (error) {
        await connection.client.query('ROLLBACK').catch(() => connection.markBroken());
        if (!isRetryable(error) || attempt >= MAX_RETRIES) throw error;
      } finally {
        connection.release();
      }
    }
  }
}

/**
 * A connection taken from the pool for several statements. While taken, the pool no longer listens
 * for its errors: a connection lost between two statements would emit an unhandled 'error' and end
 * the process (seen with a proxy cutting connections). This listens until the release, and a
 * connection that failed is closed rather than returned to the pool.
 */
export async function checkOut(pool: pg.Pool): Promise<{ client: pg.PoolClient; markBroken(): void; release(): void }> {
  const client = await pool.connect();
  let broken = false;
  const onError = () => (broken = true);
  client.on('error', onError);
  return {
    client,
    markBroken: () => (broken = true),
    release() {
      client.removeListener('error', onError);
      client.release(broken);
    },
  };
}

class TransactionScope implements PgScope {
  private savepoints = 0;

  constructor(private readonly client: pg.PoolClient) {}

  query<R extends Row = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.client.query<R>(text, values);
  }

  async transaction<T>(body: (scope: PgScope) => Promise<T>): Promise<T> {
    const name = `s${++this.savepoints}`;
    await this.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await body(this);
      await this.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
  }
}

/** Errors that mean the database cannot be reached right now (down, restarting, connection cut). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P03' || code.startsWith('ECONN'))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}
