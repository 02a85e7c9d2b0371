/**
 * Memory dumps / mapped images (`is_dump`, reference §1.5): the bytes are the image, at the given
 * base address, with no code areas. SMDA still runs LIEF on them: a dump that starts with PE headers
 * gives entry point, exports and `.pdata`, read by RVA; PE imports are not resolved for dumps (SMDA
 * needs an ApiScout database for that, which MCRIT does not configure). A dump that starts with ELF
 * headers gives entry point, symbols, sections and relocation-based imports (ELF API names work).
 */
import { ByteReader } from './byte-reader.js';
import { ElfFile, elfHeaderFacts, isElf } from './elf-loader.js';
import { isPe, peExceptionTable, peSymbols, readPeHeaders } from './pe-loader.js';
import { InvalidBinaryError, MAX_IMAGE_SIZE, type Bitness, type HeaderFacts, type LoadedBinary } from './types.js';

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

/** A dump's headers, if it starts with some that parse: a dump need not keep valid ones. */
function tolerant<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidBinaryError) return null;
    throw error;
  }
}

/** PE headers in a dump: entry point, exports and sections by RVA from `baseAddr`; no imports (see above). */
function peFacts(image: Uint8Array, baseAddr: number): (HeaderFacts & Pick<LoadedBinary, 'exceptionTable'>) | null {
  const headers = tolerant(() => readPeHeaders(new ByteReader(image, 'PE headers in the dump')));
  if (!headers) return null;
  const rebased = { ...headers, imageBase: baseAddr };
  const { names, exports } = peSymbols(new ByteReader(image, 'dump'), rebased);
  return {
    oep: headers.entryPoint,
    sections: headers.sections.map((s) => [baseAddr + s.virtualAddress, baseAddr + s.virtualAddress + s.virtualSize]),
    functionNames: names,
    symbolAddresses: new Set(names.keys()),
    exportedFunctions: exports,
    importSlots: new Map(),
    pltRanges: [],
    gotBases: [],
    exceptionTable: peExceptionTable(rebased),
  };
}

/**
 * ELF headers in a dump, read as LIEF reads the dump: as a file, offsets into the dump's bytes. So
 * the section headers, symbols and relocations are found where the file had them only if the dump
 * keeps file offsets (e.g. the file's bytes themselves); symbol and slot addresses are the ELF's own.
 */
function elfFacts(image: Uint8Array, baseAddr: number): HeaderFacts | null {
  return tolerant(() => elfHeaderFacts(new ElfFile(image, 'ELF headers in the dump'), baseAddr));
}

const NO_HEADERS = (): HeaderFacts & Pick<LoadedBinary, 'exceptionTable'> => ({
  oep: null,
  sections: [],
  functionNames: new Map(),
  symbolAddresses: new Set(),
  exportedFunctions: new Set(),
  importSlots: new Map(),
  pltRanges: [],
  gotBases: [],
  exceptionTable: null,
});

export function loadDump(image: Uint8Array, baseAddr: number, bitness: Bitness | undefined): LoadedBinary {
  if (!Number.isSafeInteger(baseAddr) || baseAddr < 0 || baseAddr + image.length > Number.MAX_SAFE_INTEGER) {
    throw new InvalidBinaryError(`base address ${baseAddr} is not a supported address (0 to 2^53 - image size)`);
  }
  if (image.length > MAX_IMAGE_SIZE) throw new InvalidBinaryError(`dump of ${image.length} bytes exceeds the limit of ${MAX_IMAGE_SIZE} bytes`);
  const facts = (isPe(image) ? peFacts(image, baseAddr) : isElf(image) ? elfFacts(image, baseAddr) : null) ?? NO_HEADERS();
  return {
    format: 'dump',
    baseAddr,
    image,
    bitness: bitness ?? guessBitness(image),
    codeAreas: null,
    abi: '',
    exceptionTable: null,
    ...facts,
    tlsCallbacks: [],
    headerBytes: new Uint8Array(0),
    peHeaderHash: '',
  };
}
