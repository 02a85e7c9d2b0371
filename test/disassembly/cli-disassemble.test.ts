import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSmdaReport } from '../../src/smda/parse-report.js';
import { CLI_ENTRY, tempDir } from '../support/harness.js';
import { BINARIES_DIR } from './binaries.js';

/** `mcrit-ts disassemble FILE`: the report as JSON, or a message and exit code 1 for a file it cannot use. */

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'disassemble', ...args], { encoding: 'utf8' });

test('disassemble writes a valid report named after the file', () => {
  const dir = tempDir();
  try {
    const output = join(dir.path, 'report.json');
    const run = cli(join(BINARIES_DIR, 'pe64-O2.exe'), '-o', output);
    assert.equal(run.status, 0, run.stderr);
    const text = readFileSync(output, 'utf8');
    const report = parseSmdaReport(text);
    assert.equal(report.metadata.filename, 'pe64-O2.exe');
    assert.equal(report.baseAddr, 0x140000000n);
    assert.ok(report.functions.length > 100);
    assert.ok(text.startsWith('{\n "architecture": "intel"'), 'indented like SMDA');
  } finally {
    dir.remove();
  }
});

test('disassemble draws a progress bar on stderr when asked (a terminal, or MCRIT_PROGRESS=1), and nothing into a pipe', () => {
  const file = join(BINARIES_DIR, 'pe32-O2.exe');
  const shown = spawnSync(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'disassemble', file], { encoding: 'utf8', env: { ...process.env, MCRIT_PROGRESS: '1' } });
  assert.equal(shown.status, 0, shown.stderr);
  const functions = parseSmdaReport(shown.stdout).functions.length;
  const bar = (rest: string) => `\\rdisassembling pe32-O2\\.exe \\[${rest}\\x1b\\[K`;
  assert.match(shown.stderr, new RegExp(`^(${bar('[#-]{30}\\] +\\d+%')})*${bar(`#{30}\\] 100% ${functions} functions`)}\\n$`));
  const { MCRIT_PROGRESS: _unset, ...quiet } = process.env;
  assert.equal(spawnSync(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'disassemble', file], { encoding: 'utf8', env: quiet }).stderr, '');
});

test('disassemble refuses a file it cannot load, saying why', () => {
  const run = cli(join(BINARIES_DIR, 'src', 'toolkit.c'));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /toolkit\.c: unknown file format/);
  const dump = cli('--dump', join(BINARIES_DIR, 'elf64-O2'));
  assert.equal(dump.status, 1);
  assert.match(dump.stderr, /base address/);
});
