/**
 * Batching bounds memory, not results (reference 6.7, MCRIT's PairBudgetBatchingTestSuite): every
 * pair budget and batch size gives the same report, and no batch exceeds its budget by more than the
 * last function added.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runMatch, storedSample, type MatchRun } from '../../src/matching/match-run.js';
import { stringifyReport } from '../../src/matching/report.js';
import { DEFAULT_MATCHING_BUDGET, DEFAULT_MATCHING_PARAMETERS, type MatchingBudget } from '../../src/matching/types.js';
import { buildCollection, goldenCollection, type TestCollection } from '../support/matching.js';

let collection: TestCollection;
before(async () => {
  const { golden } = goldenCollection('aarch64');
  collection = await buildCollection(golden.order, golden.families);
});
after(() => collection.close());

async function matchWith(budget: MatchingBudget) {
  const { samples } = collection.storage;
  const ownSample = await storedSample(samples, 1);
  const run: MatchRun = {
    type: 'matcher_sample',
    label: 'MatcherSample(1)',
    ownSample,
    subject: { ownSampleId: 1, ownFamilyId: ownSample.familyId, ownFunctions: await samples.matchableFunctions(1) },
  };
  const { report, stats } = await runMatch(samples, run, DEFAULT_MATCHING_PARAMETERS, () => {}, budget);
  return { matches: stringifyReport(report).replace(/"duration":[^,]+,"timestamp":"[^"]*",/, ''), stats };
}

test('every pair budget and batch size gives the same report', async () => {
  const reference = await matchWith(DEFAULT_MATCHING_BUDGET);
  assert.equal(reference.stats.batches, 1);
  assert.ok(reference.stats.scoredPairs > 100);
  for (const budget of [
    { maxPairs: 1, maxFunctions: 10_000 },
    { maxPairs: 50, maxFunctions: 10_000 },
    { maxPairs: 50_000_000, maxFunctions: 3 },
    { maxPairs: 1_000, maxFunctions: 1 },
  ]) {
    const batched = await matchWith(budget);
    assert.equal(batched.matches, reference.matches, JSON.stringify(budget));
    assert.equal(batched.stats.scoredPairs, reference.stats.scoredPairs);
    assert.ok(batched.stats.batches > 1, `${JSON.stringify(budget)}: ${batched.stats.batches} batches`);
  }
});
