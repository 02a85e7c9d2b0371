import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI_ENTRY, REPO_ROOT, startTestService, tempDir } from '../support/harness.js';
import { call, collectionStatus, ingest, UNIQUE_REPORTS } from '../support/collection.js';
import { newTestSchema } from '../support/postgres.js';

const run = promisify(execFile);
const { DATABASE_URL: _ignored, ...env } = process.env;
const runCli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], { cwd: REPO_ROOT, env: { ...env, ...extraEnv } });
const cli = async (...args: string[]) => (await runCli(args)).stdout.trim();

/**
 * What the API shows of every sample and its functions, ids aside (they are the target's). The
 * functions' code is compared through the files: an export of the copy equals the original export.
 */
async function collectionView(url: string): Promise<unknown[]> {
  const service = { url } as Parameters<typeof call>[0];
  const samples = Object.values((await call(service, 'GET', '/samples')).body.data) as Record<string, unknown>[];
  const view = [];
  for (const sample of samples.sort((a, b) => String(a.sha256).localeCompare(String(b.sha256)))) {
    const functions = Object.values((await call(service, 'GET', `/samples/${sample.sample_id}/functions`)).body.data) as Record<string, unknown>[];
    const { sample_id: _id, family_id: _fid, ...rest } = sample;
    view.push({
      sample: rest,
      functions: functions.map(({ function_id: _f, sample_id: _s, family_id: _fa, ...fn }) => fn).sort((a, b) => String(a.offset).localeCompare(String(b.offset))),
    });
  }
  return view;
}

test('export from SQLite, import into PostgreSQL: the same samples, functions, hashes, labels and code; a second import skips them', async (t) => {
  const dir = tempDir();
  const schema = newTestSchema();
  const source = await startTestService({ workers: 1 }, { store: 'sqlite' });
  try {
    for (const name of UNIQUE_REPORTS) await ingest(source, name);
    const file = join(dir.path, 'collection.jsonl');
    assert.match(await cli('export', '--data-dir', source.dataDir, '--out', file), new RegExp(`^exported ${UNIQUE_REPORTS.length} samples with \\d+ functions`));
    // Progress bars go to stderr (drawn on a terminal; MCRIT_PROGRESS=1 here), the summary to stdout.
    const imported = await runCli(['import', '--database', schema.url, '--in', file], { MCRIT_PROGRESS: '1' });
    assert.match(imported.stdout.trim(), new RegExp(`^imported ${UNIQUE_REPORTS.length} samples with \\d+ functions; skipped 0 already stored$`));
    assert.match(imported.stderr, new RegExp(`importing \\[#{30}\\] 100% ${UNIQUE_REPORTS.length} samples`));
    assert.match(await cli('import', '--database', schema.url, '--in', file), new RegExp(`^imported 0 samples with 0 functions; skipped ${UNIQUE_REPORTS.length}`));

    const target = await startTestService({ workers: 0, database: schema.url }, { store: 'sqlite' });
    try {
      const { storage_type: copied, ...copyCounts } = await collectionStatus(target);
      const { storage_type: original, ...counts } = await collectionStatus(source);
      assert.deepEqual([original, copied], ['sqlite', 'postgres']);
      assert.deepEqual(copyCounts, counts, 'the same counts, band index entries included');
      assert.deepEqual(await collectionView(target.url), await collectionView(source.url));
      // And back: an export of the copy is the same file.
      const again = join(dir.path, 'again.jsonl');
      const exported = await runCli(['export', '--database', schema.url, '--out', again], { MCRIT_PROGRESS: '1' });
      assert.match(exported.stderr, new RegExp(`exporting \\[#{30}\\] 100% ${UNIQUE_REPORTS.length} samples\\x1b\\[K\\n$`));
      assert.equal(readFileSync(again, 'utf8'), readFileSync(file, 'utf8'));
    } finally {
      await target.close();
    }
    t.diagnostic(imported.stdout);
    await assert.rejects(cli('import', '--database', schema.url, '--in', join(REPO_ROOT, 'package.json')), /not a mcrit-ts-collection|Unexpected|JSON/);
  } finally {
    await source.close();
    await schema.drop();
    dir.remove();
  }
});
