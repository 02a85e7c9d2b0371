import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI_ENTRY, REPO_ROOT, tempDir } from '../support/harness.js';
import { newTestSchema } from '../support/postgres.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { PG_MIGRATIONS } from '../../src/storage/postgres/migrations.js';

const run = promisify(execFile);
const { DATABASE_URL: _ignored, ...env } = process.env;
const migrate = async (...args: string[]) =>
  (await run(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'migrate', ...args], { cwd: REPO_ROOT, env })).stdout.trim();

/** `1, 2, ...` and the last version of a migration list. */
const versions = (migrations: readonly { version: number }[]) => ({
  list: migrations.map((m) => m.version).join(', '),
  last: migrations[migrations.length - 1]!.version,
});

test('migrate applies the migrations once, on SQLite and on PostgreSQL (three processes at once)', async () => {
  const [sqlite, postgres] = [versions(MIGRATIONS), versions(PG_MIGRATIONS)];
  const dir = tempDir();
  const schema = newTestSchema();
  try {
    assert.ok((await migrate('--data-dir', dir.path)).endsWith(`mcrit.sqlite: applied migrations ${sqlite.list}; now at version ${sqlite.last}`));
    assert.ok((await migrate('--data-dir', dir.path)).endsWith(`up to date at version ${sqlite.last}`));
    const outputs = await Promise.all([1, 2, 3].map(() => migrate('--database', schema.url)));
    assert.deepEqual(
      outputs.map((o) => o.replace(/^PostgreSQL: /, '')).sort(),
      [`applied migrations ${postgres.list}; now at version ${postgres.last}`, `up to date at version ${postgres.last}`, `up to date at version ${postgres.last}`],
    );
    await assert.rejects(migrate('--database', 'mysql://x'), /not a PostgreSQL URL/);
  } finally {
    await schema.drop();
    dir.remove();
  }
});
