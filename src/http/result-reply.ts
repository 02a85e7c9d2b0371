import { gunzipSync } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import type { StoredResult } from '../jobs/types.js';
import { dropFunctionMatches } from '../matching/report.js';

/**
 * Sends a stored result in the envelope. The JSON text is spliced in as stored (no parse and
 * re-serialisation); `compact` on a matching report cuts `matches.functions` out of the text.
 */
export function sendResult(reply: FastifyReply, result: StoredResult, compact: boolean, isMatchingReport: boolean): FastifyReply {
  let json = gunzipSync(result.gzipJson).toString('utf8');
  if (compact && isMatchingReport) json = dropFunctionMatches(json) ?? json;
  return reply.type('application/json; charset=utf-8').send(`{"status":"successful","data":${json}}`);
}
