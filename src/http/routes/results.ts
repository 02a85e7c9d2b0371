import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MethodRegistry } from '../../jobs/registry.js';
import type { JobStore } from '../../storage/store.js';
import { HttpError } from '../errors.js';
import { jobView } from '../job-view.js';
import { parseBoolean } from '../query-values.js';
import { sendResult } from '../result-reply.js';
import { AnyData, CompactQuery, Envelope, ErrorEnvelope, JobView, ResultIdParams } from '../schemas.js';

const errors = { 400: ErrorEnvelope, 404: ErrorEnvelope };

/** Results by their own id, and the job that produced one. */
export const resultRoutes: FastifyPluginAsyncTypebox<{ store: JobStore; registry: MethodRegistry }> = async (app, { store, registry }) => {
  app.get(
    '/results/:result_id',
    {
      schema: {
        summary: 'Get a result',
        tags: ['results'],
        params: ResultIdParams,
        querystring: CompactQuery,
        response: { 200: Envelope(AnyData), ...errors },
      },
    },
    async (request, reply) => {
      const id = request.params.result_id.toLowerCase();
      const result = await store.getResult(id);
      if (!result) throw new HttpError(404, `no result with id ${id}`);
      return sendResult(reply, result, parseBoolean(request.query.compact, false), registry.producesMatchingReports(result.method));
    },
  );

  app.get(
    '/results/:result_id/job',
    {
      schema: {
        summary: 'Get the job that produced a result',
        tags: ['results'],
        params: ResultIdParams,
        response: { 200: Envelope(JobView), ...errors },
      },
    },
    async (request) => {
      const id = request.params.result_id.toLowerCase();
      const job = await store.getJobByResult(id);
      if (!job) throw new HttpError(404, `no result with id ${id}`);
      return { status: 'successful' as const, data: jobView(job) };
    },
  );
};
