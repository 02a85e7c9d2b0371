import type pg from 'pg';
import { checkOut } from './connection.js';
import { PG_MIGRATIONS } from './migrations.js';

/**
 * One advisory lock for the whole database (not per schema): the extension pg_trgm is shared by
 * all schemas, and two CREATE EXTENSION IF NOT EXISTS at once can still collide. Migrations are
 * short; stores of other schemas starting meanwhile wait a moment.
 */
const MIGRATION_LOCK = 0x6d63_7269_7400; // 'mcrit\0'

export interface MigrationReport {
  schema: string;
  applied: { version: number; name: string }[];
  current: number;
}

/**
 * Creates the schema if missing and applies the migrations not yet applied, each in its own
 * transaction, under a session advisory lock: any number of processes may start at once; the first
 * migrates, the others wait and then find nothing left to do.
 */
export async function migratePostgres(pool: pg.Pool, schema: string): Promise<MigrationReport> {
  const connection = await checkOut(pool);
  const client = connection.client;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM ${schema}.schema_migrations`);
      let current = Number(rows[0]!.version);
      const applied: MigrationReport['applied'] = [];
      for (const migration of PG_MIGRATIONS) {
        if (migration.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} (${migration.name}) of schema ${schema} failed: ${(error as Error).message}`);
        }
        current = migration.version;
        applied.push({ version: migration.version, name: migration.name });
      }
      return { schema, applied, current };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => connection.markBroken());
    }
  } finally {
    connection.release();
  }
}
