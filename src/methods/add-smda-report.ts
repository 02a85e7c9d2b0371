import { Type } from 'typebox';
import type { JobMethod } from '../jobs/method.js';
import { prepareSample } from '../samples/prepare-sample.js';
import { sampleView } from '../samples/views.js';

/** UTC, YYYY-MM-DDTHH:MM:SS (label timestamps). */
const utcNow = () => new Date().toISOString().slice(0, 19);

/**
 * Adds an SMDA report (the job's input) to the collection: validates it, hashes every function as
 * MCRIT does, and stores sample, functions, band index and PicBlockHashes in one transaction with
 * the job's completion. A report whose sha256 is stored already is not added twice.
 */
export const addSmdaReport: JobMethod = {
  name: 'addSmdaReport',
  parameters: Type.Object(
    {
      family: Type.Optional(Type.String({ maxLength: 256 })),
      filename: Type.Optional(Type.String({ maxLength: 1024 })),
      version: Type.Optional(Type.String({ maxLength: 256 })),
      is_library: Type.Optional(Type.Boolean()),
      username: Type.Optional(Type.String({ maxLength: 256 })),
    },
    { additionalProperties: true },
  ),
  async run({ parameters, input, progress, commit }) {
    if (!input) throw new Error('addSmdaReport needs the report as its input');
    const sample = prepareSample(Buffer.from(input).toString('utf8'), {
      overrides: {
        family: parameters.family as string | undefined,
        filename: parameters.filename as string | undefined,
        version: parameters.version as string | undefined,
        isLibrary: parameters.is_library as boolean | undefined,
      },
      username: (parameters.username as string | undefined) ?? 'anonymous',
      labelTimestamp: utcNow(),
      onProgress: (fraction) => progress(fraction * 0.9),
    });
    return commit(async (samples) => {
      const { sample: stored, created } = await samples.addSample(sample);
      return { existed: !created, num_functions: sample.functions.length, sample: sampleView(stored) };
    });
  },
};
