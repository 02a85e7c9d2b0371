import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

/** An `application/x-www-form-urlencoded` body as an object; a repeated key becomes an array (which schemas refuse, naming it). */
export function parseFormBody(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const earlier = fields[key];
    fields[key] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return fields;
}

/**
 * Makes the routes of this plugin accept JSON and form-encoded bodies (MCRIT's client sends its PUT
 * bodies form-encoded) and refuse any other with a 415.
 */
export function acceptJsonAndFormBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, parseFormBody(body as string)),
  );
  app.addContentTypeParser('*', (request, _payload, done) => {
    const type = request.headers['content-type'];
    const expected = 'application/json or application/x-www-form-urlencoded';
    done(new HttpError(415, type ? `unsupported content type ${JSON.stringify(type)}: expected ${expected}` : `a body needs a content type: ${expected}`), undefined);
  });
}
