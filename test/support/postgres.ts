import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withSchema } from '../../src/storage/postgres/connection.js';
import { PgStorage } from '../../src/storage/postgres/pg-storage.js';

/**
 * PostgreSQL for tests: the server at 127.0.0.1:5432 (trust auth), or MCRIT_TEST_DATABASE_URL.
 * Each store lives in a schema of its own, with a random name, dropped at the end.
 */
export const TEST_DATABASE_URL = process.env.MCRIT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Which store the HTTP and service tests run on: MCRIT_TEST_STORE=postgres, or SQLite. */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.MCRIT_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export interface TestSchema {
  /** The database URL naming the schema (created by the store's first opening). */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

/** A fresh schema name in `baseUrl` (its prefix says who made it: tests, benchmarks), and its removal. */
export function newTestSchema(baseUrl = TEST_DATABASE_URL, prefix = 'mcrit_test'): TestSchema {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    url: withSchema(baseUrl, schema),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A PostgreSQL storage on a fresh schema; `close` closes it and drops the schema. */
export async function openTempPgStorage(): Promise<{ storage: PgStorage; schema: TestSchema; close(): Promise<void> }> {
  const schema = newTestSchema();
  const storage = await PgStorage.open(schema.url, { poolSize: 4 });
  return {
    storage,
    schema,
    async close() {
      await storage.close();
      await schema.drop();
    },
  };
}
