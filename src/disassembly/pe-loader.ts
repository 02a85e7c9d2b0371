/**
 * PE32 / PE32+ loader (reference §1.2, §4.1): maps the file as SMDA does (its image size and header
 * copy rules, not the Windows loader's), and reads entry point, exports, imports (delay-load ones
 * too), TLS callbacks and `.pdata` from the mapped image. Directory contents are read by RVA from
 * the image, so the same code serves PE files and PE memory dumps.
 */
import { createHash } from 'node:crypto';
import { ByteReader, trimTrailingZeros } from './byte-reader.js';
import { InvalidBinaryError, MAX_IMAGE_SIZE, mergeRanges, roundUp, type AddressRange, type Bitness, type ImportedFunction, type LoadedBinary } from './types.js';

const MACHINES: Record<number, Bitness> = { 0x14c: 32, 0x8664: 64 };
const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
const SECTION_ENTRY = 40;
/** More exports, imports or TLS callbacks than this are hostile (Windows DLLs have a few thousand). */
const MAX_DIRECTORY_ENTRIES = 65536;
const MAX_NAME = 512;

export interface PeSection {
  name: string;
  virtualAddress: number;
  virtualSize: number;
  rawSize: number;
  rawPointer: number;
  characteristics: number;
}

export interface PeHeaders {
  peOffset: number;
  bitness: Bitness;
  imageBase: number;
  entryPoint: number;
  sizeOfHeaders: number;
  /** [rva, size] of each data directory present. */
  directories: [rva: number, size: number][];
  sections: PeSection[];
  /** End of the section table in the file. */
  sectionTableEnd: number;
}

export function isPe(file: Uint8Array): boolean {
  return file.length >= 2 && file[0] === 0x4d && file[1] === 0x5a;
}

/** Reads the headers; SMDA locates the section table at the standard optional header size, and so do we. */
export function readPeHeaders(reader: ByteReader): PeHeaders {
  const peOffset = reader.u32(0x3c, 'e_lfanew');
  if (reader.u32(peOffset, 'PE signature') !== 0x4550) throw new InvalidBinaryError(`not a PE file: no "PE\\0\\0" signature at e_lfanew 0x${peOffset.toString(16)}`);
  const machine = reader.u16(peOffset + 4, 'COFF machine');
  const bitness = MACHINES[machine];
  if (bitness === undefined) throw new InvalidBinaryError(`unsupported PE machine 0x${machine.toString(16)} (only x86 0x14c and x64 0x8664)`);
  const optional = peOffset + 24;
  const imageBase = bitness === 64 ? reader.u64(optional + 24, 'ImageBase') : reader.u32(optional + 28, 'ImageBase');
  const directoryCount = Math.min(16, reader.u32(optional + (bitness === 64 ? 108 : 92), 'NumberOfRvaAndSizes'));
  const directoriesAt = optional + (bitness === 64 ? 112 : 96);
  const directories: [number, number][] = [];
  for (let i = 0; i < directoryCount; i++) {
    const rva = reader.tryU32(directoriesAt + 8 * i);
    const size = reader.tryU32(directoriesAt + 8 * i + 4);
    directories.push([rva ?? 0, size ?? 0]);
  }
  const count = reader.u16(peOffset + 6, 'NumberOfSections');
  const tableAt = peOffset + (bitness === 64 ? 0x108 : 0xf8);
  const sections: PeSection[] = [];
  // SMDA maps no section at all when the file does not hold the whole table.
  if (reader.has(tableAt, count * SECTION_ENTRY)) {
    for (let i = 0; i < count; i++) {
      const at = tableAt + i * SECTION_ENTRY;
      let name = '';
      for (let k = 0; k < 8 && reader.bytes[at + k] !== 0; k++) name += String.fromCharCode(reader.bytes[at + k]!);
      sections.push({
        name,
        virtualSize: reader.u32(at + 8, 'VirtualSize'),
        virtualAddress: reader.u32(at + 12, 'VirtualAddress'),
        rawSize: reader.u32(at + 16, 'SizeOfRawData'),
        rawPointer: reader.u32(at + 20, 'PointerToRawData'),
        characteristics: reader.u32(at + 36, 'Characteristics'),
      });
    }
  }
  return {
    peOffset,
    bitness,
    imageBase,
    entryPoint: reader.u32(optional + 16, 'AddressOfEntryPoint'),
    sizeOfHeaders: reader.u32(optional + 60, 'SizeOfHeaders'),
    directories,
    sections,
    sectionTableEnd: tableAt + count * SECTION_ENTRY,
  };
}

/** SMDA's mapping: image size = max(VA + max(VirtualSize, SizeOfRawData)); headers, then sections in table order. */
function mapSections(file: Uint8Array, headers: PeHeaders): Uint8Array {
  let size = 0;
  for (const s of headers.sections) size = Math.max(size, s.virtualAddress + Math.max(s.virtualSize, s.rawSize));
  if (size > MAX_IMAGE_SIZE) throw new InvalidBinaryError(`PE image of ${size} bytes exceeds the limit of ${MAX_IMAGE_SIZE} bytes`);
  const image = new Uint8Array(size);
  const headerEnd = Math.min(...headers.sections.filter((s) => s.rawPointer > 0x200).map((s) => s.rawPointer), file.length, size);
  image.set(file.subarray(0, headerEnd), 0);
  for (const s of headers.sections) {
    if (s.rawPointer >= file.length || s.virtualAddress >= size) continue;
    const length = Math.min(s.rawSize, file.length - s.rawPointer, size - s.virtualAddress);
    image.set(file.subarray(s.rawPointer, s.rawPointer + length), s.virtualAddress);
  }
  return image;
}

function printable(name: string): boolean {
  return name.length > 0 && /^[\x20-\x7e]+$/.test(name);
}

/** Named exports that are not forwarders: address → name. */
function readExports(image: ByteReader, headers: PeHeaders): Map<number, string> {
  const exports = new Map<number, string>();
  const [rva, size] = headers.directories[0] ?? [0, 0];
  if (rva === 0 || !image.has(rva, 40)) return exports;
  const functionCount = Math.min(image.tryU32(rva + 20) ?? 0, MAX_DIRECTORY_ENTRIES);
  const nameCount = Math.min(image.tryU32(rva + 24) ?? 0, MAX_DIRECTORY_ENTRIES);
  const functions = image.tryU32(rva + 28) ?? 0;
  const names = image.tryU32(rva + 32) ?? 0;
  const ordinals = image.tryU32(rva + 36) ?? 0;
  for (let i = 0; i < nameCount; i++) {
    const nameRva = image.tryU32(names + 4 * i);
    const ordinal = image.tryU16(ordinals + 2 * i);
    if (nameRva === undefined || ordinal === undefined || ordinal >= functionCount) continue;
    const target = image.tryU32(functions + 4 * ordinal);
    const name = image.cString(nameRva, MAX_NAME);
    // A target inside the export directory is a forwarder string ("KERNEL32.Sleep").
    if (target === undefined || target === 0 || (target >= rva && target < rva + size) || name === undefined || !printable(name)) continue;
    exports.set(headers.imageBase + target, name);
  }
  return exports;
}

/** Every import slot read counts against this, across all descriptors of both tables: descriptors sharing one huge thunk table must not multiply the work. */
const MAX_IMPORT_SLOTS = 1 << 20;
const DELAY_DESCRIPTOR_SIZE = 32;

interface SlotBudget {
  remaining: number;
}

/**
 * Names the slots of one imported DLL, `ImageBase + iat + i * pointer size` → `dll!name`
 * (`dll!#ordinal` for ordinal imports), from its name table up to the terminating zero entry.
 * `bias` is subtracted from name-table addresses: 0 where they are RVAs, ImageBase where VAs.
 */
function nameSlots(image: ByteReader, headers: PeHeaders, dll: string, nameTable: number, iat: number, bias: number, slots: Map<number, ImportedFunction>, budget: SlotBudget): void {
  const pointerSize = headers.bitness / 8;
  for (let i = 0; budget.remaining > 0; i++, budget.remaining--) {
    // Read as dwords: a 64-bit entry's ordinal flag is bit 63, beyond a double's exact integers.
    const at = nameTable + i * pointerSize;
    const low = image.tryU32(at);
    const high = headers.bitness === 64 ? image.tryU32(at + 4) : 0;
    if (low === undefined || high === undefined || (low === 0 && high === 0)) break;
    const byOrdinal = (headers.bitness === 64 ? high : low) >= 0x80000000;
    // A hint/name entry: a u16 hint, then the name.
    const hintName = (low - bias) % 2 ** 31;
    const name = byOrdinal ? `#${low & 0xffff}` : hintName >= 0 ? image.cString(hintName + 2, MAX_NAME) : undefined;
    if (name !== undefined) slots.set(headers.imageBase + iat + i * pointerSize, { api: `${dll}!${name}`, listed: [dll, name] });
  }
}

/** The import directory's descriptors (20 bytes each, all-zero terminated); the name table is the IAT itself when the lookup table is absent. */
function readImportDirectory(image: ByteReader, headers: PeHeaders, slots: Map<number, ImportedFunction>, budget: SlotBudget): void {
  const [rva] = headers.directories[1] ?? [0, 0];
  if (rva === 0) return;
  for (let d = 0; d < MAX_DIRECTORY_ENTRIES; d++) {
    const at = rva + 20 * d;
    if (!image.has(at, 20)) break;
    const lookup = image.tryU32(at)!;
    const nameRva = image.tryU32(at + 12)!;
    const iat = image.tryU32(at + 16)!;
    if (lookup === 0 && nameRva === 0 && iat === 0) break;
    const dll = image.cString(nameRva, MAX_NAME)?.toLowerCase();
    if (dll === undefined || iat === 0) continue;
    nameSlots(image, headers, dll, lookup !== 0 ? lookup : iat, iat, 0, slots, budget);
  }
}

/**
 * The delay-load directory's descriptors (32 bytes each, all-zero terminated): attributes, DLL name,
 * module handle, IAT, name table, .... Attribute bit 0 marks RVA fields; without it (old linkers)
 * the fields and name-table entries are VAs.
 */
function readDelayImportDirectory(image: ByteReader, headers: PeHeaders, slots: Map<number, ImportedFunction>, budget: SlotBudget): void {
  const [rva] = headers.directories[13] ?? [0, 0];
  if (rva === 0) return;
  for (let d = 0; d < MAX_DIRECTORY_ENTRIES; d++) {
    const at = rva + DELAY_DESCRIPTOR_SIZE * d;
    if (!image.has(at, DELAY_DESCRIPTOR_SIZE)) break;
    const bias = (image.tryU32(at)! & 1) === 1 ? 0 : headers.imageBase;
    const name = image.tryU32(at + 4)!;
    const iat = image.tryU32(at + 12)!;
    const nameTable = image.tryU32(at + 16)!;
    if (name === 0 && iat === 0 && nameTable === 0) break;
    const dll = image.cString(name - bias, MAX_NAME)?.toLowerCase();
    if (dll === undefined || iat - bias <= 0 || nameTable - bias <= 0) continue;
    nameSlots(image, headers, dll, nameTable - bias, iat - bias, bias, slots, budget);
  }
}

/** Import slots (IAT entries, delay-load IAT entries) → `dll!name`, looked up by slot address (reference §4.1). */
function readImports(image: ByteReader, headers: PeHeaders): Map<number, ImportedFunction> {
  const slots = new Map<number, ImportedFunction>();
  const budget = { remaining: MAX_IMPORT_SLOTS };
  readImportDirectory(image, headers, slots, budget);
  readDelayImportDirectory(image, headers, slots, budget);
  return slots;
}

function readTlsCallbacks(image: ByteReader, headers: PeHeaders): number[] {
  const [rva] = headers.directories[9] ?? [0, 0];
  if (rva === 0) return [];
  const table = image.tryPointer(rva + (headers.bitness === 64 ? 24 : 12), headers.bitness);
  if (table === undefined || table === 0) return [];
  const callbacks: number[] = [];
  for (let i = 0; i < MAX_DIRECTORY_ENTRIES; i++) {
    const callback = image.tryPointer(table - headers.imageBase + i * (headers.bitness / 8), headers.bitness);
    if (callback === undefined || callback === 0) break;
    callbacks.push(callback);
  }
  return callbacks;
}

/** The raw header region SMDA keeps: max(end of section table, min(SizeOfHeaders, lowest raw pointer)), at most 0x1000. */
function headerRegion(file: Uint8Array, headers: PeHeaders): Uint8Array {
  const rawPointers = headers.sections.map((s) => s.rawPointer).filter((p) => p > 0);
  const end = Math.min(0x1000, Math.max(headers.sectionTableEnd, Math.min(headers.sizeOfHeaders, ...rawPointers)));
  return file.subarray(0, Math.min(end, file.length));
}

/** sha256 of the header region with PointerToSymbolTable, SizeOfImage and CheckSum zeroed (SMDA's `pe_header_hash`). */
function headerHash(region: Uint8Array, peOffset: number): string {
  const copy = Uint8Array.from(region);
  for (const at of [peOffset + 4 + 8, peOffset + 24 + 56, peOffset + 24 + 64]) {
    if (at + 4 <= copy.length) copy.fill(0, at, at + 4);
  }
  return createHash('sha256').update(copy).digest('hex');
}

/** Functions named and seeded from the PE headers: the entry point and the exports. */
export function peSymbols(image: ByteReader, headers: PeHeaders): { names: Map<number, string>; exports: Set<number> } {
  const names = new Map<number, string>([[headers.imageBase + headers.entryPoint, 'original_entry_point']]);
  const exports = readExports(image, headers);
  for (const [address, name] of exports) names.set(address, name);
  return { names, exports: new Set(exports.keys()) };
}

export function peExceptionTable(headers: PeHeaders): [number, number] | null {
  const pdata = headers.sections.find((s) => s.name === '.pdata');
  return headers.bitness === 64 && pdata ? [headers.imageBase + pdata.virtualAddress, roundUp(pdata.virtualSize, 0x1000)] : null;
}

export function loadPe(file: Uint8Array): LoadedBinary {
  const headers = readPeHeaders(new ByteReader(file, 'PE file'));
  if ((headers.directories[14]?.[1] ?? 0) !== 0) throw new InvalidBinaryError('.NET assembly (CLR header present): only x86/x64 machine code is supported');
  const { imageBase } = headers;
  if (imageBase + MAX_IMAGE_SIZE > Number.MAX_SAFE_INTEGER) throw new InvalidBinaryError(`PE ImageBase 0x${imageBase.toString(16)} is beyond the supported address range`);
  const image = mapSections(file, headers);
  const imageReader = new ByteReader(image, 'PE image');
  const sectionRange = (s: PeSection): AddressRange => [imageBase + s.virtualAddress, imageBase + s.virtualAddress + roundUp(s.virtualSize, 0x1000)];
  const { names, exports } = peSymbols(imageReader, headers);
  const region = headerRegion(file, headers);
  return {
    format: 'pe',
    baseAddr: imageBase,
    image,
    bitness: headers.bitness,
    codeAreas: mergeRanges(headers.sections.filter((s) => (s.characteristics & IMAGE_SCN_MEM_EXECUTE) !== 0).map(sectionRange)),
    oep: headers.entryPoint,
    abi: '',
    sections: headers.sections.map(sectionRange),
    functionNames: names,
    symbolAddresses: new Set(names.keys()),
    exportedFunctions: exports,
    importSlots: readImports(imageReader, headers),
    pltRanges: [],
    gotBases: [],
    exceptionTable: peExceptionTable(headers),
    tlsCallbacks: readTlsCallbacks(imageReader, headers),
    headerBytes: trimTrailingZeros(region),
    peHeaderHash: headerHash(region, headers.peOffset),
  };
}
