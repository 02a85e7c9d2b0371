import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { JobEngine } from '../../jobs/engine.js';
import type { JobParameters } from '../../jobs/types.js';
import { functionPairMatch } from '../../matching/function-pair.js';
import { MissingSampleError, runMatch, type MatchRun } from '../../matching/match-run.js';
import { matchingParameters } from '../../matching/parameters.js';
import { querySubject } from '../../matching/query-subject.js';
import { stringifyReport } from '../../matching/report.js';
import { hashFunction } from '../../minhash/hash-function.js';
import { prepareSample } from '../../samples/prepare-sample.js';
import { parseSmdaReport } from '../../smda/parse-report.js';
import { functionView, sampleView } from '../../samples/views.js';
import type { SampleStore } from '../../storage/sample-store.js';
import { HttpError } from '../errors.js';
import { asBadRequest, checkedReportBody, reportText } from '../report-body.js';
import { jobView } from '../job-view.js';
import { sendLossless } from '../lossless-reply.js';
import { parseBoolean } from '../query-values.js';
import {
  AnyData,
  CrossQuery,
  Envelope,
  ErrorEnvelope,
  FunctionIdParams,
  FunctionPairParams,
  JobView,
  MatchingQuery,
  SampleIdParams,
  SampleListParams,
  SamplePairParams,
} from '../schemas.js';

export interface MatchingRoutesOptions {
  engine: JobEngine;
  samples: SampleStore;
  /** Largest SMDA report accepted by POST /query. */
  maxReportBytes: number;
}

const errors = { 400: ErrorEnvelope, 404: ErrorEnvelope };
const queued = { 202: Envelope(JobView), ...errors };

type MatchingQueryValues = { minhash_score?: string; pichash_size?: string; band_matches_required?: string };

/** The job parameters of the matching query values given (MCRIT's `minhash_score` is the job's `minhash_threshold`). */
export function matchingJobParameters(query: MatchingQueryValues): JobParameters {
  const parameters: JobParameters = {};
  if (query.minhash_score !== undefined) parameters['minhash_threshold'] = Number(query.minhash_score);
  if (query.pichash_size !== undefined) parameters['pichash_size'] = Number(query.pichash_size);
  if (query.band_matches_required !== undefined) parameters['band_matches_required'] = Number(query.band_matches_required);
  if ((parameters['minhash_threshold'] as number) > 100) throw new HttpError(400, `invalid query parameter 'minhash_score': expected an integer from 0 to 100`);
  if ((parameters['band_matches_required'] as number) > 20) {
    throw new HttpError(400, `invalid query parameter 'band_matches_required': expected an integer from 0 to 20`);
  }
  return parameters;
}

/** A synchronous match run on the server's connection: a sample deleted meanwhile is a 409, not a 500. */
async function synchronousReport(samples: SampleStore, run: MatchRun, query: MatchingQueryValues): Promise<string> {
  try {
    return stringifyReport((await runMatch(samples, run, matchingParameters(matchingJobParameters(query)))).report);
  } catch (error) {
    if (error instanceof MissingSampleError) throw new HttpError(409, `the collection changed during the lookup (${error.message}); try again`);
    throw error;
  }
}

const sendText = (reply: import('fastify').FastifyReply, json: string) =>
  reply.type('application/json; charset=utf-8').send(`{"status":"successful","data":${json}}`);

/**
 * Matching: jobs for samples (against the collection, one other sample, a cross comparison) and
 * for reports that are not stored (queries); synchronous lookups for single functions.
 */
export const matchingRoutes: FastifyPluginAsyncTypebox<MatchingRoutesOptions> = async (app, { engine, samples, maxReportBytes }) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const submit = async (method: string, parameters: JobParameters, force: string | undefined, input?: Buffer) =>
    (await engine.submit({ method, parameters, input, forceRecalculation: parseBoolean(force, false) })).job;

  const requireSample = async (id: number) => {
    const sample = await samples.getSample(id);
    if (!sample) throw new HttpError(404, `no sample with id ${id}`);
    return sample;
  };

  app.get(
    '/matches/sample/:sample_id',
    {
      schema: {
        summary: 'Match a sample against the collection (job getMatchesForSample)',
        description: 'Answers 202 with the job; its result is the matching report (`compact=true` on the result drops `matches.functions`).',
        tags: ['matching'],
        params: SampleIdParams,
        querystring: MatchingQuery,
        response: queued,
      },
    },
    async (request, reply) => {
      const id = Number(request.params.sample_id);
      await requireSample(id);
      const job = await submit('getMatchesForSample', { sample_id: id, ...matchingJobParameters(request.query) }, request.query.force_recalculation);
      return sendLossless(reply, jobView(job), 202);
    },
  );

  app.get(
    '/matches/sample/:sample_id/:other_sample_id',
    {
      schema: {
        summary: 'Match a sample against one other sample (job getMatchesForSampleVs)',
        tags: ['matching'],
        params: SamplePairParams,
        querystring: MatchingQuery,
        response: queued,
      },
    },
    async (request, reply) => {
      const [id, other] = [Number(request.params.sample_id), Number(request.params.other_sample_id)];
      await requireSample(id);
      await requireSample(other);
      const parameters = { sample_id: id, other_sample_id: other, ...matchingJobParameters(request.query) };
      return sendLossless(reply, jobView(await submit('getMatchesForSampleVs', parameters, request.query.force_recalculation)), 202);
    },
  );

  app.get(
    '/matches/sample/cross/:sample_ids',
    {
      schema: {
        summary: 'Cross-compare samples (one matching job per sample, and combineMatchesToCross depending on them)',
        description:
          'Answers 202 with the combining job; its result holds, per byte measure, the matrix of match percentages and counts ' +
          'and the samples in clustered order. `sample_group_only=true` matches each sample against the listed samples only.',
        tags: ['matching'],
        params: SampleListParams,
        querystring: CrossQuery,
        response: queued,
      },
    },
    async (request, reply) => {
      const ids = [...new Set(request.params.sample_ids.split(',').map(Number))];
      if (ids.length < 2) throw new HttpError(400, 'a cross comparison needs at least two different sample ids');
      for (const id of ids) await requireSample(id);
      const groupOnly = parseBoolean(request.query.sample_group_only, false);
      const matching = matchingJobParameters(request.query);
      const children: Record<string, string> = {};
      for (const id of ids) {
        const child = groupOnly
          ? await submit('getMatchesForSampleVsGroup', { sample_id: id, other_sample_ids: ids.filter((other) => other !== id), ...matching }, request.query.force_recalculation)
          : await submit('getMatchesForSample', { sample_id: id, ...matching }, request.query.force_recalculation);
        children[String(id)] = child.id;
      }
      const parent = await engine.submit({
        method: 'combineMatchesToCross',
        parameters: { jobs: children },
        dependsOn: Object.values(children),
        forceRecalculation: parseBoolean(request.query.force_recalculation, false),
      });
      return sendLossless(reply, jobView(parent.job), 202);
    },
  );

  app.get(
    '/matches/function/:function_id/:other_function_id',
    {
      schema: {
        summary: 'Compare two stored functions',
        description: 'Both functions and samples, and the match of A to B: `[family_id, sample_id, function_id, score, flags]` (score null when either has no MinHash).',
        tags: ['matching'],
        params: FunctionPairParams,
        querystring: MatchingQuery,
        response: { 200: Envelope(AnyData), ...errors },
      },
    },
    async (request, reply) => {
      const [a, b] = await Promise.all([request.params.function_id, request.params.other_function_id].map((id) => samples.getFunction(Number(id))));
      if (!a) throw new HttpError(404, `no function with id ${request.params.function_id}`);
      if (!b) throw new HttpError(404, `no function with id ${request.params.other_function_id}`);
      const [sampleA, sampleB] = [await requireSample(a.sampleId), await requireSample(b.sampleId)];
      const threshold = matchingParameters(matchingJobParameters(request.query)).minhashThreshold;
      const xcfg = async (id: number) => JSON.parse((await samples.getFunctionXcfg(id)) ?? 'null');
      return sendLossless(reply, {
        function_entry_a: functionView(a, await xcfg(a.id)),
        function_entry_b: functionView(b, await xcfg(b.id)),
        sample_entry_a: sampleView(sampleA),
        sample_entry_b: sampleView(sampleB),
        match_entry: functionPairMatch(a, b, sampleB, threshold),
      });
    },
  );

  app.get(
    '/matches/function/:function_id',
    {
      schema: {
        summary: 'Match one stored function against the collection',
        description: 'A matching report (type `matcher_function`) with this function as the only own function; matches within its own sample are counted, not listed.',
        tags: ['matching'],
        params: FunctionIdParams,
        querystring: MatchingQuery,
        response: { 200: Envelope(AnyData), ...errors },
      },
    },
    async (request, reply) => {
      const id = Number(request.params.function_id);
      const [own] = (await samples.matchableFunctions((await samples.getFunction(id))?.sampleId ?? -1)).filter((fn) => fn.id === id);
      if (!own) throw new HttpError(404, `no function with id ${id}`);
      const ownSample = await requireSample(own.sampleId);
      const run: MatchRun = {
        type: 'matcher_function',
        label: `getMatchesForFunction(${id})`,
        ownSample,
        subject: { ownSampleId: ownSample.id, ownFamilyId: ownSample.familyId, ownFunctions: [own] },
      };
      return sendText(reply, await synchronousReport(samples, run, request.query));
    },
  );

  app.post(
    '/query',
    {
      bodyLimit: maxReportBytes,
      schema: {
        summary: 'Match an SMDA report against the collection without storing it (job getMatchesForSmdaReport)',
        description:
          'Checks the report as POST /samples does (400 naming the first bad field) and answers 202 with the job, which validates ' +
          'the functions (a bad one fails the job, naming the field). The query sample has id -1, its functions -1, -2, ...',
        tags: ['matching'],
        querystring: MatchingQuery,
        response: { ...queued, 413: ErrorEnvelope },
      },
    },
    async (request, reply) => {
      const body = request.body as Buffer;
      checkedReportBody(body, 'POST /query');
      const job = await submit('getMatchesForSmdaReport', matchingJobParameters(request.query), request.query.force_recalculation, body);
      return sendLossless(reply, jobView(job), 202);
    },
  );

  app.post(
    '/query/function',
    {
      bodyLimit: maxReportBytes,
      schema: {
        summary: 'Match the one function of an SMDA report against the collection (synchronous)',
        description: 'The report must hold exactly one function; the answer is a matching report of type `matcher_query_function` (sample and function id -1).',
        tags: ['matching'],
        querystring: MatchingQuery,
        response: { 200: Envelope(AnyData), 400: ErrorEnvelope, 409: ErrorEnvelope, 413: ErrorEnvelope },
      },
    },
    async (request, reply) => {
      const text = reportText(request.body as Buffer | undefined, 'POST /query/function');
      const report = asBadRequest(() => parseSmdaReport(text));
      if (report.functions.length !== 1) throw new HttpError(400, `POST /query/function needs a report with exactly one function, not ${report.functions.length}`);
      const sample = prepareSample(text, { username: 'query', labelTimestamp: '' });
      const { ownSample, subject } = querySubject(sample);
      // A single-function query hashes the report's function directly (MCRIT's report path).
      const own = { ...subject.ownFunctions[0]!, signature: hashFunction(report, report.functions[0]!, { path: 'report' }).minhash };
      const run: MatchRun = {
        type: 'matcher_query_function',
        label: `getMatchesForSmdaFunction(${sample.sha256.slice(0, 8)}@0x${own.offset.toString(16)})`,
        ownSample,
        subject: { ...subject, ownFunctions: [own] },
      };
      return sendText(reply, await synchronousReport(samples, run, request.query));
    },
  );
};
