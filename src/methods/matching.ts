import { Type, type TProperties } from 'typebox';
import { JsonText, type JobContext, type JobMethod } from '../jobs/method.js';
import type { JobParameters } from '../jobs/types.js';
import type { MatchSubject } from '../matching/matcher.js';
import { runMatch, storedSample, type MatchRun } from '../matching/match-run.js';
import { MATCHING_PARAMETERS, matchingParameters } from '../matching/parameters.js';
import { querySubject } from '../matching/query-subject.js';
import { stringifyReport, type MatcherType } from '../matching/report.js';
import { disassembleInput } from './add-binary-sample.js';
import { BAD_INPUT_ERRORS } from './bad-input-errors.js';
import { prepareSample } from '../samples/prepare-sample.js';
import type { SampleStore } from '../storage/sample-store.js';

/**
 * The matching jobs: a stored sample against the collection, against one or a group of samples,
 * and an SMDA report that is not stored (a query) against the collection. Each reads one snapshot
 * of the collection, so an ingest running meanwhile is either wholly seen or not at all.
 */

const sampleIdParameter = (name: string) => Type.Integer({ minimum: 0, title: name });

async function reportText(context: JobContext, samples: SampleStore, run: MatchRun, progressFrom = 0): Promise<JsonText> {
  const { report } = await runMatch(samples, run, matchingParameters(context.parameters), (f) => context.progress(progressFrom + (1 - progressFrom) * f));
  return new JsonText(stringifyReport(report));
}

/** A matching job over stored samples: `others` undefined = the whole collection. */
function storedSampleMatcher(name: string, properties: TProperties, describe: (parameters: JobParameters) => { own: number; others?: number[]; type: MatcherType; label: string }): JobMethod {
  return {
    name,
    matchingReport: true,
    permanentErrors: BAD_INPUT_ERRORS,
    parameters: Type.Object({ ...properties, ...MATCHING_PARAMETERS }, { additionalProperties: false }),
    run: (context) => {
      const { own, others, type, label } = describe(context.parameters);
      return context.read(async (samples) => {
        const ownSample = await storedSample(samples, own);
        const otherSamples = others && (await Promise.all(others.map((id) => storedSample(samples, id))));
        const otherFunctions = otherSamples && (await Promise.all(otherSamples.map((s) => samples.matchableFunctions(s.id)))).flat();
        const subject: MatchSubject = { ownSampleId: own, ownFamilyId: ownSample.familyId, ownFunctions: await samples.matchableFunctions(own), otherFunctions };
        return reportText(context, samples, { type, label, ownSample, subject, otherSamples });
      });
    },
  };
}

export const getMatchesForSample = storedSampleMatcher('getMatchesForSample', { sample_id: sampleIdParameter('sample_id') }, (p) => ({
  own: p.sample_id as number,
  type: 'matcher_sample',
  label: `MatcherSample(${p.sample_id})`,
}));

export const getMatchesForSampleVs = storedSampleMatcher(
  'getMatchesForSampleVs',
  { sample_id: sampleIdParameter('sample_id'), other_sample_id: sampleIdParameter('other_sample_id') },
  (p) => ({
    own: p.sample_id as number,
    others: [p.other_sample_id as number],
    type: 'matcher_vs',
    label: `MatcherVs(${p.sample_id}, ${p.other_sample_id})`,
  }),
);

export const getMatchesForSampleVsGroup = storedSampleMatcher(
  'getMatchesForSampleVsGroup',
  { sample_id: sampleIdParameter('sample_id'), other_sample_ids: Type.Array(sampleIdParameter('other_sample_ids'), { maxItems: 10_000 }) },
  (p) => ({
    own: p.sample_id as number,
    others: p.other_sample_ids as number[],
    type: 'matcher_vs_group',
    label: `MatcherVsGroup(${p.sample_id}, [${(p.other_sample_ids as number[]).join(', ')}])`,
  }),
);

/** A query job: a report (JSON text, from the input) matched against the collection, not stored. */
function queryMethod(name: string, extraParameters: TProperties, reportOf: (context: JobContext) => Promise<string>): JobMethod {
  return {
    name,
    matchingReport: true,
    permanentErrors: BAD_INPUT_ERRORS,
    parameters: Type.Object({ ...extraParameters, ...MATCHING_PARAMETERS }, { additionalProperties: true }),
    run: async (context) => {
      if (!context.input) throw new Error(`${name} needs its input (the report or the binary)`);
      const text = await reportOf(context);
      const sample = prepareSample(text, { username: 'query', labelTimestamp: '', onProgress: (fraction) => context.progress(0.3 + fraction * 0.1) });
      const { ownSample, subject } = querySubject(sample);
      const run: MatchRun = { type: 'matcher_query', label: `MatcherQuery(${sample.sha256})`, ownSample, subject };
      return context.read((samples) => reportText(context, samples, run, 0.4));
    },
  };
}

/** An SMDA report (the job's input) matched against the collection without being stored. */
export const getMatchesForSmdaReport = queryMethod('getMatchesForSmdaReport', {}, async (context) => Buffer.from(context.input!).toString('utf8'));

const BINARY_PARAMETERS = {
  bitness: Type.Optional(Type.Union([Type.Literal(32), Type.Literal(64)])),
};

/** A PE or ELF file (the job's input), disassembled in-process, matched without being stored. */
export const getMatchesForUnmappedBinary = queryMethod('getMatchesForUnmappedBinary', BINARY_PARAMETERS, (context) =>
  disassembleInput(context.input!, context.parameters, (fraction) => context.progress(fraction * 0.3)),
);

/** A memory image loaded at `base_addr` (decimal text), disassembled in-process, matched without being stored. */
export const getMatchesForMappedBinary = queryMethod(
  'getMatchesForMappedBinary',
  { ...BINARY_PARAMETERS, base_addr: Type.String({ pattern: '^[0-9]{1,16}$' }) },
  (context) => disassembleInput(context.input!, { ...context.parameters, is_dump: true }, (fraction) => context.progress(fraction * 0.3)),
);
