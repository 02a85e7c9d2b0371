import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import type { StoredResult } from '../jobs/types.js';
import { dropFunctionMatches } from '../matching/report.js';

/** Stored (compressed) results above this size are decompressed while they are sent, never held whole as text. */
const STREAM_FROM_COMPRESSED_BYTES = 256 * 1024;
const PREFIX = '{"status":"successful","data":';

/**
 * Sends a stored result in the envelope. The JSON text is spliced in as stored (no parse and
 * re-serialisation); `compact` on a matching report cuts `matches.functions` out of the text.
 */
export function sendResult(reply: FastifyReply, result: StoredResult, compact: boolean, isMatchingReport: boolean): FastifyReply {
  void reply.type('application/json; charset=utf-8');
  const cut = compact && isMatchingReport;
  if (!cut && result.gzipJson.byteLength >= STREAM_FROM_COMPRESSED_BYTES) {
    const text = Readable.from([Buffer.from(result.gzipJson.buffer, result.gzipJson.byteOffset, result.gzipJson.byteLength)]).pipe(createGunzip());
    return reply.send(Readable.from(envelope(text)));
  }
  let json = gunzipSync(result.gzipJson).toString('utf8');
  if (cut) json = dropFunctionMatches(json) ?? json;
  return reply.send(`${PREFIX}${json}}`);
}

async function* envelope(json: AsyncIterable<Buffer>): AsyncGenerator<Buffer | string> {
  yield PREFIX;
  yield* json;
  yield '}';
}
