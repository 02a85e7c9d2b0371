import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBinary } from '../../src/disassembly/load-binary.js';
import { InvalidBinaryError } from '../../src/disassembly/types.js';
import { addressOf, binary } from './binaries.js';

/** The PE, ELF and dump loaders: SMDA's addresses and sizes, symbols and imports, and hostile headers refused with a reason. */

const u16 = (bytes: Uint8Array, at: number, value: number) => new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, value, true);
const u32 = (bytes: Uint8Array, at: number, value: number) => new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true);
const r32 = (bytes: Uint8Array, at: number) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);

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
    assert.ok([...pe.importSlots.values()].includes('kernel32.dll!GetLastError'));
    assert.ok([...pe.importSlots.values()].some((api) => api.startsWith('msvcrt.dll!')));
    assert.equal(pe.tlsCallbacks.length, 2);
    assert.equal(pe.peHeaderHash.length, 64);
  });

  test('PE32+: 64-bit image base and .pdata', () => {
    const pe = loadBinary(binary('pe64-O2.exe'));
    assert.deepEqual([pe.bitness, pe.baseAddr], [64, 0x140000000]);
    assert.ok(pe.exceptionTable && pe.exceptionTable[0] > pe.baseAddr);
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
    assert.ok([...elf.importSlots.values()].includes('GLIBC_2.2.5!malloc'));
    assert.ok(elf.pltRanges.length >= 1);
  });

  test('non-PIE x86: base from sh_addr - sh_offset', () => {
    const elf = loadBinary(binary('elf32-O2'));
    assert.deepEqual([elf.bitness, elf.baseAddr], [32, 0x8048000]);
    assert.equal(elf.baseAddr + elf.oep!, addressOf('elf32-O2', '_start'));
  });

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

  test('a dump needs a base address; unknown formats are named', () => {
    refused(new Uint8Array(16), /base address/, { isDump: true });
    refused(Buffer.from('#!/bin/sh\necho'), /unknown file format \(starts with 23212f62\)/);
  });
});
