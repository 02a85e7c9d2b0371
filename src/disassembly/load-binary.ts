import { isElf, loadElf } from './elf-loader.js';
import { loadDump } from './mapped-image.js';
import { isPe, loadPe } from './pe-loader.js';
import { InvalidBinaryError, type Bitness, type LoadedBinary } from './types.js';

export interface LoadOptions {
  /** The bytes are a memory image (`is_dump`) at `baseAddr`, not a file. */
  isDump?: boolean;
  baseAddr?: number;
  /** For dumps: 32 or 64; guessed when absent. */
  bitness?: Bitness;
}

/** Dispatches a file to its loader (PE by `MZ`, ELF by `\x7fELF`), or maps a dump. */
export function loadBinary(bytes: Uint8Array, options: LoadOptions = {}): LoadedBinary {
  if (options.isDump) {
    if (options.baseAddr === undefined) throw new InvalidBinaryError('a memory dump needs its base address (base_addr)');
    return loadDump(bytes, options.baseAddr, options.bitness);
  }
  if (isPe(bytes)) return loadPe(bytes);
  if (isElf(bytes)) return loadElf(bytes);
  throw new InvalidBinaryError(
    `unknown file format (starts with ${Buffer.from(bytes.subarray(0, 4)).toString('hex') || 'nothing'}): expected a PE or ELF file, or is_dump with base_addr for a memory image`,
  );
}
