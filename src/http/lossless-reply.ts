import type { FastifyReply } from 'fastify';
import { stringifyLossless } from '../smda/lossless-json.js';

/**
 * Sends `{"status": "successful", "data": ...}` with bigints (PicHashes, 64-bit addresses) written
 * as exact integers; Fastify's serializer would refuse them.
 */
export function sendLossless(reply: FastifyReply, data: unknown, statusCode = 200): FastifyReply {
  return reply.code(statusCode).type('application/json; charset=utf-8').send(stringifyLossless({ status: 'successful', data }));
}

/** The failed envelope with more than a message (the conflicting sample or job). */
export function sendLosslessFailure(reply: FastifyReply, statusCode: number, data: { message: string } & Record<string, unknown>): FastifyReply {
  return reply.code(statusCode).type('application/json; charset=utf-8').send(stringifyLossless({ status: 'failed', data }));
}
