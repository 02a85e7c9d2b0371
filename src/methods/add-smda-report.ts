import { Type } from 'typebox';
import type { JobContext, JobMethod } from '../jobs/method.js';
import { prepareSample } from '../samples/prepare-sample.js';
import { sampleView } from '../samples/views.js';
import { BAD_INPUT_ERRORS } from './bad-input-errors.js';

/** UTC, YYYY-MM-DDTHH:MM:SS (label timestamps). */
const utcNow = () => new Date().toISOString().slice(0, 19);

/** Text the store keeps: bounded, and without U+0000 (PostgreSQL text cannot hold it; refused on both stores). */
const storedText = (maxLength: number) => Type.Optional(Type.String({ maxLength, pattern: '^[^\\u0000]*$' }));

/** What the submitter may set over the report's metadata, and who labels the functions. */
export const SAMPLE_PARAMETERS = {
  family: storedText(256),
  filename: storedText(1024),
  version: storedText(256),
  is_library: Type.Optional(Type.Boolean()),
  username: storedText(256),
};

/**
 * Hashes a report (JSON text) as MCRIT does and stores it with the job's completion, in one
 * transaction; progress runs from `progressFrom` to 0.9 while hashing.
 */
export function addReportText({ parameters, progress, commit }: JobContext, text: string, progressFrom = 0) {
  const sample = prepareSample(text, {
    overrides: {
      family: parameters['family'] as string | undefined,
      filename: parameters['filename'] as string | undefined,
      version: parameters['version'] as string | undefined,
      isLibrary: parameters['is_library'] as boolean | undefined,
    },
    username: (parameters['username'] as string | undefined) ?? 'anonymous',
    labelTimestamp: utcNow(),
    onProgress: (fraction) => progress(progressFrom + fraction * (0.9 - progressFrom)),
  });
  return commit(async (samples) => {
    const { sample: stored, created } = await samples.addSample(sample);
    return { existed: !created, num_functions: sample.functions.length, sample: sampleView(stored) };
  });
}

/**
 * Adds an SMDA report (the job's input) to the collection: validates it, hashes every function as
 * MCRIT does, and stores sample, functions, band index and PicBlockHashes in one transaction with
 * the job's completion. A report whose sha256 is stored already is not added twice.
 */
export const addSmdaReport: JobMethod = {
  name: 'addSmdaReport',
  permanentErrors: BAD_INPUT_ERRORS,
  parameters: Type.Object(SAMPLE_PARAMETERS, { additionalProperties: true }),
  async run(context) {
    if (!context.input) throw new Error('addSmdaReport needs the report as its input');
    return addReportText(context, Buffer.from(context.input).toString('utf8'));
  },
};
