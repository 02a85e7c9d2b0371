import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { JobEngine } from '../../jobs/engine.js';
import type { JobParameters } from '../../jobs/types.js';
import { familyView, sampleView } from '../../samples/views.js';
import type { SampleStore } from '../../storage/sample-store.js';
import { HttpError } from '../errors.js';
import { acceptJsonAndFormBodies } from '../form-body.js';
import { jobView } from '../job-view.js';
import { sendLossless } from '../lossless-reply.js';
import { parseBoolean } from '../query-values.js';
import {
  AnyData,
  DeleteFamilyQuery,
  Envelope,
  ErrorEnvelope,
  FAMILY_CHANGE_FIELDS,
  FamilyChangesBody,
  FamilyIdParams,
  JobView,
  SAMPLE_CHANGE_FIELDS,
  SampleChangesBody,
  SampleIdParams,
} from '../schemas.js';

export interface CollectionChangeRoutesOptions {
  engine: JobEngine;
  samples: SampleStore;
}

const errors = { 400: ErrorEnvelope, 404: ErrorEnvelope, 415: ErrorEnvelope };
const queued = { 202: Envelope(JobView), ...errors };
/** Change bodies are a few short fields. */
const CHANGE_BODY_LIMIT = 16 * 1024;

/** Schemas check the values; this refuses fields the route does not know and an empty change. */
function checkFields(body: object, fields: readonly string[]): void {
  const names = Object.keys(body);
  const expected = `expected ${fields.join(', ')}`;
  const unknown = names.find((name) => !fields.includes(name));
  if (unknown !== undefined) throw new HttpError(400, `unknown body field '${unknown}': ${expected}`);
  if (names.length === 0) throw new HttpError(400, `nothing to change: ${expected}`);
}

/** A body boolean: JSON true/false or 1/0, or text in any case (already checked against its schema). */
function toBoolean(value: boolean | number | string | undefined): boolean | undefined {
  return typeof value === 'string' ? parseBoolean(value, false) : value === undefined ? undefined : Boolean(value);
}

/**
 * Changes to the collection: sample and family changes are short transactions answered at once
 * (200 with the changed entity); deletions and the band index rebuild are jobs (202 with the job).
 */
export const collectionChangeRoutes: FastifyPluginAsyncTypebox<CollectionChangeRoutesOptions> = async (app, { engine, samples }) => {
  acceptJsonAndFormBodies(app);

  /**
   * Deletions are de-duplicated: a second DELETE while the first is queued or processing gets the
   * same job. An equal finished job cannot exist for a stored entity: ids are never reused.
   */
  const submit = async (method: string, parameters: JobParameters, forceRecalculation = false) =>
    jobView((await engine.submit({ method, parameters, forceRecalculation })).job);

  app.put(
    '/samples/:sample_id',
    {
      bodyLimit: CHANGE_BODY_LIMIT,
      schema: {
        summary: "Change a sample's family, version, component or library flag",
        description: 'A new family name files the sample under that family (created when new). Answers the changed sample.',
        tags: ['samples'],
        params: SampleIdParams,
        body: SampleChangesBody,
        response: { 200: Envelope(AnyData), ...errors },
      },
    },
    async (request, reply) => {
      const id = Number(request.params.sample_id);
      const body = request.body;
      checkFields(body, SAMPLE_CHANGE_FIELDS);
      const sample = await samples.modifySample(id, {
        family: body.family_name,
        version: body.version,
        component: body.component,
        isLibrary: toBoolean(body.is_library),
      });
      if (!sample) throw new HttpError(404, `no sample with id ${id}`);
      return sendLossless(reply, sampleView(sample));
    },
  );

  app.delete(
    '/samples/:sample_id',
    {
      schema: {
        summary: 'Delete a sample',
        description: 'Queues a deleteSample job (202 with the job): the sample, its functions and their index entries go in one transaction.',
        tags: ['samples'],
        params: SampleIdParams,
        response: queued,
      },
    },
    async (request, reply) => {
      const id = Number(request.params.sample_id);
      if (!(await samples.getSample(id))) throw new HttpError(404, `no sample with id ${id}`);
      return sendLossless(reply, await submit('deleteSample', { sample_id: id }), 202);
    },
  );

  app.put(
    '/families/:family_id',
    {
      bodyLimit: CHANGE_BODY_LIMIT,
      schema: {
        summary: 'Rename a family, or set the library flag of its samples',
        description:
          'Renaming to the name of another family merges: the samples move to that family and this one is deleted. ' +
          'Answers the family holding the samples afterwards. Family 0 (the unnamed family) keeps its empty name.',
        tags: ['families'],
        params: FamilyIdParams,
        body: FamilyChangesBody,
        response: { 200: Envelope(AnyData), ...errors },
      },
    },
    async (request, reply) => {
      const id = Number(request.params.family_id);
      const body = request.body;
      checkFields(body, FAMILY_CHANGE_FIELDS);
      if (id === 0 && body.family_name) {
        throw new HttpError(400, "invalid body field 'family_name': family 0, the unnamed family, keeps its empty name");
      }
      const family = await samples.modifyFamily(id, { name: body.family_name, isLibrary: toBoolean(body.is_library) });
      if (!family) throw new HttpError(404, `no family with id ${id}`);
      return sendLossless(reply, familyView(family));
    },
  );

  app.delete(
    '/families/:family_id',
    {
      schema: {
        summary: 'Delete a family',
        description:
          'Queues a deleteFamily job (202 with the job) that deletes the family with its samples, or moves them to family 0 ' +
          'with keep_samples=true. Family 0 (the unnamed family) is never deleted.',
        tags: ['families'],
        params: FamilyIdParams,
        querystring: DeleteFamilyQuery,
        response: queued,
      },
    },
    async (request, reply) => {
      const id = Number(request.params.family_id);
      if (id === 0) throw new HttpError(400, "invalid path parameter 'family_id': family 0, the unnamed family, is never deleted");
      if (!(await samples.getFamily(id))) throw new HttpError(404, `no family with id ${id}`);
      const keepSamples = parseBoolean(request.query.keep_samples, false);
      return sendLossless(reply, await submit('deleteFamily', { family_id: id, keep_samples: keepSamples }), 202);
    },
  );

  app.get(
    '/rebuild_index',
    {
      schema: {
        summary: 'Rebuild the band index from the stored signatures',
        description: 'Queues a rebuildIndex job (202 with the job); never de-duplicated.',
        tags: ['status'],
        response: { 202: Envelope(JobView) },
      },
    },
    async (_request, reply) => sendLossless(reply, await submit('rebuildIndex', {}, true), 202),
  );
};
