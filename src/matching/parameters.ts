import { Type } from 'typebox';
import type { JobParameters } from '../jobs/types.js';
import { DEFAULT_MATCHING_PARAMETERS, type MatchingParameters } from './types.js';

/** The per-job parameters, under MCRIT's job parameter names. */
export const MATCHING_PARAMETERS = {
  minhash_threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  pichash_size: Type.Optional(Type.Integer({ minimum: 0 })),
  band_matches_required: Type.Optional(Type.Integer({ minimum: 0 })),
};

export function matchingParameters(parameters: JobParameters): MatchingParameters {
  const given = (name: string, fallback: number) => (typeof parameters[name] === 'number' ? (parameters[name] as number) : fallback);
  return {
    minhashThreshold: given('minhash_threshold', DEFAULT_MATCHING_PARAMETERS.minhashThreshold),
    picHashSize: given('pichash_size', DEFAULT_MATCHING_PARAMETERS.picHashSize),
    bandMatchesRequired: given('band_matches_required', DEFAULT_MATCHING_PARAMETERS.bandMatchesRequired),
  };
}
