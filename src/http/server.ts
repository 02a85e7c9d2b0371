import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { JobEngine } from '../jobs/engine.js';
import type { Storage } from '../storage/storage.js';
import { failure, formatValidationError, installErrorHandlers } from './errors.js';
import { jobRoutes } from './routes/jobs.js';
import { matchingRoutes } from './routes/matching.js';
import { binaryQueryRoutes } from './routes/binary-queries.js';
import { resultRoutes } from './routes/results.js';
import { sampleRoutes } from './routes/samples.js';
import { binarySampleRoutes } from './routes/binary-samples.js';
import { collectionRoutes } from './routes/collection.js';
import { collectionChangeRoutes } from './routes/collection-changes.js';

export interface HttpOptions {
  /** When set, every request needs header `apitoken: <token>` or `Authorization: Bearer <token>`. */
  apiToken?: string;
  /** Largest accepted request body (binaries and reports are large). */
  bodyLimitBytes: number;
  maxReportBytes: number;
  logRequests: boolean;
  version: string;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export async function buildHttpServer(engine: JobEngine, storage: Storage, options: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Errors (a 500 is a bug) are always logged; requests only when asked.
    logger: { level: options.logRequests ? 'info' : 'error' },
    bodyLimit: options.bodyLimitBytes,
    // Long path parameters reach schema validation (a 400 naming the parameter) instead of a bare 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2_000 },
    // Errors raised before routing (a broken percent-encoding, ...) get the failed envelope too.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).code(error.statusCode ?? 400).send(failure(error.message));
    },
    ajv: { customOptions: { verbose: true, coerceTypes: false, allErrors: false } },
    schemaErrorFormatter: (errors, dataVar) => formatValidationError(errors as never, dataVar),
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandlers(app);
  // Uploads (binaries) arrive as raw bytes, often without a Content-Type (MCRIT's client sends none).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  if (options.apiToken) {
    const expected = digest(options.apiToken);
    app.addHook('onRequest', async (request, reply) => {
      const bearer = /^bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const given = (request.headers.apitoken as string | undefined) ?? bearer;
      if (given === undefined) {
        return reply.code(401).send(failure('an API token is required: header apitoken or Authorization: Bearer'));
      }
      if (!timingSafeEqual(digest(given), expected)) return reply.code(401).send(failure('the API token is not valid'));
    });
  }

  await app.register(swagger, {
    openapi: {
      info: { title: 'mcrit-ts', version: options.version, description: 'Binary code similarity service (MCRIT-compatible).' },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(jobRoutes, { engine });
  await app.register(resultRoutes, { store: storage.jobs, registry: engine.registry });
  await app.register(sampleRoutes, { engine, samples: storage.samples, maxReportBytes: options.maxReportBytes });
  await app.register(binarySampleRoutes, { engine, samples: storage.samples });
  await app.register(collectionRoutes, { samples: storage.samples, storageKind: storage.kind, version: options.version });
  await app.register(collectionChangeRoutes, { engine, samples: storage.samples });
  await app.register(matchingRoutes, { engine, samples: storage.samples, maxReportBytes: options.maxReportBytes });
  await app.register(binaryQueryRoutes, { engine });
  return app;
}
