import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { JobEngine } from '../../jobs/engine.js';
import type { JobState } from '../../jobs/types.js';
import { HttpError } from '../errors.js';
import { jobView } from '../job-view.js';
import { parseBoolean, parseDate, parseInteger } from '../query-values.js';
import { sendResult } from '../result-reply.js';
import {
  AnyData,
  BulkDeleteQuery,
  CompactQuery,
  Envelope,
  ErrorEnvelope,
  JobIdParams,
  JobView,
  ListJobsQuery,
  NumDeleted,
  StatsQuery,
  StatsView,
} from '../schemas.js';
import { Type } from 'typebox';

const errors = { 400: ErrorEnvelope, 404: ErrorEnvelope };

/** The Jobs API: list, stats, get, delete (one or many), result. */
export const jobRoutes: FastifyPluginAsyncTypebox<{ engine: JobEngine }> = async (app, { engine }) => {
  const { store } = engine;

  app.get(
    '/jobs',
    {
      schema: {
        summary: 'List jobs',
        description: 'Newest first unless ascending; filters apply before start/limit. Sends X-Total-Count.',
        tags: ['jobs'],
        querystring: ListJobsQuery,
        response: { 200: Envelope(Type.Array(JobView)), 400: ErrorEnvelope },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const state = q.state === 'in_progress' ? 'processing' : (q.state as JobState | undefined);
      const page = await store.listJobs({
        offset: parseInteger(q.start, 0),
        limit: parseInteger(q.limit, 0),
        order: parseBoolean(q.ascending, false) ? 'ascending' : 'descending',
        method: q.method,
        state,
        text: q.filter,
      });
      const now = Date.now();
      reply.header('X-Total-Count', String(page.total));
      return { status: 'successful' as const, data: page.jobs.map((job) => jobView(job, now)) };
    },
  );

  app.get(
    '/jobs/stats',
    {
      schema: {
        summary: 'Job statistics',
        description: 'Counts by state and by method, exact at every moment.',
        tags: ['jobs'],
        querystring: StatsQuery,
        response: { 200: Envelope(StatsView), 400: ErrorEnvelope },
      },
    },
    async (request) => ({
      status: 'successful' as const,
      data: await store.stats(parseBoolean(request.query.with_refresh, false)),
    }),
  );

  // `/jobs/stats` is never a job id, whatever the method: other methods get the unknown-route 404.
  app.route({
    method: ['DELETE', 'POST', 'PUT', 'PATCH'],
    url: '/jobs/stats',
    schema: { hide: true },
    handler: async (request) => {
      throw new HttpError(404, `no route ${request.method} /jobs/stats`);
    },
  });

  app.get(
    '/jobs/:job_id',
    {
      schema: {
        summary: 'Get a job',
        tags: ['jobs'],
        params: JobIdParams,
        response: { 200: Envelope(JobView), ...errors },
      },
    },
    async (request) => {
      const job = await store.getJob(request.params.job_id);
      if (!job) throw new HttpError(404, `no job with id ${request.params.job_id.toLowerCase()}`);
      return { status: 'successful' as const, data: jobView(job) };
    },
  );

  app.delete(
    '/jobs/:job_id',
    {
      schema: {
        summary: 'Delete a job',
        description: 'Deletes the job, its result and uploads no other job uses; a processing job is stopped first.',
        tags: ['jobs'],
        params: JobIdParams,
        response: { 200: Envelope(NumDeleted), ...errors },
      },
    },
    async (request) => {
      const deleted = await engine.deleteJob(request.params.job_id);
      if (deleted === 0) throw new HttpError(404, `no job with id ${request.params.job_id.toLowerCase()}`);
      return { status: 'successful' as const, data: { num_deleted: deleted } };
    },
  );

  app.delete(
    '/jobs',
    {
      schema: {
        summary: 'Delete jobs matching all given criteria',
        description: 'At least one of method, created_before, finished_before is required.',
        tags: ['jobs'],
        querystring: BulkDeleteQuery,
        response: { 200: Envelope(NumDeleted), 400: ErrorEnvelope },
      },
    },
    async (request) => {
      const q = request.query;
      const criteria = {
        method: q.method,
        createdBefore: parseDate('created_before', q.created_before),
        finishedBefore: parseDate('finished_before', q.finished_before),
      };
      if (Object.values(criteria).every((v) => v === undefined)) {
        throw new HttpError(400, 'DELETE /jobs needs at least one of the query parameters method, created_before, finished_before');
      }
      return { status: 'successful' as const, data: { num_deleted: await engine.deleteJobs(criteria) } };
    },
  );

  app.get(
    '/jobs/:job_id/result',
    {
      schema: {
        summary: "Get a job's result",
        tags: ['jobs'],
        params: JobIdParams,
        querystring: CompactQuery,
        response: { 200: Envelope(AnyData), ...errors },
      },
    },
    async (request, reply) => {
      const id = request.params.job_id.toLowerCase();
      const job = await store.getJob(id);
      if (!job) throw new HttpError(404, `no job with id ${id}`);
      const result = job.resultId ? await store.getResult(job.resultId) : undefined;
      if (!result) throw new HttpError(404, `job ${id} has no result: it is ${job.state}`);
      return sendResult(reply, result, parseBoolean(request.query.compact, false), engine.registry.producesMatchingReports(result.method));
    },
  );
};
