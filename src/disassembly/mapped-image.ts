/**
 * Memory dumps / mapped images (`is_dump`, reference §1.5): the bytes are the image, at the given
 * base address. A dump that still starts with its PE headers gives entry point, exports and
 * `.pdata`, read by RVA (as SMDA gets them from LIEF); PE imports are not resolved for dumps (SMDA
 * needs an ApiScout database for that, which MCRIT does not configure).
 */
import { ByteReader } from './byte-reader.js';
import { isPe, peExceptionTable, peSymbols, readPeHeaders, type PeHeaders } from './pe-loader.js';
import { InvalidBinaryError, MAX_IMAGE_SIZE, type Bitness, type LoadedBinary } from './types.js';

/** Weights of the first bytes of call targets (SMDA's `COMMON_START_BYTES`). */
const START_BYTES: Record<Bitness, Record<number, number>> = {
  32: { 0x55: 8334, 0x6a: 758, 0x56: 756, 0x8d: 566, 0x83: 558, 0x53: 548, 0x51: 312 },
  64: { 0x48: 1341, 0x40: 349, 0x4c: 59, 0x33: 56, 0x44: 18, 0x45: 17, 0xe9: 16 },
};

/**
 * SMDA's bitness guess for a dump: the distinct first bytes of in-buffer rel32 call targets, weighted
 * per bitness; 64 only if its total is strictly greater.
 */
export function guessBitness(image: Uint8Array): Bitness {
  const firstBytes = new Set<number>();
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  for (let p = 0; p + 5 <= image.length; p++) {
    if (image[p] !== 0xe8) continue;
    const target = p + 5 + view.getInt32(p + 1, true);
    if (target > 0 && target < image.length) firstBytes.add(image[target]!);
  }
  const total = (bitness: Bitness) => [...firstBytes].reduce((sum, byte) => sum + (START_BYTES[bitness][byte] ?? 0), 0);
  return total(64) > total(32) ? 64 : 32;
}

function headersOf(image: Uint8Array): PeHeaders | null {
  if (!isPe(image)) return null;
  try {
    return readPeHeaders(new ByteReader(image, 'PE headers in the dump'));
  } catch {
    return null; // a dump need not keep valid headers
  }
}

export function loadDump(image: Uint8Array, baseAddr: number, bitness: Bitness | undefined): LoadedBinary {
  if (!Number.isSafeInteger(baseAddr) || baseAddr < 0 || baseAddr + image.length > Number.MAX_SAFE_INTEGER) {
    throw new InvalidBinaryError(`base address ${baseAddr} is not a supported address (0 to 2^53 - image size)`);
  }
  if (image.length > MAX_IMAGE_SIZE) throw new InvalidBinaryError(`dump of ${image.length} bytes exceeds the limit of ${MAX_IMAGE_SIZE} bytes`);
  const headers = headersOf(image);
  const symbols = headers ? peSymbols(new ByteReader(image, 'dump'), { ...headers, imageBase: baseAddr }) : null;
  return {
    format: 'dump',
    baseAddr,
    image,
    bitness: bitness ?? guessBitness(image),
    codeAreas: null,
    oep: headers ? headers.entryPoint : null,
    abi: '',
    sections: headers ? headers.sections.map((s) => [baseAddr + s.virtualAddress, baseAddr + s.virtualAddress + s.virtualSize]) : [],
    functionNames: symbols?.names ?? new Map(),
    symbolAddresses: new Set(symbols?.names.keys() ?? []),
    exportedFunctions: symbols?.exports ?? new Set(),
    importSlots: new Map(),
    pltRanges: [],
    gotBases: [],
    exceptionTable: headers ? peExceptionTable({ ...headers, imageBase: baseAddr }) : null,
    tlsCallbacks: [],
    headerBytes: new Uint8Array(0),
    peHeaderHash: '',
  };
}
