import { deflateRawSync } from 'node:zlib';
import { hashFunction } from '../minhash/hash-function.js';
import { integerToken, parseJsonWithIntegerTokens, stringifyWithIntegerTokens } from '../smda/lossless-json.js';
import { parseSmdaReport } from '../smda/parse-report.js';
import { SmdaReportError } from '../smda/smda-report-error.js';
import type { SmdaReport, SmdaStatistics } from '../smda/types.js';
import type { FunctionLabel, NewFunction, NewSample } from './types.js';

/** What the submitter may set over the report's own metadata. */
export interface SampleOverrides {
  family?: string;
  filename?: string;
  version?: string;
  isLibrary?: boolean;
}

export interface PrepareOptions {
  overrides?: SampleOverrides;
  /** Author of the labels made from function names. */
  username: string;
  /** UTC, YYYY-MM-DDTHH:MM:SS */
  labelTimestamp: string;
  onProgress?: (fraction: number) => void;
}

type RawObject = Record<string, unknown>;

/** MCRIT labels a function by its name unless the name is empty or a placeholder (`sub_401000`). */
const PLACEHOLDER_NAME = /^sub_[a-fA-F0-9]{1,16}/;

function statisticsOf(statistics: SmdaStatistics): Record<string, number | null> {
  return {
    num_functions: statistics.numFunctions,
    num_recursive_functions: statistics.numRecursiveFunctions,
    num_leaf_functions: statistics.numLeafFunctions,
    num_thunk_functions: statistics.numThunkFunctions,
    num_basic_blocks: statistics.numBasicBlocks,
    num_instructions: statistics.numInstructions,
    num_api_calls: statistics.numApiCalls,
    num_function_calls: statistics.numFunctionCalls,
    num_failed_functions: statistics.numFailedFunctions,
    num_failed_instructions: statistics.numFailedInstructions,
  };
}

/** Parses an SMDA report (JSON text), validating it; throws SmdaReportError naming the first bad field. */
export function readReport(text: string): { report: SmdaReport; raw: RawObject } {
  let raw: unknown;
  try {
    raw = parseJsonWithIntegerTokens(text);
  } catch (error) {
    throw new SmdaReportError('report', `not valid JSON (${(error as Error).message})`);
  }
  return { report: parseSmdaReport(raw as object), raw: raw as RawObject };
}

/**
 * Hashes every function of a report and shapes the sample as it will be stored: MinHash signature
 * and band hashes, PicHash (recomputed where SMDA would), PicBlockHashes, labels, and each
 * function's code (`xcfg`) with the PicHash in force.
 */
export function prepareSample(text: string, options: PrepareOptions): NewSample {
  const { report, raw } = readReport(text);
  const rawFunctions = new Map(Object.entries(raw['xcfg'] as RawObject).map(([key, fn]) => [BigInt(key), fn as RawObject]));
  const overrides = options.overrides ?? {};
  const functions = report.functions.map((fn, i): NewFunction => {
    const hashes = hashFunction(report, fn);
    const xcfg = rawFunctions.get(fn.offset)!;
    const metadata = xcfg['metadata'] as RawObject;
    const xcfgJson = stringifyWithIntegerTokens({
      ...xcfg,
      metadata: { ...metadata, pic_hash: hashes.picHash === null ? null : integerToken(hashes.picHash) },
    });
    const name = fn.metadata.functionName;
    const labels: FunctionLabel[] =
      name !== '' && !PLACEHOLDER_NAME.test(name) ? [{ label: name, username: options.username, timestamp: options.labelTimestamp }] : [];
    if (options.onProgress && i % 64 === 63) options.onProgress((i + 1) / report.functions.length);
    return {
      offset: fn.offset,
      functionName: name,
      architecture: report.architecture,
      numInstructions: hashes.numInstructions,
      numBlocks: hashes.numBlocks,
      binweight: hashes.binweight,
      picHash: hashes.picHash,
      minhash: hashes.minhash,
      bandHashes: hashes.bandHashes,
      picBlockHashes: hashes.picBlockHashes,
      labels,
      // Compressed here, in the job, not in the store: the store's write transaction serializes
      // jobs. measured: API, 2 workers, 30 synthetic reports (11,307 functions): 1,584 -> 2,273
      // functions/s (x1.43, same run, loaded machine); POSTs wait less for the write lock.
      xcfgDeflated: deflateRawSync(xcfgJson, { level: 1 }),
    };
  });
  return {
    sha256: report.sha256.toLowerCase(),
    family: overrides.family ?? report.metadata.family ?? '',
    architecture: report.architecture,
    baseAddr: report.baseAddr,
    binarySize: report.binarySize,
    binweight: report.metadata.binweight,
    bitness: report.bitness,
    component: report.metadata.component ?? '',
    filename: overrides.filename ?? report.metadata.filename ?? '',
    isLibrary: overrides.isLibrary ?? report.metadata.isLibrary ?? false,
    smdaVersion: report.smdaVersion ?? '',
    statistics: statisticsOf(report.statistics),
    timestamp: report.timestamp,
    version: overrides.version ?? report.metadata.version ?? '',
    functions,
  };
}
