import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MAX_IMAGE_SIZE } from '../../disassembly/types.js';
import type { JobEngine } from '../../jobs/engine.js';
import { checkBinaryUpload, parseAddress } from '../binary-upload.js';
import { jobView } from '../job-view.js';
import { sendLossless } from '../lossless-reply.js';
import { parseBoolean } from '../query-values.js';
import { BaseAddrParams, BinaryQueryQuery, Envelope, ErrorEnvelope, JobView } from '../schemas.js';
import { matchingJobParameters } from './matching.js';

/** Binaries matched without being stored: disassembled in-process by the query job. */
export const binaryQueryRoutes: FastifyPluginAsyncTypebox<{ engine: JobEngine }> = async (app, { engine }) => {
  // Whatever the client calls its body, it is the file's bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  const response = { 202: Envelope(JobView), 400: ErrorEnvelope, 413: ErrorEnvelope };

  app.post(
    '/query/binary',
    {
      bodyLimit: MAX_IMAGE_SIZE,
      schema: {
        summary: 'Match a PE or ELF file against the collection without storing it (job getMatchesForUnmappedBinary)',
        description: 'Headers checked here (400 saying what is wrong); the job disassembles the file and answers with a matching report (type matcher_query).',
        tags: ['matching'],
        querystring: BinaryQueryQuery,
        response,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const bitness = q.bitness === undefined ? undefined : (Number(q.bitness) as 32 | 64);
      const { body } = checkBinaryUpload('POST /query/binary', request.body as Buffer | undefined, { bitness });
      const parameters = { ...matchingJobParameters(q), ...(bitness && { bitness }) };
      const { job } = await engine.submit({ method: 'getMatchesForUnmappedBinary', parameters, input: body, forceRecalculation: parseBoolean(q.force_recalculation, false) });
      return sendLossless(reply, jobView(job), 202);
    },
  );

  app.post(
    '/query/binary/mapped/:base_addr',
    {
      bodyLimit: MAX_IMAGE_SIZE,
      schema: {
        summary: 'Match a memory image loaded at base_addr without storing it (job getMatchesForMappedBinary)',
        description: 'base_addr in decimal or 0x-hex. The job disassembles the image and answers with a matching report (type matcher_query).',
        tags: ['matching'],
        params: BaseAddrParams,
        querystring: BinaryQueryQuery,
        response,
      },
    },
    async (request, reply) => {
      const q = request.query;
      const bitness = q.bitness === undefined ? undefined : (Number(q.bitness) as 32 | 64);
      const baseAddr = parseAddress("path parameter 'base_addr'", request.params.base_addr);
      const upload = checkBinaryUpload('POST /query/binary/mapped', request.body as Buffer | undefined, { isDump: true, baseAddr, bitness });
      const parameters = { ...matchingJobParameters(q), base_addr: upload.baseAddrParameter!, ...(bitness && { bitness }) };
      const { job } = await engine.submit({ method: 'getMatchesForMappedBinary', parameters, input: upload.body, forceRecalculation: parseBoolean(q.force_recalculation, false) });
      return sendLossless(reply, jobView(job), 202);
    },
  );
};
