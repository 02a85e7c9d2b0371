import { gunzipSync } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import { MATCHING_METHODS } from '../jobs/method.js';
import type { StoredResult } from '../jobs/types.js';

/**
 * Sends a stored result in the envelope. The JSON text is spliced in as stored (no parse and
 * re-serialisation) unless `compact` asks to drop `matches.functions` of a matching/query result.
 */
export function sendResult(reply: FastifyReply, result: StoredResult, compact: boolean): FastifyReply {
  let json = gunzipSync(result.gzipJson).toString('utf8');
  if (compact && MATCHING_METHODS.has(result.method)) {
    const data = JSON.parse(json);
    if (data?.matches && typeof data.matches === 'object' && 'functions' in data.matches) {
      delete data.matches.functions;
      json = JSON.stringify(data);
    }
  }
  return reply.type('application/json; charset=utf-8').send(`{"status":"successful","data":${json}}`);
}
