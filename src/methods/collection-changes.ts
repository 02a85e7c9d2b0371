import { Type } from 'typebox';
import type { JobMethod } from '../jobs/method.js';
import type { DeletionCounts } from '../samples/types.js';
import { sampleView } from '../samples/views.js';

/**
 * Jobs that change the collection: each writes in one transaction with its completion
 * (`context.commit`), so a deletion is never half done and never done by a deleted job.
 */

const deletedCounts = (counts: DeletionCounts) => ({
  num_samples_deleted: counts.numSamples,
  num_functions_deleted: counts.numFunctions,
  num_band_entries_deleted: counts.numBandEntries,
});

/** Deletes a sample with its functions, band index and PicBlockHash entries and labels. */
export const deleteSample: JobMethod = {
  name: 'deleteSample',
  parameters: Type.Object({ sample_id: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  run: ({ parameters, commit }) =>
    commit(async (samples) => {
      const id = parameters.sample_id as number;
      const outcome = await samples.deleteSample(id);
      // Deleted meanwhile (the route checked that it existed), e.g. with its family.
      if (!outcome) return { deleted: false, sample_id: id, message: `no sample with id ${id}` };
      return { deleted: true, sample: sampleView(outcome.sample), ...deletedCounts(outcome.deleted) };
    }),
};

/** Deletes a family with its samples, or moves them to family 0 (`keep_samples`). */
export const deleteFamily: JobMethod = {
  name: 'deleteFamily',
  parameters: Type.Object(
    { family_id: Type.Integer({ minimum: 1 }), keep_samples: Type.Boolean() },
    { additionalProperties: false },
  ),
  run: ({ parameters, commit }) =>
    commit(async (samples) => {
      const id = parameters.family_id as number;
      const keepSamples = parameters.keep_samples as boolean;
      const outcome = await samples.deleteFamily(id, keepSamples);
      if (!outcome) return { deleted: false, family_id: id, message: `no family with id ${id}` };
      return {
        deleted: true,
        family_id: id,
        family_name: outcome.name,
        keep_samples: keepSamples,
        num_samples_moved: outcome.numSamplesMoved,
        ...deletedCounts(outcome),
      };
    }),
};

/** Rebuilds the band index from the stored signatures. */
export const rebuildIndex: JobMethod = {
  name: 'rebuildIndex',
  parameters: Type.Object({}, { additionalProperties: false }),
  run: ({ progress, commit }) =>
    commit(async (samples) => {
      const rebuilt = await samples.rebuildBandIndex(progress);
      return { minhash_functions_indexed: rebuilt.numFunctions, num_band_entries: rebuilt.numBandEntries };
    }),
};
