import { randomBytes } from 'node:crypto';

/**
 * ObjectId-layout ids: 4-byte big-endian seconds, 5 random bytes fixed per process, 3-byte counter.
 * Emitted as 24 lower-case hex characters.
 */
const processRandom = randomBytes(5);
let counter = randomBytes(3).readUIntBE(0, 3);

export function newObjectId(nowMs: number = Date.now()): string {
  const id = Buffer.alloc(12);
  id.writeUInt32BE(Math.floor(nowMs / 1000) >>> 0, 0);
  processRandom.copy(id, 4);
  counter = (counter + 1) & 0xffffff;
  id.writeUIntBE(counter, 9, 3);
  return id.toString('hex');
}
