/**
 * Writes the SMDA 4.4.4-shaped report (reference §5; the model `parseSmdaReport` validates) from the
 * found functions. PicHashes are computed here with the project's Intel escaper over SMDA's image
 * bounds, which is why the report can declare `smda_version` 4.4.4: its stored PicHashes are what
 * SMDA 4.4.4 computes for these blocks.
 */
import { createHash } from 'node:crypto';
import { INTEL_ESCAPER } from '../minhash/escaping/intel-escaper.js';
import { picHash } from '../minhash/pichash.js';
import { indentJson } from '../smda/json-indent.js';
import { stringifyWithIntegerTokens } from '../smda/lossless-json.js';
import type { SmdaBlock } from '../smda/types.js';
import { VERSION } from '../version.js';
import { stronglyConnectedComponents } from './cfg.js';
import type { FoundFunction, FunctionFinder } from './function-finder.js';
import type { LoadedBinary } from './types.js';

export const SMDA_VERSION = '4.4.4';

export interface ReportInput {
  file: Uint8Array;
  binary: LoadedBinary;
  finder: FunctionFinder;
  filename: string;
  /** Seconds spent in the analysis (loading excluded, as SMDA counts). */
  executionTime: number;
}

/** `%Y-%m-%dT%H-%M-%S`, UTC. */
function smdaTimestamp(date = new Date()): string {
  return date.toISOString().slice(0, 19).replaceAll(':', '-');
}

const digest = (algorithm: string, bytes: Uint8Array) => createHash(algorithm).update(bytes).digest('hex');
const sortedNumbers = (values: Iterable<number>) => [...values].sort((a, b) => a - b);

/** Capstone's text is plain ASCII without quotes or backslashes; anything else goes through JSON.stringify. */
const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const jsonString = (text: string) => (PLAIN_TEXT.test(text) ? `"${text}"` : JSON.stringify(text));
/** Mnemonics are few and repeat: their JSON text once each. */
const mnemonicJson = new Map<string, string>();
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Lower-case hex of `size` image bytes from `offset` (a few bytes: cheaper than Buffer#toString). */
function hexOf(image: Uint8Array, offset: number, size: number): string {
  let hex = '';
  for (let i = offset; i < offset + size; i++) hex += HEX_BYTES[image[i]!];
  return hex;
}

const numberList = (values: readonly number[]) => `[${values.join(',')}]`;

/** `{"key":value,...}` of numeric keys, in the order given (ascending, as JSON.stringify orders them). */
function numberKeyed<T>(keys: readonly number[], value: (key: number) => T, json: (value: T) => string): string {
  return `{${keys.map((key) => `"${key}":${json(value(key))}`).join(',')}}`;
}

/**
 * A function of `xcfg` (SMDA's `SmdaFunction.toDict`) as JSON text, written directly: through
 * objects and JSON.stringify it cost twice as much (measured on a 3 MB ELF, 7,000 functions). Keys
 * in SMDA's order; numeric keys ascending, as JSON.stringify would order them.
 */
function functionJson(fn: FoundFunction, input: ReportInput): { json: string; binweight: number } {
  const { binary, finder } = input;
  const { analysis, graph, candidate } = fn;
  const { image } = binary;
  const base = binary.baseAddr;
  const end = base + image.length;
  const blocks: string[] = [];
  const smdaBlocks: SmdaBlock[] = [];
  const outrefs: string[] = [];
  let binweight = 0;
  for (const block of graph.blocks) {
    const rows: string[] = [];
    // Addresses do not enter the PicHash (only escaped bytes do): no bigint per instruction.
    const hashed: SmdaBlock = { start: 0n, instructions: [] };
    const { instructions } = block;
    for (let i = 0; i < instructions.length; i++) {
      const ins = instructions[i]!;
      const bytes = hexOf(image, ins.address - base, ins.size);
      let mnemonic = mnemonicJson.get(ins.mnemonic);
      if (mnemonic === undefined) mnemonicJson.set(ins.mnemonic, (mnemonic = jsonString(ins.mnemonic)));
      rows.push(`[${ins.address},"${bytes}",${mnemonic},${jsonString(ins.operands)}]`);
      hashed.instructions.push({ offset: 0n, bytes, mnemonic: ins.mnemonic, operands: ins.operands });
      binweight += ins.size;
      const targets = analysis.refs.get(ins.address);
      if (targets === undefined) continue;
      // Nearly every ref is the fall-through to the block's next instruction: known inside without a lookup.
      const next = instructions[i + 1]?.address;
      let outside: number[] | undefined;
      for (const t of targets) {
        if (t !== next && t >= base && t < end && (t === fn.start || !analysis.instructions.has(t))) (outside ??= []).push(t);
      }
      if (outside) outrefs.push(`"${ins.address}":${numberList(outside.sort((a, b) => a - b))}`);
    }
    blocks.push(`"${block.start}":[${rows.join(',')}]`);
    smdaBlocks.push(hashed);
  }
  const bounds = { lower: BigInt(base), upper: BigInt(end), bitness: binary.bitness };
  const metadata = [
    `"binweight":${binweight}`,
    `"characteristics":${candidate ? JSON.stringify(candidate.characteristics()) : 'null'}`,
    // SMDA's confidence and TF-IDF need its MSVC mnemonic histograms; nothing in MCRIT reads them.
    '"confidence":null',
    `"function_name":${JSON.stringify(binary.functionNames.get(fn.start) ?? '')}`,
    `"pic_hash":${picHash({ blocks: smdaBlocks }, INTEL_ESCAPER, bounds)}`,
    '"nesting_depth":null',
    `"strongly_connected_components":[${stronglyConnectedComponents(graph.blockRefs).map(numberList).join(',')}]`,
    '"tfidf":null',
  ];
  const json = [
    `{"offset":${fn.start}`,
    `"blocks":{${blocks.join(',')}}`,
    `"apirefs":${numberKeyed(sortedNumbers(analysis.apiRefs.keys()), (address) => analysis.apiRefs.get(address)!, JSON.stringify)}`,
    '"stringrefs":{}',
    `"blockrefs":${numberKeyed(graph.blocks.map((b) => b.start), (start) => graph.blockRefs.get(start) ?? [], numberList)}`,
    `"inrefs":${numberList(finder.inRefs(fn.start))}`,
    `"outrefs":{${outrefs.join(',')}}`,
    `"is_exported":${binary.exportedFunctions.has(fn.start)}`,
    '"architecture_metadata":{}',
    `"metadata":{${metadata.join(',')}}}`,
  ].join(',');
  return { json, binweight };
}

function statistics(functions: FoundFunction[], finder: FunctionFinder): Record<string, number> {
  let blocks = 0;
  let instructions = 0;
  let apiCalls = 0;
  let calls = 0;
  for (const fn of functions) {
    blocks += fn.graph.blocks.length;
    instructions += fn.analysis.instructions.size;
    apiCalls += fn.analysis.apiRefs.size;
    calls += finder.inRefs(fn.start).length;
  }
  return {
    num_functions: functions.length,
    num_recursive_functions: functions.filter((fn) => fn.analysis.isRecursive).length,
    num_leaf_functions: functions.filter((fn) => fn.analysis.isLeaf).length,
    num_thunk_functions: functions.filter((fn) => fn.analysis.isThunk).length,
    num_basic_blocks: blocks,
    num_instructions: instructions,
    num_api_calls: apiCalls,
    num_function_calls: calls,
    num_failed_functions: finder.failedFunctions,
    num_failed_instructions: 0,
  };
}

/** Stands for `xcfg` in the report object until its text is put in. */
const XCFG_PLACEHOLDER = '\u0000xcfg';

/**
 * The report as JSON text, PicHashes exact (unsigned 64-bit); `indent` as JSON.stringify's (SMDA
 * writes 1), compact by default. Indented, members keep their order: xcfg in analysis order, as
 * SMDA's report object has them.
 */
export function writeReport(input: ReportInput, indent?: number): string {
  const { file, binary, finder } = input;
  const functions = [...finder.functions.values()];
  const xcfg: string[] = [];
  let binweight = 0;
  for (const fn of functions) {
    const { json, binweight: bytes } = functionJson(fn, input);
    binweight += bytes;
    xcfg.push(`"${fn.start}":${json}`);
  }
  const dataRefs = functions.flatMap((fn) => fn.analysis.dataRefs.map(([from, to]): [number, number] => [from, to]));
  const report = {
    architecture: 'intel',
    abi: binary.abi,
    base_addr: binary.baseAddr,
    binary_size: binary.image.length,
    bitness: binary.bitness,
    code_areas: binary.codeAreas,
    code_sections: binary.sections.map(([start, end]) => ['', start, end]),
    confidence_threshold: 0.0,
    disassembler: `mcrit-ts ${VERSION}`,
    disassembly_errors: {},
    execution_time: input.executionTime,
    identified_alignment: finder.candidates.identifiedAlignment,
    message: finder.timedOut ? 'Analysis was stopped when running into the timeout.' : 'Analysis finished regularly.',
    metadata: {
      binweight,
      component: '',
      family: '',
      filename: input.filename,
      is_buffer: binary.format === 'dump',
      is_library: false,
      version: '',
    },
    oep: binary.oep,
    pe_header_hash: binary.peHeaderHash,
    sha256: digest('sha256', file),
    sha1: digest('sha1', file),
    md5: digest('md5', file),
    smda_version: SMDA_VERSION,
    statistics: statistics(functions, finder),
    status: finder.timedOut ? 'timeout' : 'ok',
    timestamp: smdaTimestamp(),
    xcfg: XCFG_PLACEHOLDER,
    xdata_refs_from: dataRefs.sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    xdata_refs_to: [...dataRefs].sort((a, b) => a[1] - b[1] || a[0] - b[0]),
    xheader: Buffer.from(binary.headerBytes).toString('hex'),
    xmetadata: {
      exported_functions: sortedNumbers(binary.exportedFunctions),
      imported_functions: Object.fromEntries(sortedNumbers(binary.importSlots.keys()).map((slot) => [slot, binary.importSlots.get(slot)!.listed])),
      symbols: Object.fromEntries(sortedNumbers(binary.functionNames.keys()).map((address) => [address, binary.functionNames.get(address)])),
      tls_callbacks: binary.tlsCallbacks,
    },
  };
  const text = stringifyWithIntegerTokens(report).replace(JSON.stringify(XCFG_PLACEHOLDER), () => `{${xcfg.join(',')}}`);
  return indent === undefined ? text : indentJson(text, indent);
}
