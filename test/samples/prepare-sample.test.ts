import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { checkReportHead, prepareSample } from '../../src/samples/prepare-sample.js';
import { parseJsonWithIntegerTokens, toLosslessJson } from '../../src/smda/lossless-json.js';
import { SmdaReportError } from '../../src/smda/smda-report-error.js';
import { FIXTURE_REPORTS, fixtureReport, fixtureText } from '../smda/fixtures.js';

const OPTIONS = { username: 'test', labelTimestamp: '2024-01-01T00:00:00' };
const losslessParse = (text: string) => toLosslessJson(parseJsonWithIntegerTokens(text)) as Record<string, any>;

test("each function's stored code is the report's function object with the PicHash in force", () => {
  for (const name of FIXTURE_REPORTS) {
    const report = losslessParse(fixtureText(name));
    for (const fn of prepareSample(fixtureText(name), OPTIONS).functions) {
      const stored = losslessParse(inflateRawSync(fn.xcfgDeflated).toString('utf8'));
      const original = report['xcfg'][fn.offset.toString()];
      assert.deepEqual(stored, { ...original, metadata: { ...original.metadata, pic_hash: fn.picHash } }, `${name} ${fn.offset}`);
    }
  }
});

test('checkReportHead validates everything but the functions, as the whole report is validated', () => {
  for (const name of FIXTURE_REPORTS) assert.deepEqual(checkReportHead(fixtureText(name)), { ...fixtureReport(name), functions: [] }, name);
  const report = JSON.parse(fixtureText('example_report_3'));
  (Object.values(report.xcfg)[0] as any).offset = 'not checked here';
  assert.equal(checkReportHead(JSON.stringify(report)).sha256, report.sha256);
  report.sha256 = 'abc';
  assert.throws(() => checkReportHead(JSON.stringify(report)), (error: unknown) => error instanceof SmdaReportError && /^sha256/.test(error.message));
});
