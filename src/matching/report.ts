import type { SampleRecord } from '../samples/types.js';
import { sampleView } from '../samples/views.js';
import type { MatchTables } from './matcher.js';
import { stringifyPythonJson, type FloatRule } from './python-json.js';
import { aggregate, functionMatches, sampleSummaries, type Aggregation, type FunctionMatches, type SampleSummary } from './summary.js';
import type { MatchableFunction } from './types.js';

/** The matching report (reference 6.8; mcrit-api.md 7.1), in MCRIT's key order. */

/** MCRIT's matcher types, and `matcher_function` (one stored function against the collection, which MCRIT lacks). */
export type MatcherType = 'matcher_sample' | 'matcher_vs' | 'matcher_vs_group' | 'matcher_query' | 'matcher_query_function' | 'matcher_function';

export interface MatchReport {
  info: {
    job: { duration: number; timestamp: string; parameters: string };
    sample: ReturnType<typeof sampleView>;
    type: MatcherType;
  };
  matches: {
    aggregation: { minhash: Aggregation; pichash: Aggregation };
    functions?: FunctionMatches[];
    samples: SampleSummary[];
  };
  other_sample_info?: ReturnType<typeof sampleView>;
  other_sample_infos?: ReturnType<typeof sampleView>[];
}

export interface ReportInput {
  type: MatcherType;
  /** `MatcherSample(1)`, ... */
  parameters: string;
  ownSample: SampleRecord;
  ownFunctions: readonly MatchableFunction[];
  tables: MatchTables;
  /** Every sample a table refers to. */
  samples: ReadonlyMap<number, SampleRecord>;
  startedAt: Date;
  otherSamples?: SampleRecord[];
}

export function buildReport(input: ReportInput): MatchReport {
  const ownId = input.ownSample.id;
  const isLibrary = (sampleId: number) => input.samples.get(sampleId)?.isLibrary ?? false;
  const functions = functionMatches(input.tables.all, input.ownFunctions, ownId, isLibrary);
  const report: MatchReport = {
    info: {
      job: { duration: (Date.now() - input.startedAt.getTime()) / 1000, timestamp: localIsoTimestamp(input.startedAt), parameters: input.parameters },
      sample: sampleView(input.ownSample),
      type: input.type,
    },
    matches: {
      aggregation: {
        minhash: aggregate(input.tables.minHash, input.ownFunctions, ownId, isLibrary),
        pichash: aggregate(input.tables.picHash, input.ownFunctions, ownId, isLibrary),
      },
      functions,
      samples: sampleSummaries(functions, input.ownFunctions, input.samples),
    },
  };
  if (input.type === 'matcher_vs') report.other_sample_info = sampleView(input.otherSamples![0]!);
  if (input.type === 'matcher_vs_group') report.other_sample_infos = input.otherSamples!.map(sampleView);
  return report;
}

/** Python's `datetime.now().isoformat()`: local time with microseconds, no zone. */
function localIsoTimestamp(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}000`
  );
}

const FLOAT_KEYS = new Set(['duration', 'binweight', 'num_bytes', 'bytes_matched']);
/** Sums that start as Python's integer 0 and stay one until something is added. */
const SUM_KEYS = new Set(['bytes_matched']);

/** Which numbers of a report MCRIT writes as floats. */
const reportFloats: FloatRule = (path, value) => {
  const key = path[path.length - 1];
  const parent = path[path.length - 2];
  if (typeof key === 'number') return key === 3 && path[path.length - 3] === 'matches'; // a match tuple's score
  if (parent === 'percent') return true;
  if (parent === 'bytes' || SUM_KEYS.has(key!)) return value !== 0;
  return FLOAT_KEYS.has(key!);
};

/** The report as MCRIT's JSON text (floats written as floats). */
export function stringifyReport(report: MatchReport): string {
  return stringifyPythonJson(report, reportFloats);
}

/**
 * The report text without `matches.functions` (`compact=true`), cut from the text: the function
 * list holds only numbers and brackets, and is the only `"functions":[` after `"matches":{` (string
 * literals cannot contain an unescaped quote). Undefined when the text has no function list.
 */
export function dropFunctionMatches(text: string): string | undefined {
  const matchesAt = text.indexOf('"matches":{"aggregation":');
  if (matchesAt < 0) return undefined;
  const start = text.indexOf(',"functions":[', matchesAt);
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start + ',"functions":'.length; i < text.length; i++) {
    const char = text[i];
    if (char === '[' || char === '{') depth++;
    else if (char === ']' || char === '}') depth--;
    if (depth === 0) return text.slice(0, start) + text.slice(i + 1);
  }
  return undefined;
}
