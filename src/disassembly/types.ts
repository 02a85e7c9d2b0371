/**
 * In-process disassembly of PE and ELF files and memory dumps (x86, x64) into SMDA-shaped reports,
 * following SMDA 4.4.4's behaviour (reference: smda-disassembly.md).
 *
 * Glossary
 * - file: the bytes a user uploads (PE, ELF, or a memory dump). Its sha256 identifies the sample.
 * - image (mapped image): the file laid out as the loader would map it; index `i` holds the byte at
 *   virtual address `baseAddr + i`. Its length is SMDA's `binary_size`; `[baseAddr, baseAddr +
 *   binary_size)` bounds PicHash address wildcarding, so both follow SMDA's rules exactly.
 * - address: an absolute virtual address, a JS number (exact below 2^53; larger images are refused).
 * - RVA: an address relative to `baseAddr` (`oep` is one).
 * - dump: bytes that already are a memory image (`is_dump`), loaded at a given `base_addr`.
 * - code area: an executable address range `[start, end)`; candidates outside them are refused.
 *   A dump has none (every address may be code).
 * - candidate: an address that may start a function, with the evidence for it (symbol, calls to it,
 *   prologue bytes, ...) summed into a score; the highest score is analysed first.
 * - function start: a candidate whose analysis was accepted; its instructions are owned by it.
 * - code ref: `from → to` (fall-through, jump, call, jump-table entry, pointer slot).
 * - block: a basic block of a function, rebuilt from the booked instructions (SMDA's rules).
 * - booked instruction: an instruction a function's analysis accepted as its own.
 * - gap: an unowned range between functions after the first pass, scanned for more functions.
 * - import slot: the address of a pointer the loader fills with an imported function (IAT entry,
 *   GOT slot); its API label is `"dll!name"` (PE) or `"version!name"` (ELF).
 */

export type Bitness = 32 | 64;

/** `[start, end)`, absolute addresses. */
export type AddressRange = [start: number, end: number];

/** One decoded instruction, as Capstone prints it (Intel syntax). */
export interface Instruction {
  address: number;
  size: number;
  /** With prefix words (`rep stosd`, `bnd jmp`). */
  mnemonic: string;
  /** The mnemonic without prefix words (`jmp`, `stosd`): what the rules look at. */
  base: string;
  /** Operand text, trimmed; `""` when there are none. */
  operands: string;
}

/**
 * The function an import slot holds: `api` labels the references to it (`dll!name`,
 * `version!name`, the name as imported); `listed` is its `xmetadata.imported_functions` entry
 * (ELF: names demangled, no version is null).
 */
export interface ImportedFunction {
  api: string;
  listed: [library: string | null, name: string];
}

/** What a loader makes of a file: the mapped image and everything the analysis and the report use. */
export interface LoadedBinary {
  format: 'pe' | 'elf' | 'dump';
  baseAddr: number;
  /** The mapped image; its length is `binary_size`. */
  image: Uint8Array;
  bitness: Bitness;
  /** Merged, sorted executable ranges; null for dumps. */
  codeAreas: AddressRange[] | null;
  /** Entry point RVA, null when unknown (dumps without headers). */
  oep: number | null;
  /** ELF OS/ABI name (`SYSTEMV`), `""` for PE and dumps. */
  abi: string;
  /** `code_sections`: every section as [name blanked, start, end]. */
  sections: AddressRange[];
  /** Function names by address: entry point, exports, symbols (later sources win, as in SMDA). */
  functionNames: Map<number, string>;
  /** Addresses that seed the analysis as symbols (names above plus the entry point). */
  symbolAddresses: Set<number>;
  /** Exported functions (`is_exported`). */
  exportedFunctions: Set<number>;
  /** Import slot address → the function imported there. */
  importSlots: Map<number, ImportedFunction>;
  /** ELF `.plt`, `.plt.sec`, `.plt.got`, `.iplt` ranges: calls into them are resolved to imports. */
  pltRanges: AddressRange[];
  /** ELF `.got.plt` then `.got` addresses (for `jmp dword ptr [ebx + d]` PLT entries). */
  gotBases: number[];
  /** x64 `.pdata` (exception records), as [start, size in bytes]. */
  exceptionTable: [start: number, size: number] | null;
  /** PE TLS callbacks (reported; SMDA does not seed candidates from them, so neither do we). */
  tlsCallbacks: number[];
  /** Raw header bytes for `xheader` (trailing zeros trimmed) and the PE header hash (`""` otherwise). */
  headerBytes: Uint8Array;
  peHeaderHash: string;
}

/**
 * What a binary's headers, symbols and relocations say, as opposed to how its bytes are mapped: read
 * the same way from a file and from a dump that starts with them (reference §1.5).
 */
export type HeaderFacts = Pick<
  LoadedBinary,
  'oep' | 'sections' | 'functionNames' | 'symbolAddresses' | 'exportedFunctions' | 'importSlots' | 'pltRanges' | 'gotBases'
>;

/** SMDA refuses mapped images above 100 MiB; so do we (also the bound on every allocation). */
export const MAX_IMAGE_SIZE = 100 * 1024 * 1024;

/** A file the loaders cannot use: truncated, hostile or unsupported. The message says what and where. */
export class InvalidBinaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBinaryError';
  }
}

/** Merges sorted-or-not ranges: sorted by start, a range starting at or before the current end joins it. */
export function mergeRanges(ranges: AddressRange[]): AddressRange[] {
  const sorted = ranges.filter(([start, end]) => end >= start).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: AddressRange[] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

export function roundUp(value: number, alignment: number): number {
  return alignment > 0 && value % alignment !== 0 ? value + alignment - (value % alignment) : value;
}
