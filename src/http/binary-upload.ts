import { loadBinary, type LoadOptions } from '../disassembly/load-binary.js';
import { InvalidBinaryError } from '../disassembly/types.js';
import { HttpError } from './errors.js';

/** An uploaded binary's load options, checked against its headers before any job is queued. */
export interface BinaryUpload {
  body: Buffer;
  options: LoadOptions;
  /** `base_addr` as the job parameter carries it: decimal text (exact in JSON). */
  baseAddrParameter?: string;
}

/** An address given as decimal or 0x-hex text (already checked by the route's schema). */
export function parseAddress(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new HttpError(400, `invalid ${name}: ${text} is beyond 2^53`);
  return value;
}

/**
 * Checks an upload: a body, a base address for a memory image, and headers the loaders can use
 * (a 400 saying what is wrong, instead of a job failing later).
 */
export function checkBinaryUpload(route: string, body: Buffer | undefined, options: LoadOptions): BinaryUpload {
  if (!body || body.length === 0) throw new HttpError(400, `${route} needs the file as body`);
  if (options.isDump && options.baseAddr === undefined) {
    throw new HttpError(400, "missing query parameter 'base_addr': a memory dump needs its base address");
  }
  try {
    loadBinary(body, options);
  } catch (error) {
    if (error instanceof InvalidBinaryError) throw new HttpError(400, `invalid binary: ${error.message}`);
    throw error;
  }
  return { body, options, baseAddrParameter: options.baseAddr === undefined ? undefined : String(options.baseAddr) };
}
