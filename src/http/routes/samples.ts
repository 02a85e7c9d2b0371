import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { JobEngine } from '../../jobs/engine.js';
import { functionView, sampleView } from '../../samples/views.js';
import type { SampleStore } from '../../storage/sample-store.js';
import { HttpError } from '../errors.js';
import { checkedReportBody } from '../report-body.js';
import { sendLossless } from '../lossless-reply.js';
import { givenParameters, submitSample } from '../sample-submission.js';
import { parseBoolean, parseInteger } from '../query-values.js';
import { AddReportQuery, AnyData, Envelope, ErrorEnvelope, JobView, PagingQuery, SampleIdParams, Sha256Params } from '../schemas.js';

export interface SampleRoutesOptions {
  engine: JobEngine;
  samples: SampleStore;
  /** Largest SMDA report accepted by POST /samples. */
  maxReportBytes: number;
}

const errors = { 400: ErrorEnvelope, 404: ErrorEnvelope };

/** Samples: added from SMDA reports (as `addSmdaReport` jobs), listed, read. */
export const sampleRoutes: FastifyPluginAsyncTypebox<SampleRoutesOptions> = async (app, { engine, samples, maxReportBytes }) => {
  // Reports are kept as sent (their bytes are the job's input, stored once by sha256): no JSON parse here.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/samples',
    {
      bodyLimit: maxReportBytes,
      schema: {
        summary: 'Add a sample from its SMDA report',
        description:
          'Checks the report (400 naming the first bad field: malformed JSON structure, or a bad value outside its functions) ' +
          'and queues an addSmdaReport job (202 with the job), which validates the functions (a bad one fails the job, naming the field). ' +
          'A sha256 already stored: 409 with the sample; being added by a queued or processing job: 409 with that job.',
        tags: ['samples'],
        querystring: AddReportQuery,
        response: { 202: Envelope(JobView), 400: ErrorEnvelope, 409: ErrorEnvelope, 413: ErrorEnvelope },
      },
    },
    async (request, reply) => {
      const body = request.body as Buffer;
      const sha256 = checkedReportBody(body, 'POST /samples').head.sha256.toLowerCase();
      const q = request.query;
      return submitSample(reply, {
        engine,
        samples,
        method: 'addSmdaReport',
        sha256,
        parameters: givenParameters({
          family: q.family,
          filename: q.filename,
          version: q.version,
          is_library: q.is_library === undefined ? undefined : parseBoolean(q.is_library, false),
          username: request.headers.username as string | undefined,
        }),
        input: body,
        forceRecalculation: parseBoolean(q.force_recalculation, false),
      });
    },
  );

  app.get(
    '/samples',
    {
      schema: { summary: 'List samples', tags: ['samples'], querystring: PagingQuery, response: { 200: Envelope(AnyData), 400: ErrorEnvelope } },
    },
    async (request, reply) => {
      const list = await samples.listSamples(parseInteger(request.query.start, 0), parseInteger(request.query.limit, 0));
      return sendLossless(reply, Object.fromEntries(list.map((s) => [s.id, sampleView(s)])));
    },
  );

  app.get(
    '/samples/:sample_id',
    { schema: { summary: 'Get a sample', tags: ['samples'], params: SampleIdParams, response: { 200: Envelope(AnyData), ...errors } } },
    async (request, reply) => {
      const sample = await samples.getSample(Number(request.params.sample_id));
      if (!sample) throw new HttpError(404, `no sample with id ${request.params.sample_id}`);
      return sendLossless(reply, sampleView(sample));
    },
  );

  app.get(
    '/samples/sha256/:sample_sha256',
    {
      schema: { summary: 'Get a sample by sha256', tags: ['samples'], params: Sha256Params, response: { 200: Envelope(AnyData), ...errors } },
    },
    async (request, reply) => {
      const sha256 = request.params.sample_sha256.toLowerCase();
      const sample = await samples.getSampleBySha256(sha256);
      if (!sample) throw new HttpError(404, `no sample with sha256 ${sha256}`);
      return sendLossless(reply, sampleView(sample));
    },
  );

  app.get(
    '/samples/:sample_id/functions',
    {
      schema: {
        summary: 'The functions of a sample, by offset',
        tags: ['samples'],
        params: SampleIdParams,
        response: { 200: Envelope(AnyData), ...errors },
      },
    },
    async (request, reply) => {
      const id = Number(request.params.sample_id);
      if (!(await samples.getSample(id))) throw new HttpError(404, `no sample with id ${id}`);
      const functions = await samples.functionsOfSample(id);
      return sendLossless(reply, Object.fromEntries(functions.map((fn) => [fn.id, functionView(fn)])));
    },
  );
};
