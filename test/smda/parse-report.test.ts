import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSmdaReport } from '../../src/smda/parse-report.js';
import { SmdaReportError } from '../../src/smda/smda-report-error.js';
import { FIXTURE_REPORTS, fixtureReport, fixtureText, functionAt, goldenFunctions } from './fixtures.js';

/** A small valid intel report: one function of one block. */
function minimalReport(): Record<string, any> {
  return {
    architecture: 'intel',
    base_addr: 4198400,
    binary_size: 4096,
    bitness: 32,
    code_areas: [],
    confidence_threshold: 0.0,
    disassembly_errors: {},
    execution_time: 0.1,
    identified_alignment: 0,
    message: 'Analysis finished regularly.',
    metadata: { binweight: 4.0, family: 'fam', filename: 'a.exe', is_library: false },
    sha256: 'ab'.repeat(32),
    smda_version: '4.4.4',
    statistics: {
      num_api_calls: 0,
      num_basic_blocks: 1,
      num_failed_functions: 0,
      num_failed_instructions: 0,
      num_function_calls: 0,
      num_functions: 1,
      num_instructions: 2,
      num_leaf_functions: 1,
      num_recursive_functions: 0,
    },
    status: 'ok',
    timestamp: '2024-01-15T10-30-00',
    xcfg: {
      '4198400': {
        offset: 4198400,
        blocks: {
          '4198403': [[4198403, 'c3', 'ret', '']],
          '4198400': [
            [4198400, '31c0', 'xor', 'eax, eax'],
            [4198402, '90', 'nop', ''],
          ],
        },
        apirefs: {},
        blockrefs: { '4198400': [4198403] },
        inrefs: [],
        outrefs: {},
        metadata: {
          binweight: 4.0,
          characteristics: null,
          confidence: null,
          function_name: 'start',
          nesting_depth: 0,
          pic_hash: 18000497171858941483n,
          strongly_connected_components: [],
          tfidf: null,
        },
      },
    },
  };
}

/** JSON text with bigints written as plain integer literals. */
function toText(report: unknown): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === 'bigint' ? `#BIG${value}#` : value)).replace(/"#BIG(\d+)#"/g, '$1');
}

function assertRejected(input: string | object, field: string, message: RegExp): void {
  assert.throws(
    () => parseSmdaReport(input),
    (error: unknown) => {
      assert.ok(error instanceof SmdaReportError, `expected SmdaReportError, got ${String(error)}`);
      assert.equal(error.field, field);
      assert.match(error.message, message);
      assert.ok(error.message.startsWith(`${field}: `));
      return true;
    },
  );
}

test('every fixture report parses, functions and blocks in ascending address order', () => {
  for (const name of FIXTURE_REPORTS) {
    const report = fixtureReport(name);
    assert.equal(report.functions.length, goldenFunctions(name).length, name);
    for (let i = 1; i < report.functions.length; i++) assert.ok(report.functions[i - 1]!.offset < report.functions[i]!.offset);
    for (const fn of report.functions) {
      for (let i = 1; i < fn.blocks.length; i++) assert.ok(fn.blocks[i - 1]!.start < fn.blocks[i]!.start);
    }
  }
});

test('the model of example_report.smda', () => {
  const report = fixtureReport('example_report');
  assert.equal(report.architecture, 'intel');
  assert.equal(report.baseAddr, 0n);
  assert.equal(report.binarySize, 3528n);
  assert.equal(report.bitness, 32);
  assert.equal(report.sha256, 'ae38ff0778fb8dfa1deb17301a15165934312648d232d167cd0c0034c24689e1');
  assert.equal(report.smdaVersion, '1.5.12');
  assert.equal(report.storedPicHashesAreCurrent, false);
  assert.equal(report.timestamp, '2021-02-04T15-13-54');
  assert.equal(report.metadata.binweight, 6262);
  assert.equal(report.metadata.isLibrary, false);
  assert.equal(report.metadata.version, '');
  assert.equal(report.statistics.numFunctions, 10);
  assert.equal(report.statistics.numInstructions, 1984);
  assert.equal(report.statistics.numThunkFunctions, null);

  const fn = functionAt(report, 0x164);
  assert.equal(fn.metadata.functionName, '___local_stdio_printf_options');
  assert.equal(fn.metadata.binweight, 6);
  assert.equal(fn.metadata.storedPicHash, 1760340561492551839n);
  assert.deepEqual(fn.inRefs, [2235n]);
  assert.deepEqual(fn.blocks, [
    {
      start: 0x164n,
      instructions: [
        { offset: 0x164n, bytes: 'b82c1a0000', mnemonic: 'mov', operands: 'eax, 0x1a2c' },
        { offset: 0x169n, bytes: 'c3', mnemonic: 'ret', operands: '' },
      ],
    },
  ]);
  assert.equal(fn.isExported, false);
  assert.equal(fn.stringRefs, undefined);
});

test('PicHashes above 2^53 are read exactly from JSON text', () => {
  const report = fixtureReport('crossarch_aarch64_a');
  assert.equal(report.storedPicHashesAreCurrent, true);
  const golden = goldenFunctions('crossarch_aarch64_a');
  report.functions.forEach((fn, i) => assert.equal(String(fn.metadata.storedPicHash), golden[i]!.pichash));
  assert.ok(report.functions.some((fn) => fn.metadata.storedPicHash! > BigInt(Number.MAX_SAFE_INTEGER)));
  assert.equal(functionAt(report, 0x100003438).metadata.storedPicHash, 0x0d4cf1a7154cbd20n);
});

test('64-bit addresses above 2^53 stay exact', () => {
  const report = minimalReport();
  report['base_addr'] = 0xffffffff81000000n;
  const fn = report['xcfg']['4198400'];
  fn.offset = 0xffffffff81000000n;
  fn.blocks = { '18446744071578845184': [[0xffffffff81000000n, 'c3', 'ret', '']] };
  report['xcfg'] = { '18446744071578845184': fn };
  const parsed = parseSmdaReport(toText(report));
  assert.equal(parsed.baseAddr, 0xffffffff81000000n);
  assert.equal(parsed.functions[0]!.offset, 0xffffffff81000000n);
  assert.equal(parsed.functions[0]!.blocks[0]!.start, 0xffffffff81000000n);
  assert.equal(parsed.functions[0]!.blocks[0]!.instructions[0]!.offset, 0xffffffff81000000n);
});

test('a parsed object is accepted with bigints, refused with integers that lost precision', () => {
  const parsed = parseSmdaReport(minimalReport());
  assert.equal(parsed.functions[0]!.metadata.storedPicHash, 18000497171858941483n);
  assert.deepEqual(parsed.functions[0]!.blockRefs, new Map([[4198400n, [4198403n]]]));

  const lossy = JSON.parse(fixtureText('example_report_3'));
  assertRejected(lossy, 'xcfg.56.metadata.pic_hash', /lost precision/);
});

test('metadata defaults, optional function keys, blocks sorted by address', () => {
  const report = minimalReport();
  delete report['metadata'];
  const parsed = parseSmdaReport(toText(report));
  assert.deepEqual(parsed.metadata, { binweight: 0, component: null, family: null, filename: null, isLibrary: null, isBuffer: null, version: null });
  assert.deepEqual(
    parsed.functions[0]!.blocks.map((block) => block.start),
    [4198400n, 4198403n],
  );
});

test('truncated JSON is refused as a whole', () => {
  assertRejected(fixtureText('example_report_3').slice(0, 5000), 'report', /^report: not valid JSON/);
  assertRejected('', 'report', /not valid JSON/);
});

test('a document that is not an object is refused', () => {
  assertRejected('[1, 2]', 'report', /expected an object, got an array of 2/);
  assertRejected([], 'report', /expected an object/);
});

test('missing required keys are named', () => {
  for (const key of ['xcfg', 'architecture', 'base_addr', 'sha256', 'smda_version', 'statistics', 'timestamp']) {
    const report = minimalReport();
    delete report[key];
    assertRejected(toText(report), key, new RegExp(`^${key}: missing$`));
  }
  const report = minimalReport();
  delete report['xcfg']['4198400'].metadata.function_name;
  assertRejected(toText(report), 'xcfg.4198400.metadata.function_name', /missing/);
  delete report['statistics'].num_functions;
  assertRejected(toText(report), 'statistics.num_functions', /missing/);
});

test('values of the wrong type are named', () => {
  const cases: [string, (report: Record<string, any>) => void, RegExp][] = [
    ['base_addr', (r) => (r['base_addr'] = '0x400000'), /expected an unsigned 64-bit integer, got "0x400000"/],
    ['base_addr', (r) => (r['base_addr'] = -1), /expected an unsigned 64-bit integer, got -1/],
    ['binary_size', (r) => (r['binary_size'] = 1.5), /expected an unsigned 64-bit integer, got 1.5/],
    ['bitness', (r) => (r['bitness'] = 48), /expected one of 16, 32, 64, got 48/],
    ['sha256', (r) => (r['sha256'] = 'abc'), /expected 64 hex digits/],
    ['timestamp', (r) => (r['timestamp'] = '2024-01-15 10:30:00'), /expected YYYY-MM-DDTHH-MM-SS/],
    ['statistics.num_functions', (r) => (r['statistics'].num_functions = '1'), /expected a non-negative integer/],
    ['metadata.is_library', (r) => (r['metadata'].is_library = 'yes'), /expected true or false, got "yes"/],
    ['xcfg', (r) => (r['xcfg'] = []), /expected an object, got an array of 0/],
    ['xcfg.main', (r) => (r['xcfg'] = { main: r['xcfg']['4198400'] }), /expected a decimal address as key, got "main"/],
    ['xcfg.4198400.offset', (r) => (r['xcfg']['4198400'].offset = null), /expected an unsigned 64-bit integer, got null/],
    ['xcfg.4198400.blocks', (r) => (r['xcfg']['4198400'].blocks = [[]]), /expected an object/],
    ['xcfg.4198400.blocks.0x10', (r) => (r['xcfg']['4198400'].blocks = { '0x10': [] }), /expected a decimal address as key/],
    ['xcfg.4198400.blocks.4198400', (r) => (r['xcfg']['4198400'].blocks['4198400'] = {}), /expected an array, got an object/],
    ['xcfg.4198400.metadata.binweight', (r) => (r['xcfg']['4198400'].metadata.binweight = 'a'), /expected a number, got "a"/],
    ['xcfg.4198400.metadata.pic_hash', (r) => (r['xcfg']['4198400'].metadata.pic_hash = 2n ** 64n), /expected an unsigned 64-bit integer, got 18446744073709551616/],
    ['xcfg.4198400.inrefs[0]', (r) => (r['xcfg']['4198400'].inrefs = ['x']), /expected an unsigned 64-bit integer/],
    ['xcfg.4198400.outrefs.4198400[0]', (r) => (r['xcfg']['4198400'].outrefs = { '4198400': [true] }), /expected an unsigned 64-bit integer, got true/],
    ['xcfg.4198400.apirefs.1', (r) => (r['xcfg']['4198400'].apirefs = { '1': 5 }), /expected a string, got 5/],
  ];
  for (const [field, mutate, message] of cases) {
    const report = minimalReport();
    mutate(report);
    assertRejected(toText(report), field, message);
  }
});

test('malformed instructions are named', () => {
  const withInstruction = (instruction: unknown) => {
    const report = minimalReport();
    report['xcfg']['4198400'].blocks['4198400'].push(instruction);
    return toText(report);
  };
  const shape = /^xcfg\.4198400\.blocks\.4198400\[2\]: expected \[offset, hexbytes, mnemonic, op_str\]/;
  assertRejected(withInstruction([4198404, 'c3', 'ret']), 'xcfg.4198400.blocks.4198400[2]', shape);
  assertRejected(withInstruction({ offset: 1 }), 'xcfg.4198400.blocks.4198400[2]', shape);
  assertRejected(withInstruction(['4198404', 'c3', 'ret', '']), 'xcfg.4198400.blocks.4198400[2][0]', /unsigned 64-bit integer/);
  assertRejected(withInstruction([4198404, 'c3', 'ret', null]), 'xcfg.4198400.blocks.4198400[2][3]', /expected a string, got null/);
});

test('instruction bytes must be an even number of hex digits', () => {
  for (const bytes of ['abc', 'c', '', 'zz', '0x90', 'c3 ']) {
    const report = minimalReport();
    report['xcfg']['4198400'].blocks['4198400'][1] = [4198402, bytes, 'nop', ''];
    assertRejected(toText(report), 'xcfg.4198400.blocks.4198400[1][1]', /expected hex bytes \(a non-empty, even number of hex digits\)/);
  }
});

test('unsupported architectures are refused with the supported list', () => {
  for (const architecture of ['dalvik', 'x86', 'Intel', '']) {
    const report = minimalReport();
    report['architecture'] = architecture;
    assertRejected(toText(report), 'architecture', new RegExp(`unsupported architecture "${architecture}" \\(supported: intel, aarch64, cil\\)`));
  }
  const report = minimalReport();
  report['architecture'] = 64;
  assertRejected(toText(report), 'architecture', /expected a string, got 64/);
});

test('nesting_depth is required only when the stored PicHash is kept, as in SMDA', () => {
  const current = minimalReport();
  delete current['xcfg']['4198400'].metadata.nesting_depth;
  assertRejected(toText(current), 'xcfg.4198400.metadata.nesting_depth', /missing/);

  const recomputed = minimalReport();
  recomputed['smda_version'] = '1.5.12';
  delete recomputed['xcfg']['4198400'].metadata.nesting_depth;
  const parsed = parseSmdaReport(toText(recomputed));
  assert.equal(parsed.storedPicHashesAreCurrent, false);
  assert.equal(parsed.functions[0]!.metadata.nestingDepth, null);
});

test('a version SMDA cannot read aborts the load', () => {
  const report = minimalReport();
  report['smda_version'] = '4.2.12-dev';
  assertRejected(toText(report), 'smda_version', /expected a version of integers, got "4.2.12-dev"/);
});
