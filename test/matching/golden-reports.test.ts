/**
 * Our matching reports against MCRIT 1.6.2's (fixtures/golden/matching_*.golden.json): the same
 * collection, built in the same order, gives the same reports, literal by literal (floats as floats).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getMatchesForSample, getMatchesForSampleVs } from '../../src/methods/matching.js';
import { canonicalJsonText } from '../support/json-literals.js';
import { buildCollection, goldenCollection, runMatching, type Architecture, type TestCollection } from '../support/matching.js';

/** Our report text without what differs by run (the job's duration and timestamp; the golden ones had them removed). */
const withoutTimes = (text: string): string => text.replace(/"duration":[^,]+,"timestamp":"[^"]*",/, '');

for (const architecture of ['intel', 'aarch64', 'cil'] as Architecture[]) {
  describe(`${architecture}: reports equal MCRIT's`, () => {
    const { golden, text } = goldenCollection(architecture);
    let collection: TestCollection;
    before(async () => {
      collection = await buildCollection(golden.order, golden.families);
      assert.deepEqual(Object.fromEntries(collection.sampleIds), golden.sample_ids, 'ids are assigned as MCRIT assigned them');
    });
    after(() => collection.close());

    for (const name of Object.keys(golden.reports)) {
      test(name, async () => {
        const [kind, a, b] = name.split(':') as [string, string, string | undefined];
        const ours =
          kind === 'sample'
            ? await runMatching(getMatchesForSample, collection, { sample_id: collection.sampleIds.get(a)! })
            : await runMatching(getMatchesForSampleVs, collection, { sample_id: collection.sampleIds.get(a)!, other_sample_id: collection.sampleIds.get(b!)! });
        assert.deepStrictEqual(JSON.parse(withoutTimes(ours)), golden.reports[name]);
        // Literal equality: MCRIT's floats (100.0, 0.0) and untouched integer sums (0) as MCRIT writes them.
        assert.equal(canonicalJsonText(withoutTimes(ours)), canonicalJsonText(goldenReportText(text, name)));
      });
    }
  });
}

/** The golden report's own text (number literals as MCRIT wrote them), cut from the file. */
function goldenReportText(fileText: string, name: string): string {
  const canonical = canonicalJsonText(fileText);
  const start = canonical.indexOf(`${JSON.stringify(name)}:`) + JSON.stringify(name).length + 1;
  let depth = 0;
  for (let i = start; i < canonical.length; i++) {
    const char = canonical[i];
    if (char === '"') {
      i++;
      while (canonical[i] !== '"') i += canonical[i] === '\\' ? 2 : 1;
    } else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return canonical.slice(start, i + 1);
    }
  }
  throw new Error(`no report ${name}`);
}
