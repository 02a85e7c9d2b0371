/**
 * `parseSmdaReport`: validates an SMDA report the way SMDA 4.4.4 loads it for MCRIT (reference 1.1–1.7)
 * and returns the typed model. Every key SMDA requires must be present (MCRIT additionally needs
 * `statistics` and `timestamp`); the first bad value is reported as an `SmdaReportError` naming it.
 */
import { parseJsonWithIntegerTokens } from './lossless-json.js';
import {
  childPath,
  fail,
  readAddressKey,
  readArray,
  readBoolean,
  readCount,
  readNullable,
  readNumber,
  readObject,
  readStoredText,
  readString,
  readUnsigned64,
  required,
  type JsonObject,
} from './json-reader.js';
import { parseSmdaFunction } from './parse-function.js';
import { SmdaReportError } from './smda-report-error.js';
import { storedPicHashesAreCurrent } from './smda-version.js';
import {
  SMDA_ARCHITECTURES,
  SMDA_BITNESSES,
  type SmdaArchitecture,
  type SmdaBitness,
  type SmdaReport,
  type SmdaReportMetadata,
  type SmdaStatistics,
} from './types.js';

const SHA256 = /^[0-9a-fA-F]{64}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}$/;

function parseText(text: string): unknown {
  try {
    return parseJsonWithIntegerTokens(text);
  } catch (error) {
    throw new SmdaReportError('report', `not valid JSON (${(error as Error).message})`);
  }
}

function readArchitecture(value: unknown): SmdaArchitecture {
  const architecture = readStoredText(value, 'architecture');
  if (!(SMDA_ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw new SmdaReportError('architecture', `unsupported architecture ${JSON.stringify(architecture)} (supported: ${SMDA_ARCHITECTURES.join(', ')})`);
  }
  return architecture as SmdaArchitecture;
}

function readBitness(value: unknown): SmdaBitness {
  if (!(SMDA_BITNESSES as readonly unknown[]).includes(value)) fail('bitness', `one of ${SMDA_BITNESSES.join(', ')}`, value);
  return value as SmdaBitness;
}

function readStatistics(value: unknown): SmdaStatistics {
  const statistics = readObject(value, 'statistics');
  const count = (key: string) => readCount(required(statistics, key, 'statistics'), childPath('statistics', key));
  const thunks = Object.hasOwn(statistics, 'num_thunk_functions') ? statistics['num_thunk_functions'] : null;
  return {
    numFunctions: count('num_functions'),
    numRecursiveFunctions: count('num_recursive_functions'),
    numLeafFunctions: count('num_leaf_functions'),
    numThunkFunctions: readNullable(thunks, 'statistics.num_thunk_functions', readCount),
    numBasicBlocks: count('num_basic_blocks'),
    numInstructions: count('num_instructions'),
    numApiCalls: count('num_api_calls'),
    numFunctionCalls: count('num_function_calls'),
    numFailedFunctions: count('num_failed_functions'),
    numFailedInstructions: count('num_failed_instructions'),
  };
}

function readMetadata(value: unknown): SmdaReportMetadata {
  const metadata = value === undefined ? {} : readObject(value, 'metadata');
  const optional = <T>(key: string, read: (value: unknown, path: string) => T): T | null =>
    Object.hasOwn(metadata, key) ? readNullable(metadata[key], childPath('metadata', key), read) : null;
  return {
    binweight: optional('binweight', readNumber) ?? 0,
    component: optional('component', readStoredText),
    family: optional('family', readStoredText),
    filename: optional('filename', readStoredText),
    isLibrary: optional('is_library', readBoolean),
    isBuffer: optional('is_buffer', readBoolean),
    version: optional('version', readStoredText),
  };
}

function readFunctions(value: unknown, picHashesAreCurrent: boolean): SmdaReport['functions'] {
  const functions = Object.entries(readObject(value, 'xcfg')).map(([key, fn]) => {
    const path = childPath('xcfg', key);
    readAddressKey(key, path);
    return parseSmdaFunction(fn, path, picHashesAreCurrent);
  });
  return functions.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
}

/**
 * Validates an SMDA report given as JSON text (parsed losslessly: PicHashes and 64-bit addresses stay
 * exact) or as an already parsed object (whose integers beyond 2^53 must then be bigints).
 * Throws `SmdaReportError` naming the first bad field.
 */
export function parseSmdaReport(input: string | object): SmdaReport {
  const report: JsonObject = readObject(typeof input === 'string' ? parseText(input) : input, 'report');
  const field = (key: string) => required(report, key, '');
  const optional = (key: string) => (Object.hasOwn(report, key) ? report[key] : undefined);

  const architecture = readArchitecture(field('architecture'));
  const baseAddr = readUnsigned64(field('base_addr'), 'base_addr');
  const binarySize = readUnsigned64(field('binary_size'), 'binary_size');
  const bitness = readBitness(field('bitness'));
  readNullable(field('code_areas'), 'code_areas', readArray);
  readNumber(field('confidence_threshold'), 'confidence_threshold');
  readObject(field('disassembly_errors'), 'disassembly_errors');
  readNumber(field('execution_time'), 'execution_time');
  readCount(field('identified_alignment'), 'identified_alignment');
  readString(field('message'), 'message');
  const metadata = readMetadata(optional('metadata'));
  const sha256 = readString(field('sha256'), 'sha256');
  if (!SHA256.test(sha256)) fail('sha256', '64 hex digits', sha256);
  const smdaVersion = readNullable(field('smda_version'), 'smda_version', readStoredText);
  const statistics = readStatistics(field('statistics'));
  readString(field('status'), 'status');
  const timestamp = readStoredText(field('timestamp'), 'timestamp');
  if (!TIMESTAMP.test(timestamp)) fail('timestamp', 'YYYY-MM-DDTHH-MM-SS', timestamp);
  const picHashesAreCurrent = storedPicHashesAreCurrent(smdaVersion, architecture);
  const functions = readFunctions(field('xcfg'), picHashesAreCurrent);

  return {
    architecture,
    baseAddr,
    binarySize,
    bitness,
    sha256,
    smdaVersion,
    storedPicHashesAreCurrent: picHashesAreCurrent,
    timestamp,
    statistics,
    metadata,
    functions,
  };
}
