import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MAX_IMAGE_SIZE } from '../../disassembly/types.js';
import type { JobEngine } from '../../jobs/engine.js';
import type { SampleStore } from '../../storage/sample-store.js';
import { checkBinaryUpload, parseAddress } from '../binary-upload.js';
import { parseBoolean } from '../query-values.js';
import { givenParameters, submitSample } from '../sample-submission.js';
import { AddBinaryQuery, Envelope, ErrorEnvelope, JobView } from '../schemas.js';

export interface BinarySampleRoutesOptions {
  engine: JobEngine;
  samples: SampleStore;
}

/** `POST /samples/binary`: a PE or ELF file (or a memory dump) as raw body, disassembled by an `addBinarySample` job. */
export const binarySampleRoutes: FastifyPluginAsyncTypebox<BinarySampleRoutesOptions> = async (app, { engine, samples }) => {
  // Whatever the client calls its body, it is the file's bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/samples/binary',
    {
      bodyLimit: MAX_IMAGE_SIZE,
      schema: {
        summary: 'Add a sample from a PE or ELF file (x86, x64) or a memory dump',
        description:
          'The body is the file. Its headers are checked here (400 saying what is wrong); an addBinarySample job ' +
          'then disassembles it in-process into an SMDA report and adds it (202 with the job). A sha256 already ' +
          'stored: 409 with the sample; being added by a queued or processing job: 409 with that job.',
        tags: ['samples'],
        querystring: AddBinaryQuery,
        response: { 202: Envelope(JobView), 400: ErrorEnvelope, 409: ErrorEnvelope, 413: ErrorEnvelope },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const isDump = parseBoolean(q.is_dump, false);
      const bitness = q.bitness === undefined ? undefined : (Number(q.bitness) as 32 | 64);
      const baseAddr = q.base_addr === undefined ? undefined : parseAddress("query parameter 'base_addr'", q.base_addr);
      const { body, baseAddrParameter } = checkBinaryUpload('POST /samples/binary', request.body as Buffer | undefined, { isDump, baseAddr, bitness });
      return submitSample(reply, {
        engine,
        samples,
        method: 'addBinarySample',
        sha256: createHash('sha256').update(body).digest('hex'),
        parameters: givenParameters({
          filename: q.filename,
          family: q.family,
          version: q.version,
          is_library: q.is_library === undefined ? undefined : parseBoolean(q.is_library, false),
          is_dump: isDump,
          base_addr: baseAddrParameter,
          bitness,
          username: request.headers.username as string | undefined,
        }),
        input: body,
        forceRecalculation: parseBoolean(q.force_recalculation, false),
      });
    },
  );
};
