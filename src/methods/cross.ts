import { Type } from 'typebox';
import type { JobMethod } from '../jobs/method.js';
import { crossCompare, type CrossInput } from '../matching/cross.js';

/**
 * The parent job of a cross comparison: runs once its child matching jobs have ended (each job id
 * under its sample id) and combines their reports; a child without a result fails it.
 */
export const combineMatchesToCross: JobMethod = {
  name: 'combineMatchesToCross',
  parameters: Type.Object(
    { jobs: Type.Record(Type.String({ pattern: '^[0-9]{1,15}$' }), Type.String({ pattern: '^[0-9a-f]{24}$' }), { minProperties: 1 }) },
    { additionalProperties: false },
  ),
  run: async ({ parameters, jobResult, progress }) => {
    const jobs = Object.entries(parameters.jobs as Record<string, string>);
    const reports = new Map<number, CrossInput>();
    for (const [i, [sampleId, jobId]] of jobs.entries()) {
      const report = (await jobResult(jobId)) as CrossInput | undefined;
      if (!report?.matches) throw new Error(`Cannot evaluate Cross Compare. A child job failed: job ${jobId} (sample ${sampleId}) has no result`);
      reports.set(Number(sampleId), report);
      progress((i + 1) / jobs.length);
    }
    return crossCompare(reports);
  },
};
