import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmdaReportError } from '../../src/smda/smda-report-error.js';
import { storedPicHashesAreCurrent } from '../../src/smda/smda-version.js';

test('stored PicHashes are current from 4.3.5 on Intel, 4.2.0 on AArch64, 4.3.8 on CIL', () => {
  const cases: [string, 'intel' | 'aarch64' | 'cil', boolean][] = [
    ['1.5.12', 'intel', false],
    ['4.3.4', 'intel', false],
    ['4.3.5', 'intel', true],
    ['4.4.4', 'intel', true],
    ['4.3', 'intel', false],
    ['5', 'intel', true],
    ['4.2.16', 'aarch64', true],
    ['4.2.0', 'aarch64', true],
    ['4.1.99', 'aarch64', false],
    ['4.2', 'aarch64', false],
    ['4.2.16', 'cil', false],
    ['4.3.8', 'cil', true],
    ['1.2.9', 'aarch64', false],
    ['v4.4.4', 'intel', true],
    ['MCRIT4IDA v1.1.0 4.3.6', 'intel', true],
    ['MCRIT4IDA v9.9.9 4.3.4', 'intel', false],
  ];
  for (const [version, architecture, current] of cases) {
    assert.equal(storedPicHashesAreCurrent(version, architecture), current, `${version} ${architecture}`);
  }
});

test('without a usable version the PicHash is recomputed', () => {
  for (const version of [null, '', 'dev', 'x4.4.4', 'vv4']) assert.equal(storedPicHashesAreCurrent(version, 'intel'), false, String(version));
});

test('a version that starts like a number but has non-integer parts aborts', () => {
  for (const version of ['4.2.12-dev', '4..4', '4.4.4rc1', '4-4']) {
    assert.throws(() => storedPicHashesAreCurrent(version, 'intel'), SmdaReportError, version);
  }
});
