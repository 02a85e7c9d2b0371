import type { FastifyError, FastifyInstance } from 'fastify';
import { InvalidParametersError, UnknownMethodError } from '../jobs/registry.js';
import { isDatabaseUnavailable } from '../storage/postgres/connection.js';
import { StoreRequestError } from '../storage/store.js';

/** An answer other than success, with the status code and the message the client sees. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const LOCATIONS: Record<string, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
  body: 'body field',
  headers: 'header',
};

interface VerboseValidationError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { title?: string };
  data?: unknown;
}

/** Turns the first schema violation into a message naming the parameter, what it expects and what it got. */
export function formatValidationError(errors: readonly VerboseValidationError[], dataVar: string): Error {
  const [error] = errors;
  const location = LOCATIONS[dataVar] ?? dataVar;
  if (!error) return new Error(`invalid ${location}`);
  const name = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || String(error.params.missingProperty ?? '');
  if (error.keyword === 'required') return new Error(`missing ${location} '${name}'`);
  const expected = error.parentSchema?.title ?? error.message ?? 'a valid value';
  if (name === '') {
    // The whole value (a body that is no object, or none).
    const whole = location.replace(/ (?:field|parameter)$/, '');
    if (error.data === null || error.data === undefined) return new Error(`missing ${whole}: expected ${expected}`);
    return new Error(`invalid ${whole}: expected ${expected}, got ${JSON.stringify(error.data)}`);
  }
  return new Error(`invalid ${location} '${name}': expected ${expected}, got ${JSON.stringify(error.data)}`);
}

export function failure(message: string) {
  return { status: 'failed' as const, data: { message } };
}

/** Every error answer is the failed envelope; a 500 is only ever a bug, and is logged. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return reply.code(400).send(failure(error.message));
    if (error instanceof HttpError) return reply.code(error.statusCode).send(failure(error.message));
    if (error instanceof StoreRequestError || error instanceof InvalidParametersError || error instanceof UnknownMethodError) {
      return reply.code(400).send(failure(error.message));
    }
    if (typeof error.code === 'string' && error.code.startsWith('SQLITE_BUSY')) {
      return reply.code(503).send(failure('the database is busy with a long write; try again'));
    }
    if (isDatabaseUnavailable(error)) return reply.code(503).send(failure('the database is unavailable; try again'));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(failure(error.message));
    request.log.error({ err: error }, 'internal error');
    return reply.code(500).send(failure('internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(failure(`no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
