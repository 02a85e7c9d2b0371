/**
 * ELF32 / ELF64 loader for x86 and x64 (reference §1.3, §4.2, §4.4): maps sections and segments as
 * SMDA does on top of LIEF 0.17.6 (base = lowest `sh_addr - sh_offset`, address-0 entries ignored,
 * size rounded to pages, NOBITS sections filled with the file bytes at their offset when those
 * exist), and reads function symbols (symtab, dynsym), imports from relocations with their symbol
 * versions, and the PLT/GOT ranges that resolve calls to imports. The reading part
 * (`ElfFile`, `elfHeaderFacts`) also serves dumps that start with ELF headers (§1.5).
 */
import { ByteReader, trimTrailingZeros } from './byte-reader.js';
import { binaryDemangler } from './itanium-demangler.js';
import { InvalidBinaryError, MAX_IMAGE_SIZE, mergeRanges, roundUp, type AddressRange, type Bitness, type HeaderFacts, type ImportedFunction, type LoadedBinary } from './types.js';

const MACHINES: Record<number, Bitness> = { 3: 32, 62: 64 };
const SHT_SYMTAB = 2;
const SHT_RELA = 4;
const SHT_NOBITS = 8;
const SHT_REL = 9;
const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const SHF_EXECINSTR = 0x4;
const PF_X = 0x1;
const STT_FUNC = 2;
const SHN_LORESERVE = 0xff00;
/** More sections, segments or symbols than this are hostile; real binaries have far fewer. */
const MAX_TABLE_ENTRIES = 1 << 20;
const MAX_NAME = 4096;
const PLT_SECTIONS = new Set(['.plt', '.plt.sec', '.plt.got', '.iplt']);
const OS_ABIS = ['SYSTEMV', 'HPUX', 'NETBSD', 'GNU', 'HURD', '86OPEN', 'SOLARIS', 'AIX', 'IRIX', 'FREEBSD', 'TRU64', 'MODESTO', 'OPENBSD'];

interface Section {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  align: number;
  entsize: number;
}

interface Segment {
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

interface ElfSymbol {
  name: string;
  value: number;
  type: number;
  bind: number;
  shndx: number;
}

export function isElf(file: Uint8Array): boolean {
  return file.length >= 4 && file[0] === 0x7f && file[1] === 0x45 && file[2] === 0x4c && file[3] === 0x46;
}

/** An ELF read as a file, as LIEF reads it: offsets are offsets into the given bytes. */
export class ElfFile {
  readonly reader: ByteReader;
  readonly is64: boolean;
  readonly bitness: Bitness;
  readonly sections: Section[];
  readonly segments: Segment[];

  /** `what` names the bytes in errors. */
  constructor(file: Uint8Array, what = 'ELF file') {
    const reader = (this.reader = new ByteReader(file, what));
    const elfClass = reader.u8(4, 'EI_CLASS');
    if (elfClass !== 1 && elfClass !== 2) throw new InvalidBinaryError(`ELF class ${elfClass} is neither ELFCLASS32 nor ELFCLASS64`);
    if (reader.u8(5, 'EI_DATA') !== 1) throw new InvalidBinaryError('big-endian ELF: only little-endian x86/x64 is supported');
    this.is64 = elfClass === 2;
    const machine = reader.u16(18, 'e_machine');
    const bitness = MACHINES[machine];
    if (bitness === undefined) throw new InvalidBinaryError(`unsupported ELF machine ${machine} (only EM_386 3 and EM_X86_64 62)`);
    this.bitness = bitness;
    this.segments = this.readSegments();
    this.sections = this.readSections();
  }

  /** A word of the file's class: 4 bytes in ELF32, 8 in ELF64. */
  word(offset: number, field: string): number {
    return this.is64 ? this.reader.u64(offset, field) : this.reader.u32(offset, field);
  }

  header(field: 'entry' | 'phoff' | 'shoff'): number {
    const at = { entry: 24, phoff: this.is64 ? 32 : 28, shoff: this.is64 ? 40 : 32 }[field];
    return this.word(at, `e_${field}`);
  }

  headerU16(field: 'ehsize' | 'phentsize' | 'phnum' | 'shentsize' | 'shnum' | 'shstrndx'): number {
    const base = this.is64 ? 52 : 40;
    const at = base + ['ehsize', 'phentsize', 'phnum', 'shentsize', 'shnum', 'shstrndx'].indexOf(field) * 2;
    return this.reader.u16(at, `e_${field}`);
  }

  /** Entries of a table that fit in the file (a table cut short by truncation keeps its complete entries). */
  private tableEntries(offset: number, count: number, entrySize: number, minimum: number): number[] {
    if (offset === 0 || entrySize < minimum || count > MAX_TABLE_ENTRIES) return [];
    const fitting = Math.max(0, Math.min(count, Math.floor((this.reader.length - offset) / entrySize)));
    return Array.from({ length: fitting }, (_, i) => offset + i * entrySize);
  }

  private readSegments(): Segment[] {
    return this.tableEntries(this.header('phoff'), this.headerU16('phnum'), this.headerU16('phentsize'), this.is64 ? 56 : 32).map((at) =>
      this.is64
        ? {
            flags: this.reader.u32(at + 4, 'p_flags'),
            offset: this.reader.u64(at + 8, 'p_offset'),
            vaddr: this.reader.u64(at + 16, 'p_vaddr'),
            filesz: this.reader.u64(at + 32, 'p_filesz'),
            memsz: this.reader.u64(at + 40, 'p_memsz'),
            align: this.reader.u64(at + 48, 'p_align'),
          }
        : {
            offset: this.reader.u32(at + 4, 'p_offset'),
            vaddr: this.reader.u32(at + 8, 'p_vaddr'),
            filesz: this.reader.u32(at + 16, 'p_filesz'),
            memsz: this.reader.u32(at + 20, 'p_memsz'),
            flags: this.reader.u32(at + 24, 'p_flags'),
            align: this.reader.u32(at + 28, 'p_align'),
          },
    );
  }

  private readSections(): Section[] {
    const sections = this.tableEntries(this.header('shoff'), this.headerU16('shnum'), this.headerU16('shentsize'), this.is64 ? 64 : 40).map(
      (at): Section & { nameOffset: number } => ({
        name: '',
        nameOffset: this.reader.u32(at, 'sh_name'),
        type: this.reader.u32(at + 4, 'sh_type'),
        flags: this.word(at + 8, 'sh_flags'),
        addr: this.word(at + (this.is64 ? 16 : 12), 'sh_addr'),
        offset: this.word(at + (this.is64 ? 24 : 16), 'sh_offset'),
        size: this.word(at + (this.is64 ? 32 : 20), 'sh_size'),
        link: this.reader.u32(at + (this.is64 ? 40 : 24), 'sh_link'),
        align: this.word(at + (this.is64 ? 48 : 32), 'sh_addralign'),
        entsize: this.word(at + (this.is64 ? 56 : 36), 'sh_entsize'),
      }),
    );
    const names = sections[this.headerU16('shstrndx')];
    for (const section of sections) {
      if (names && section.nameOffset < names.size) section.name = this.reader.cString(names.offset + section.nameOffset, MAX_NAME) ?? '';
    }
    return sections;
  }

  symbols(section: Section): ElfSymbol[] {
    const entrySize = this.is64 ? 24 : 16;
    const strings = this.sections[section.link];
    if (!strings || section.offset + section.size > this.reader.length) return [];
    return this.tableEntries(section.offset, Math.floor(section.size / entrySize), entrySize, entrySize).map((at) => {
      const info = this.reader.u8(at + (this.is64 ? 4 : 12), 'st_info');
      const nameOffset = this.reader.u32(at, 'st_name');
      return {
        name: nameOffset < strings.size ? (this.reader.cString(strings.offset + nameOffset, MAX_NAME) ?? '') : '',
        value: this.is64 ? this.reader.u64(at + 8, 'st_value') : this.reader.u32(at + 4, 'st_value'),
        type: info & 0xf,
        bind: info >> 4,
        shndx: this.reader.u16(at + (this.is64 ? 6 : 14), 'st_shndx'),
      };
    });
  }
}

/** SMDA's base: the lowest non-negative `sh_addr - sh_offset` over sections with an address (segments only for bogus sections). */
function baseAddress(elf: ElfFile): number {
  const addressed = elf.sections.filter((s) => s.addr !== 0);
  if (addressed.some((s) => s.addr + s.size > 2 ** 63 - 1)) {
    const vaddrs = elf.segments.map((s) => s.vaddr).filter((v) => v !== 0);
    return vaddrs.length > 0 ? Math.min(...vaddrs) : 0;
  }
  const candidates = addressed.map((s) => s.addr - s.offset).filter((v) => v >= 0);
  return candidates.length > 0 ? Math.min(...candidates) : 0;
}

function mapImage(elf: ElfFile, base: number): Uint8Array {
  const sections = elf.sections.filter((s) => s.addr !== 0);
  const segments = elf.segments.filter((s) => s.vaddr !== 0);
  let maxVa = 0;
  for (const s of sections) maxVa = Math.max(maxVa, s.addr + s.size);
  for (const s of segments) maxVa = Math.max(maxVa, s.vaddr + s.memsz);
  const size = roundUp(Math.max(0, maxVa - base), 0x1000);
  if (size > MAX_IMAGE_SIZE) throw new InvalidBinaryError(`ELF image of ${size} bytes exceeds the limit of ${MAX_IMAGE_SIZE} bytes`);
  const image = new Uint8Array(size);
  const file = elf.reader.bytes;
  // Each copy costs at most the image size; overlapping entries beyond this budget are hostile.
  let budget = 8 * MAX_IMAGE_SIZE;
  /** Copies `length` file bytes from `offset` to `va` (zeros where the file ends), clipped to the image. */
  const place = (va: number, offset: number, length: number) => {
    const at = va - base;
    if (at < 0 || at >= size) return;
    const end = Math.min(size, at + length);
    budget -= end - at;
    if (budget < 0) throw new InvalidBinaryError('ELF sections and segments overlap beyond any real binary (mapping budget exhausted)');
    const available = Math.max(0, Math.min(end - at, file.length - offset));
    if (available > 0) image.set(file.subarray(offset, offset + available), at);
    image.fill(0, at + available, end);
  };
  const bySizeDescending = <T>(items: T[], size: (item: T) => number) => [...items].sort((a, b) => size(b) - size(a));
  for (const s of bySizeDescending(segments, (s) => s.filesz)) place(s.vaddr, s.offset, s.filesz);
  for (const s of bySizeDescending(sections, (s) => s.size)) {
    // LIEF 0.17.6 gives a NOBITS section the file bytes at its offset when they exist, else nothing.
    if (s.type !== SHT_NOBITS || s.offset + s.size <= file.length) place(s.addr, s.offset, s.size);
  }
  const lowestOffset = Math.min(...sections.map((s) => s.offset), ...segments.map((s) => s.offset));
  if (Number.isFinite(lowestOffset) && lowestOffset !== 0) place(base, 0, lowestOffset);
  return image;
}

/** Version names of the dynamic symbols (`GLIBC_2.2.5`), from `.gnu.version` and `.gnu.version_r`. */
function symbolVersions(elf: ElfFile, count: number): (string | null)[] {
  const versions: (string | null)[] = new Array(count).fill(null);
  const versym = elf.sections.find((s) => s.type === SHT_GNU_VERSYM);
  const verneed = elf.sections.find((s) => s.type === SHT_GNU_VERNEED);
  const strings = verneed && elf.sections[verneed.link];
  if (!versym || !verneed || !strings) return versions;
  const names = new Map<number, string>();
  let need = verneed.offset;
  for (let n = 0; n < 4096 && elf.reader.has(need, 16); n++) {
    const auxCount = elf.reader.u16(need + 2, 'vn_cnt');
    let aux = need + elf.reader.u32(need + 8, 'vn_aux');
    for (let a = 0; a < auxCount && elf.reader.has(aux, 16); a++) {
      const name = elf.reader.cString(strings.offset + elf.reader.u32(aux + 8, 'vna_name'), MAX_NAME);
      if (name !== undefined) names.set(elf.reader.u16(aux + 6, 'vna_other'), name);
      const next = elf.reader.u32(aux + 12, 'vna_next');
      if (next === 0) break;
      aux += next;
    }
    const next = elf.reader.u32(need + 12, 'vn_next');
    if (next === 0) break;
    need += next;
  }
  for (let i = 0; i < count; i++) {
    const index = elf.reader.tryU16(versym.offset + 2 * i);
    if (index !== undefined) versions[i] = names.get(index & 0x7fff) ?? null;
  }
  return versions;
}

/**
 * Relocated slots of imported functions: labelled `version!name` (`None!name` without a version, as
 * SMDA prints it) with the raw name; listed with the demangled name (reference §4.2, §5).
 */
function importSlots(elf: ElfFile, dynsym: Section | undefined, demangle: (name: string) => string): Map<number, ImportedFunction> {
  const slots = new Map<number, ImportedFunction>();
  if (!dynsym) return slots;
  const symbols = elf.symbols(dynsym);
  const versions = symbolVersions(elf, symbols.length);
  const dynsymIndex = elf.sections.indexOf(dynsym);
  for (const section of elf.sections) {
    if ((section.type !== SHT_RELA && section.type !== SHT_REL) || section.link !== dynsymIndex) continue;
    const rela = section.type === SHT_RELA;
    const entrySize = elf.is64 ? (rela ? 24 : 16) : rela ? 12 : 8;
    const count = Math.min(Math.floor(section.size / entrySize), MAX_TABLE_ENTRIES);
    for (let i = 0; i < count; i++) {
      const at = section.offset + i * entrySize;
      if (!elf.reader.has(at, entrySize)) break;
      const offset = elf.word(at, 'r_offset');
      const info = elf.word(at + (elf.is64 ? 8 : 4), 'r_info');
      const symbolIndex = elf.is64 ? Math.floor(info / 2 ** 32) : info >>> 8;
      const symbol = symbols[symbolIndex];
      if (!symbol || symbol.type !== STT_FUNC || symbol.shndx !== 0 || symbol.name === '') continue;
      const version = versions[symbolIndex] ?? null;
      slots.set(offset, { api: `${version ?? 'None'}!${symbol.name}`, listed: [version, demangle(symbol.name)] });
    }
  }
  return slots;
}

/**
 * What the headers, symbols and relocations say (reference §1.4, §4.2, §4.4, §5 `code_sections`),
 * for an image at `base`: the entry point (an RVA) named `original_entry_point`, then FUNC symbols
 * of symtab and dynsym at their values (later wins) with C++ names demangled, exports, import
 * slots, PLT ranges and GOT bases. Addresses are the ELF's own, not rebased.
 */
export function elfHeaderFacts(elf: ElfFile, base: number): HeaderFacts {
  const demangle = binaryDemangler();
  const entry = elf.header('entry');
  const oep = base !== 0 && entry >= base ? entry - base : entry;
  const names = new Map<number, string>([[base + oep, 'original_entry_point']]);
  const exported = new Set<number>();
  const symbolTables = [elf.sections.find((s) => s.type === SHT_SYMTAB), elf.sections.find((s) => s.type === SHT_DYNSYM)];
  for (const table of symbolTables) {
    if (!table) continue;
    for (const symbol of elf.symbols(table)) {
      const defined = symbol.shndx > 0 && symbol.shndx < SHN_LORESERVE;
      if (symbol.type !== STT_FUNC || !defined || symbol.value === 0) continue;
      names.set(symbol.value, demangle(symbol.name));
      if (symbol.bind !== 0) exported.add(symbol.value);
    }
  }
  return {
    oep,
    sections: elf.sections.map((s): AddressRange => [s.addr, s.addr + s.size]),
    functionNames: names,
    symbolAddresses: new Set(names.keys()),
    exportedFunctions: exported,
    importSlots: importSlots(elf, symbolTables[1], demangle),
    pltRanges: elf.sections.filter((s) => PLT_SECTIONS.has(s.name)).map((s): AddressRange => [s.addr, s.addr + s.size]),
    gotBases: ['.got.plt', '.got'].flatMap((name) => elf.sections.filter((s) => s.name === name).map((s) => s.addr)),
  };
}

export function loadElf(file: Uint8Array): LoadedBinary {
  const elf = new ElfFile(file);
  const base = baseAddress(elf);
  if (base + MAX_IMAGE_SIZE > Number.MAX_SAFE_INTEGER) throw new InvalidBinaryError(`ELF base address 0x${base.toString(16)} is beyond the supported address range`);
  const codeAreas: AddressRange[] = [
    ...elf.sections.filter((s) => (s.flags & SHF_EXECINSTR) !== 0).map((s): AddressRange => [s.addr, s.addr + roundUp(s.size, s.align)]),
    ...elf.segments.filter((s) => (s.flags & PF_X) !== 0).map((s): AddressRange => [s.vaddr, s.vaddr + roundUp(s.memsz, s.align)]),
  ];
  const phEnd = elf.header('phoff') + elf.headerU16('phnum') * elf.headerU16('phentsize');
  const headerEnd = Math.min(0x400, Math.max(elf.headerU16('ehsize'), phEnd), file.length);
  return {
    format: 'elf',
    baseAddr: base,
    image: mapImage(elf, base),
    bitness: elf.bitness,
    codeAreas: mergeRanges(codeAreas),
    abi: OS_ABIS[file[7]!] ?? '',
    ...elfHeaderFacts(elf, base),
    exceptionTable: null,
    tlsCallbacks: [],
    headerBytes: trimTrailingZeros(file.subarray(0, headerEnd)),
    peHeaderHash: '',
  };
}
