import { Type } from 'typebox';
import type { JobMethod } from '../../src/jobs/method.js';

/**
 * Extra job methods for the HTTP conformance tests (test/http): methods named like MCRIT's matching
 * methods (they replace the real ones in these tests), and one that is not a matching method but
 * returns the same shape, to check that `compact=true` drops `matches.functions` exactly for the
 * methods that declare matching reports.
 */

/** The result every method of this module returns; the tests compare against this literal. */
export function matchingShapedResult(tag: string) {
  return {
    info: { job: tag, when: '2024-01-15T10:30:00' },
    matches: {
      aggregation: { sample_matches: 1, function_matches: 2 },
      functions: [
        [1, 2, 3, 99.5, 0],
        [4, 5, 6, 80, 1],
      ],
      samples: [{ sample_id: 2, matched_bytes: 1234 }],
    },
    functions_outside_matches: { functions: ['kept'] },
  };
}

const parameters = Type.Object({}, { additionalProperties: true });

function shaped(name: string, matchingReport: boolean): JobMethod {
  return { name, parameters, matchingReport, run: () => matchingShapedResult(name) };
}

export default [shaped('getMatchesForSample', true), shaped('getMatchesForSampleVs', true), shaped('getMatchesForCross', false)];
