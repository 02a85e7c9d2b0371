import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI_ENTRY, REPO_ROOT, tempDir } from '../support/harness.js';
import { newTestSchema } from '../support/postgres.js';

const run = promisify(execFile);
const { DATABASE_URL: _ignored, ...env } = process.env;
const migrate = async (...args: string[]) =>
  (await run(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'migrate', ...args], { cwd: REPO_ROOT, env })).stdout.trim();

test('migrate applies the migrations once, on SQLite and on PostgreSQL (three processes at once)', async () => {
  const dir = tempDir();
  const schema = newTestSchema();
  try {
    assert.match(await migrate('--data-dir', dir.path), /mcrit\.sqlite: applied migrations 1, 2; now at version 2$/);
    assert.match(await migrate('--data-dir', dir.path), /up to date at version 2$/);
    const outputs = await Promise.all([1, 2, 3].map(() => migrate('--database', schema.url)));
    assert.deepEqual(
      outputs.map((o) => o.replace(/^PostgreSQL: /, '')).sort(),
      ['applied migrations 1, 2; now at version 2', 'up to date at version 2', 'up to date at version 2'],
    );
    await assert.rejects(migrate('--database', 'mysql://x'), /not a PostgreSQL URL/);
  } finally {
    await schema.drop();
    dir.remove();
  }
});
