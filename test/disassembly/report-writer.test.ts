import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { disassemble } from '../../src/disassembly/disassemble.js';
import { loadBinary } from '../../src/disassembly/load-binary.js';
import { prepareSample, readReport } from '../../src/samples/prepare-sample.js';
import { picHash } from '../../src/minhash/pichash.js';
import { INTEL_ESCAPER } from '../../src/minhash/escaping/intel-escaper.js';
import { addressOf, binary, BUILDS, DELAY_IMPORT_BUILDS, delayImportSlots } from './binaries.js';

/** The disassembler's reports: accepted by the report loader and by ingestion, SMDA-shaped, hashes exact. */

describe('reports of the test binaries', () => {
  for (const build of BUILDS) {
    test(`${build}: parseSmdaReport and prepareSample accept it`, async () => {
      const file = binary(build);
      const { text, numFunctions } = await disassemble(file);
      const { report, raw } = readReport(text);
      assert.equal(report.functions.length, numFunctions);
      assert.ok(numFunctions > 10, `${numFunctions} functions`);
      assert.equal(report.architecture, 'intel');
      assert.equal(report.smdaVersion, '4.4.4');
      assert.equal(raw['status'], 'ok');
      assert.match(report.timestamp, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d$/);
      const sample = prepareSample(text, { username: 'test', labelTimestamp: '2026-01-01T00:00:00' });
      assert.equal(sample.functions.length, numFunctions);
      assert.equal(sample.sha256, report.sha256);
      assert.equal(report.statistics.numFunctions, numFunctions);
      // The stored PicHash is the one recomputed from the report's own blocks.
      const bounds = { lower: report.baseAddr, upper: report.baseAddr + report.binarySize, bitness: report.bitness };
      for (const fn of report.functions) assert.equal(fn.metadata.storedPicHash, picHash(fn, INTEL_ESCAPER, bounds));
    });
  }

  test('elf64-O2: sum_squares is one loop with SMDA block keys, blockrefs and no outrefs', async () => {
    const start = addressOf('elf64-O2', 'sum_squares');
    const { report } = readReport((await disassemble(binary('elf64-O2'))).text);
    const fn = report.functions.find((f) => Number(f.offset) === start)!;
    assert.equal(fn.metadata.functionName, 'sum_squares');
    assert.equal(fn.blocks[0]!.start, BigInt(start));
    const ret = fn.blocks.flatMap((b) => b.instructions).filter((i) => i.mnemonic === 'ret');
    assert.ok(ret.length >= 1);
    // every block's successors are blocks of the function
    const starts = new Set(fn.blocks.map((b) => b.start));
    for (const successors of fn.blockRefs.values()) for (const s of successors) assert.ok(starts.has(s));
    assert.equal(fn.outRefs.size, 0);
  });

  test('apirefs name the imports: msvcrt in PE, versioned glibc in ELF', async () => {
    const pe = readReport((await disassemble(binary('pe32-O2.exe'))).text).report;
    const peApis = new Set(pe.functions.flatMap((f) => [...f.apiRefs.values()]));
    assert.ok(peApis.has('msvcrt.dll!printf') || peApis.has('msvcrt.dll!__mingw_printf') || [...peApis].some((a) => a.endsWith('!malloc')), [...peApis].join(' '));
    const elf = readReport((await disassemble(binary('elf64-O2'))).text).report;
    const elfApis = new Set(elf.functions.flatMap((f) => [...f.apiRefs.values()]));
    assert.ok(elfApis.has('GLIBC_2.2.5!malloc'), [...elfApis].join(' '));
  });

  for (const build of DELAY_IMPORT_BUILDS) {
    test(`${build}: calls through delay-load IAT slots get apirefs; xmetadata lists the slots`, async () => {
      const { report, raw } = readReport((await disassemble(binary(build))).text);
      const apis = new Set(report.functions.flatMap((f) => [...f.apiRefs.values()]));
      assert.ok(apis.has('delayed.dll!delayed_add') && apis.has('delayed.dll!#2'), [...apis].join(' '));
      const imported = (raw['xmetadata'] as { imported_functions: Record<string, [string, string]> }).imported_functions;
      const slots = [...delayImportSlots(build)].map(([slot, name]) => [name, imported[slot]]);
      assert.deepEqual(slots, [['delayed_add', ['delayed.dll', 'delayed_add']], ['delayed_scale', ['delayed.dll', '#2']]]);
    });
  }

  test('elf64-O2 given as a dump: named functions and versioned glibc apirefs (ELF relocations still apply)', async () => {
    const { report, raw } = readReport((await disassemble(binary('elf64-O2'), { isDump: true, baseAddr: 0, bitness: 64 })).text);
    assert.deepEqual([raw['code_areas'], (raw['metadata'] as { is_buffer: boolean }).is_buffer, raw['oep']], [null, true, loadBinary(binary('elf64-O2')).oep]);
    const names = new Map(report.functions.map((f) => [Number(f.offset), f.metadata.functionName]));
    assert.equal(names.get(addressOf('elf64-O2', 'gcd')), 'gcd');
    assert.equal(names.get(addressOf('elf64-O2', 'main')), 'main');
    const apis = new Set(report.functions.flatMap((f) => [...f.apiRefs.values()]));
    assert.ok(apis.has('GLIBC_2.2.5!malloc'), [...apis].join(' '));
  });

  test('cxx64-O2: demangled function names and xmetadata imports; apirefs keep the raw imported name', async () => {
    const { report, raw } = readReport((await disassemble(binary('cxx64-O2'))).text);
    const names = new Set(report.functions.map((f) => f.metadata.functionName));
    assert.ok(names.has('geometry::Circle::area() const') && names.has("int apply_all<main::'lambda'(int)>(std::vector<int, std::allocator<int>> const&, main::'lambda'(int))"));
    const apis = new Set(report.functions.flatMap((f) => [...f.apiRefs.values()]));
    assert.ok(apis.has('GLIBCXX_3.4!_Znwm'), [...apis].join(' '));
    const imported = Object.values((raw['xmetadata'] as { imported_functions: Record<string, [string | null, string]> }).imported_functions);
    assert.ok(imported.some(([library, name]) => library === 'GLIBCXX_3.4' && name === 'operator new(unsigned long)'));
    assert.ok(imported.some(([library, name]) => library === 'GLIBC_2.2.5' && name === 'printf'));
  });
});
