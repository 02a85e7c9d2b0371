import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBinary } from '../../src/disassembly/load-binary.js';
import { InvalidBinaryError, type LoadedBinary } from '../../src/disassembly/types.js';
import { addressOf, binary, CXX_BUILDS, DELAY_IMPORT_BUILDS, delayImportSlots, functionSymbols, llvmDemangled } from './binaries.js';

/** The PE, ELF and dump loaders: SMDA's addresses and sizes, symbols and imports, and hostile headers refused with a reason. */

const u16 = (bytes: Uint8Array, at: number, value: number) => new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, value, true);
const u32 = (bytes: Uint8Array, at: number, value: number) => new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true);
const r32 = (bytes: Uint8Array, at: number) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);

/** The file offset of an RVA, from the PE's section table. */
function fileOffset(file: Uint8Array, rva: number): number {
  const peOffset = r32(file, 0x3c);
  const table = peOffset + 24 + new DataView(file.buffer, file.byteOffset).getUint16(peOffset + 20, true);
  for (let i = 0; i < file[peOffset + 6]!; i++) {
    const [size, va, rawSize, raw] = [8, 12, 16, 20].map((field) => r32(file, table + 40 * i + field)) as [number, number, number, number];
    if (rva >= va && rva < va + Math.max(size, rawSize)) return rva - va + raw;
  }
  throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
}

/** Delay-load import directory of a PE32: [file offset of its first descriptor, ImageBase]. */
function delayDirectory(file: Uint8Array): [descriptor: number, imageBase: number] {
  const peOffset = r32(file, 0x3c);
  return [fileOffset(file, r32(file, peOffset + 24 + 96 + 13 * 8)), r32(file, peOffset + 24 + 28)];
}

/** Names of delayed.dll's functions as slot labels: delayed_scale is imported by ordinal (src/delayed.def). */
const DELAYED_LABELS: Record<string, string> = { delayed_add: 'delayed.dll!delayed_add', delayed_scale: 'delayed.dll!#2' };

/** The API labels of a binary's import slots. */
const apis = (binary: LoadedBinary) => [...binary.importSlots.values()].map((imported) => imported.api);

function refused(bytes: Uint8Array, message: RegExp, options = {}): void {
  assert.throws(() => loadBinary(bytes, options), (error: unknown) => error instanceof InvalidBinaryError && message.test(error.message));
}

describe('PE loader', () => {
  test('PE32: image base, SMDA image size, code areas, entry point, imports, TLS callbacks', () => {
    const file = binary('pe32-O2.exe');
    const pe = loadBinary(file);
    assert.deepEqual([pe.format, pe.bitness, pe.baseAddr], ['pe', 32, 0x400000]);
    const peOffset = r32(file, 0x3c);
    const sections = Array.from({ length: file[peOffset + 6]! }, (_, i) => peOffset + 0xf8 + 40 * i);
    const size = Math.max(...sections.map((at) => r32(file, at + 12) + Math.max(r32(file, at + 8), r32(file, at + 16))));
    assert.equal(pe.image.length, size, 'max(VirtualAddress + max(VirtualSize, SizeOfRawData))');
    assert.deepEqual(pe.codeAreas, [[0x401000, 0x409000]]);
    assert.equal(pe.oep, r32(file, peOffset + 0x28));
    assert.equal(pe.functionNames.get(0x400000 + pe.oep!), 'original_entry_point');
    assert.ok(apis(pe).includes('kernel32.dll!GetLastError'));
    assert.ok(apis(pe).some((api) => api.startsWith('msvcrt.dll!')));
    assert.equal(pe.tlsCallbacks.length, 2);
    assert.equal(pe.peHeaderHash.length, 64);
  });

  test('PE32+: 64-bit image base and .pdata', () => {
    const pe = loadBinary(binary('pe64-O2.exe'));
    assert.deepEqual([pe.bitness, pe.baseAddr], [64, 0x140000000]);
    assert.ok(pe.exceptionTable && pe.exceptionTable[0] > pe.baseAddr);
  });

  for (const build of DELAY_IMPORT_BUILDS) {
    test(`${build}: delay-load imports name their IAT slots, by name and by ordinal`, () => {
      const pe = loadBinary(binary(build));
      for (const [slot, name] of delayImportSlots(build)) assert.equal(pe.importSlots.get(slot)?.api, DELAYED_LABELS[name], name);
      assert.ok(apis(pe).includes('kernel32.dll!GetLastError'), 'the import directory is still read');
    });
  }

  test('old VA-based delay-load descriptors (attribute bit 0 clear) are read too', () => {
    const file = Uint8Array.from(binary('delay-import32.exe'));
    const [descriptor, imageBase] = delayDirectory(file);
    u32(file, descriptor, 0);
    for (const field of [4, 8, 12, 16]) u32(file, descriptor + field, r32(file, descriptor + field) + imageBase);
    for (let at = fileOffset(file, r32(file, descriptor + 16) - imageBase); r32(file, at) !== 0; at += 4) {
      if (r32(file, at) < 0x80000000) u32(file, at, r32(file, at) + imageBase); // hint/name RVA → VA; ordinals stay
    }
    const pe = loadBinary(file);
    for (const [slot, name] of delayImportSlots('delay-import32.exe')) assert.equal(pe.importSlots.get(slot)?.api, DELAYED_LABELS[name], name);
  });

  test('hostile delay-load descriptors are ignored or read within a bounded budget', () => {
    const file = Uint8Array.from(binary('delay-import32.exe'));
    const [descriptor] = delayDirectory(file);
    const outside = Uint8Array.from(file);
    u32(outside, r32(file, 0x3c) + 24 + 96 + 13 * 8, 0xfffffff0);
    assert.equal(apis(loadBinary(outside)).filter((api) => api.startsWith('delayed.dll!')).length, 0);
    // Descriptors filling the code section, each one's name table the descriptor array itself (no zero entry).
    const textRva = 0x1000;
    const text = fileOffset(file, textRva);
    const dllName = r32(file, descriptor + 4);
    for (let at = text; at + 32 <= text + 0x6000; at += 32) [1, dllName, 7, textRva, textRva, 7, 7, 7].forEach((value, i) => u32(file, at + 4 * i, value));
    u32(file, r32(file, 0x3c) + 24 + 96 + 13 * 8, textRva);
    const started = performance.now();
    loadBinary(file);
    assert.ok(performance.now() - started < 2000);
  });

  test('hostile PE headers are refused with the reason', () => {
    const file = Uint8Array.from(binary('pe32-O2.exe'));
    const peOffset = r32(file, 0x3c);
    const huge = Uint8Array.from(file);
    u32(huge, peOffset + 0xf8 + 8, 0xffffffff); // VirtualSize of the first section
    refused(huge, /exceeds the limit/);
    const arm = Uint8Array.from(file);
    u16(arm, peOffset + 4, 0x1c0);
    refused(arm, /unsupported PE machine 0x1c0/);
    const noSignature = Uint8Array.from(file);
    u32(noSignature, 0x3c, 0x7fffffff);
    refused(noSignature, /PE file truncated: PE signature/);
    // A section table the file cannot hold maps nothing, as in SMDA: an empty image, not an error.
    const manySections = Uint8Array.from(file);
    u16(manySections, peOffset + 6, 0xffff);
    assert.equal(loadBinary(manySections).image.length, 0);
  });
});

describe('ELF loader', () => {
  test('PIE x64: base 0, page-rounded size, code areas from sections and segments, versioned imports', () => {
    const elf = loadBinary(binary('elf64-O2'));
    assert.deepEqual([elf.format, elf.bitness, elf.baseAddr, elf.abi], ['elf', 64, 0, 'SYSTEMV']);
    assert.equal(elf.image.length % 0x1000, 0);
    assert.deepEqual(elf.codeAreas, [[0x1000, 0x2000]]);
    assert.equal(elf.functionNames.get(addressOf('elf64-O2', 'gcd')), 'gcd');
    assert.ok(elf.exportedFunctions.has(addressOf('elf64-O2', 'main')));
    assert.ok(apis(elf).includes('GLIBC_2.2.5!malloc'));
    assert.ok(elf.pltRanges.length >= 1);
  });

  test('non-PIE x86: base from sh_addr - sh_offset', () => {
    const elf = loadBinary(binary('elf32-O2'));
    assert.deepEqual([elf.bitness, elf.baseAddr], [32, 0x8048000]);
    assert.equal(elf.baseAddr + elf.oep!, addressOf('elf32-O2', '_start'));
  });

  for (const build of CXX_BUILDS) {
    test(`${build}: C++ function names as LLVM demangles them; imports labelled raw, listed demangled`, () => {
      const elf = loadBinary(binary(build));
      const demangled = llvmDemangled(build);
      let cxxNames = 0;
      for (const [address, names] of functionSymbols(build)) {
        const expected = names.map((name) => demangled.get(name) ?? name);
        assert.ok(expected.includes(elf.functionNames.get(address)!), `${elf.functionNames.get(address)} at 0x${address.toString(16)}: ${expected.join(' | ')}`);
        if (names.some((name) => name.startsWith('_Z'))) cxxNames++;
      }
      assert.ok(cxxNames >= 10, `${cxxNames} C++ functions`);
      assert.ok([...elf.functionNames.values()].includes('geometry::Circle::area() const'));
      const operatorNew = [...elf.importSlots.values()].find((imported) => imported.api === 'GLIBCXX_3.4!_Znwm');
      assert.deepEqual(operatorNew?.listed, ['GLIBCXX_3.4', 'operator new(unsigned long)']);
    });
  }

  test('hostile ELF headers are refused with the reason; a missing section table is tolerated', () => {
    const file = binary('elf64-O2');
    const arm = Uint8Array.from(file);
    u16(arm, 18, 183);
    refused(arm, /unsupported ELF machine 183/);
    const bigEndian = Uint8Array.from(file);
    bigEndian[5] = 2;
    refused(bigEndian, /big-endian/);
    const farSegment = Uint8Array.from(file);
    const phoff = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(32, true));
    new DataView(farSegment.buffer).setBigUint64(phoff + 16, 0x7fff_0000_0000n, true); // p_vaddr of the first segment
    refused(farSegment, /exceeds the limit/);
    refused(file.subarray(0, 10), /ELF file truncated/);
    const noSections = Uint8Array.from(file);
    new DataView(noSections.buffer).setBigUint64(40, 0xffff_ffffn, true); // e_shoff beyond the file
    assert.ok(loadBinary(noSections).image.length > 0);
  });
});

describe('dumps', () => {
  test('a mapped PE image at its base keeps entry point and .pdata; no code areas', () => {
    const image = loadBinary(binary('pe64-O2.exe.stripped')).image;
    const dump = loadBinary(image, { isDump: true, baseAddr: 0x140000000, bitness: 64 });
    assert.deepEqual([dump.format, dump.baseAddr, dump.image.length, dump.codeAreas], ['dump', 0x140000000, image.length, null]);
    assert.ok(dump.oep !== null && dump.exceptionTable !== null);
    assert.equal(dump.importSlots.size, 0, 'SMDA resolves no PE imports in buffers');
  });

  test('an ELF file given as a dump: entry point, symbols, sections and relocation imports read from its bytes', () => {
    for (const [build, base, bitness] of [['elf64-O2', 0, 64], ['elf32-O2', 0x8048000, 32]] as const) {
      const file = binary(build);
      const elf = loadBinary(file);
      const dump = loadBinary(file, { isDump: true, baseAddr: base, bitness });
      assert.deepEqual([dump.format, dump.baseAddr, dump.image.length, dump.codeAreas, dump.abi], ['dump', base, file.length, null, ''], build);
      assert.equal(dump.oep, elf.oep, build);
      assert.deepEqual([dump.functionNames, dump.exportedFunctions, dump.importSlots], [elf.functionNames, elf.exportedFunctions, elf.importSlots], build);
      assert.deepEqual([dump.sections, dump.pltRanges, dump.gotBases], [elf.sections, elf.pltRanges, elf.gotBases], build);
      assert.equal(dump.functionNames.get(addressOf(build, 'gcd')), 'gcd');
    }
  });

  test('an ELF dump at another base: entry point relative to it, symbols at the ELF\'s own addresses', () => {
    const file = binary('elf64-O2');
    const elf = loadBinary(file);
    const dump = loadBinary(file, { isDump: true, baseAddr: 0x555555554000, bitness: 64 });
    assert.equal(dump.oep, elf.oep, 'e_entry below the base is kept as the RVA (reference §1.4)');
    assert.equal(dump.functionNames.get(0x555555554000 + elf.oep!), 'original_entry_point');
    assert.equal(dump.functionNames.get(addressOf('elf64-O2', 'gcd')), 'gcd');
  });

  test('a mapped ELF image keeps only its ELF header at offset 0: the entry point still comes from it', () => {
    const elf = loadBinary(binary('elf64-O2'));
    const dump = loadBinary(elf.image, { isDump: true, baseAddr: 0, bitness: 64 });
    assert.equal(dump.oep, elf.oep);
    const broken = Uint8Array.from(elf.image);
    broken[4] = 9; // EI_CLASS neither 32 nor 64: no headers, still a dump
    assert.equal(loadBinary(broken, { isDump: true, baseAddr: 0, bitness: 64 }).oep, null);
  });

  test('a dump needs a base address; unknown formats are named', () => {
    refused(new Uint8Array(16), /base address/, { isDump: true });
    refused(Buffer.from('#!/bin/sh\necho'), /unknown file format \(starts with 23212f62\)/);
  });
});
