import type { FastifyReply } from 'fastify';
import type { JobEngine } from '../jobs/engine.js';
import type { JobParameters } from '../jobs/types.js';
import { sampleView } from '../samples/views.js';
import type { SampleStore } from '../storage/sample-store.js';
import { jobView } from './job-view.js';
import { sendLossless, sendLosslessFailure } from './lossless-reply.js';

export interface SampleSubmission {
  engine: JobEngine;
  samples: SampleStore;
  /** The job method that adds the sample (`addSmdaReport`, `addBinarySample`). */
  method: string;
  sha256: string;
  parameters: JobParameters;
  input: Uint8Array;
  forceRecalculation: boolean;
}

/**
 * Queues the job that adds a sample: 202 with the job; 409 with the sample if its sha256 is stored,
 * or with the job that is adding it right now.
 */
export async function submitSample(reply: FastifyReply, submission: SampleSubmission) {
  const { engine, samples, method, sha256, parameters, input } = submission;
  const stored = await samples.getSampleBySha256(sha256);
  if (stored) {
    return sendLosslessFailure(reply, 409, {
      message: `a sample with sha256 ${sha256} is stored already: sample ${stored.id}`,
      sample: sampleView(stored),
    });
  }
  const submit = (forceRecalculation: boolean) => engine.submit({ method, parameters: parameters as never, input, forceRecalculation });
  let outcome = await submit(submission.forceRecalculation);
  if (!outcome.created && (outcome.job.state === 'queued' || outcome.job.state === 'processing')) {
    return sendLosslessFailure(reply, 409, {
      message: `the sample with sha256 ${sha256} is being added by job ${outcome.job.id} (${outcome.job.state})`,
      job: jobView(outcome.job),
    });
  }
  // An equal job that ended earlier did not leave this sample stored (it failed, or the sample was deleted since).
  if (!outcome.created) outcome = await submit(true);
  return sendLossless(reply, jobView(outcome.job), 202);
}

/** Query values that were given, as job parameters. */
export function givenParameters(values: Record<string, string | number | boolean | undefined>): JobParameters {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as JobParameters;
}
