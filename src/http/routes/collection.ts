import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseJsonWithIntegerTokens, toLosslessJson } from '../../smda/lossless-json.js';
import { familyView, functionView } from '../../samples/views.js';
import type { SampleStore } from '../../storage/sample-store.js';
import type { StorageLocation } from '../../storage/storage.js';
import { HttpError } from '../errors.js';
import { sendLossless } from '../lossless-reply.js';
import { parseBoolean, parseInteger } from '../query-values.js';
import {
  AnyData,
  Envelope,
  ErrorEnvelope,
  FamilyIdParams,
  FamilyQuery,
  FunctionIdParams,
  FunctionQuery,
  HashParams,
  PagingQuery,
} from '../schemas.js';

export interface CollectionRoutesOptions {
  samples: SampleStore;
  storageKind: StorageLocation['kind'];
  version: string;
}

const errors = { 400: ErrorEnvelope, 404: ErrorEnvelope };
const ok = { 200: Envelope(AnyData), ...errors };

/** Families, functions, the collection's status and the synchronous PicHash lookups. */
export const collectionRoutes: FastifyPluginAsyncTypebox<CollectionRoutesOptions> = async (app, { samples, storageKind, version }) => {
  app.get('/families', { schema: { summary: 'List families', tags: ['families'], querystring: PagingQuery, response: ok } }, async (request, reply) => {
    const families = await samples.listFamilies(parseInteger(request.query.start, 0), parseInteger(request.query.limit, 0));
    return sendLossless(reply, Object.fromEntries(families.map((f) => [f.id, familyView(f)])));
  });

  app.get(
    '/families/:family_id',
    { schema: { summary: 'Get a family', tags: ['families'], params: FamilyIdParams, querystring: FamilyQuery, response: ok } },
    async (request, reply) => {
      const id = Number(request.params.family_id);
      const family = await samples.getFamily(id);
      if (!family) throw new HttpError(404, `no family with id ${id}`);
      const withSamples = parseBoolean(request.query.with_samples, true);
      return sendLossless(reply, familyView(family, withSamples ? await samples.samplesOfFamily(id) : undefined));
    },
  );

  app.get(
    '/functions/:function_id',
    { schema: { summary: 'Get a function', tags: ['functions'], params: FunctionIdParams, querystring: FunctionQuery, response: ok } },
    async (request, reply) => {
      const id = Number(request.params.function_id);
      const fn = await samples.getFunction(id);
      if (!fn) throw new HttpError(404, `no function with id ${id}`);
      const xcfg = parseBoolean(request.query.with_xcfg, false) ? toLosslessJson(parseJsonWithIntegerTokens((await samples.getFunctionXcfg(id))!)) : null;
      return sendLossless(reply, functionView(fn, xcfg));
    },
  );

  app.get('/status', { schema: { summary: 'Counts of the collection', tags: ['status'], response: ok } }, async (_request, reply) => {
    const status = await samples.status();
    return sendLossless(reply, {
      status: {
        storage_type: storageKind,
        version,
        num_families: status.numFamilies,
        num_samples: status.numSamples,
        num_functions: status.numFunctions,
        num_pichashes: status.numPicHashes,
        num_band_entries: status.numBandEntries,
      },
    });
  });

  const pichash = (request: { params: { hash: string } }) => BigInt(`0x${request.params.hash}`);

  app.get(
    '/query/pichash/:hash',
    { schema: { summary: 'Functions with this PicHash: [family_id, sample_id, function_id]', tags: ['query'], params: HashParams, response: ok } },
    async (request, reply) => sendLossless(reply, await samples.picHashMatches(pichash(request))),
  );

  app.get(
    '/query/pichash/:hash/summary',
    { schema: { summary: 'How many families, samples and functions have this PicHash', tags: ['query'], params: HashParams, response: ok } },
    async (request, reply) => {
      const matches = await samples.picHashMatches(pichash(request));
      return sendLossless(reply, {
        families: new Set(matches.map((m) => m[0])).size,
        samples: new Set(matches.map((m) => m[1])).size,
        functions: matches.length,
      });
    },
  );

  app.get(
    '/query/picblockhash/:hash',
    {
      schema: {
        summary: 'Blocks with this PicBlockHash: [family_id, sample_id, function_id, offset]',
        tags: ['query'],
        params: HashParams,
        response: ok,
      },
    },
    async (request, reply) => sendLossless(reply, await samples.picBlockHashMatches(pichash(request))),
  );

  app.get(
    '/query/picblockhash/:hash/summary',
    {
      schema: { summary: 'How many families, samples, functions and blocks have this PicBlockHash', tags: ['query'], params: HashParams, response: ok },
    },
    async (request, reply) => {
      const matches = await samples.picBlockHashMatches(pichash(request));
      return sendLossless(reply, {
        families: new Set(matches.map((m) => m[0])).size,
        samples: new Set(matches.map((m) => m[1])).size,
        functions: new Set(matches.map((m) => m[2])).size,
        offsets: matches.length,
      });
    },
  );
};
