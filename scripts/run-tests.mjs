#!/usr/bin/env node
// Runs every test file under test/ with node:test (Node 20 does not expand globs itself), then the
// suites that exercise the service through its storage interface (the HTTP API) once more on
// PostgreSQL (MCRIT_TEST_STORE=postgres; each test service in a schema of its own).
// Usage: npm test [-- file-or-substring ...]; a substring also selects a pass by name:
// `npm test -- postgres` runs the PostgreSQL pass and the files named after PostgreSQL.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** Test folders whose files run on both stores. */
const BOTH_STORES = ['test/http/', 'test/chaos/kill-worker.test.ts'];

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return path.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const all = find('test').sort();
const passes = [
  { name: 'sqlite', env: {}, files: all },
  { name: 'postgres', env: { MCRIT_TEST_STORE: 'postgres' }, files: all.filter((f) => BOTH_STORES.some((dir) => f.startsWith(dir))) },
];
const selected = passes
  .map((pass) => ({
    ...pass,
    files: pass.files.filter((file) => filters.length === 0 || filters.some((f) => `${pass.name}:${file}`.includes(f))),
  }))
  .filter((pass) => pass.files.length > 0);
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
let status = 0;
for (const pass of selected) {
  if (selected.length > 1 || pass.name !== 'sqlite') console.log(`# ${pass.name} pass: ${pass.files.length} file(s)`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...pass.files], {
    stdio: 'inherit',
    env: { ...process.env, ...pass.env },
  });
  if (result.status !== 0) status = result.status ?? 1;
}
process.exit(status);
