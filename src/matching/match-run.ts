import type { SampleRecord } from '../samples/types.js';
import type { SampleStore } from '../storage/sample-store.js';
import { findMatches, type MatchStats, type MatchSubject, type MatchTables } from './matcher.js';
import { buildReport, type MatchReport, type MatcherType } from './report.js';
import { DEFAULT_MATCHING_BUDGET, type MatchingBudget, type MatchingParameters } from './types.js';

/** One matching run, from subject to report: what the matching jobs and the synchronous routes share. */
export interface MatchRun {
  type: MatcherType;
  /** `MatcherSample(1)`, ... */
  label: string;
  ownSample: SampleRecord;
  subject: MatchSubject;
  otherSamples?: SampleRecord[];
}

/** A sample the collection no longer has (deleted while it was being read). */
export class MissingSampleError extends Error {
  constructor(readonly sampleId: number) {
    super(`no sample with id ${sampleId}`);
  }
}

export async function storedSample(samples: SampleStore, id: number): Promise<SampleRecord> {
  const sample = await samples.getSample(id);
  if (!sample) throw new MissingSampleError(id);
  return sample;
}

/** Every sample the match tables refer to, by id. */
async function referencedSamples(samples: SampleStore, tables: MatchTables, known: readonly SampleRecord[]): Promise<Map<number, SampleRecord>> {
  const records = new Map(known.map((sample) => [sample.id, sample]));
  for (const table of [tables.all, tables.picHash, tables.minHash]) {
    for (const row of table.values()) {
      for (const { foreignSampleId } of row.values()) {
        if (!records.has(foreignSampleId)) records.set(foreignSampleId, await storedSample(samples, foreignSampleId));
      }
    }
  }
  return records;
}

export async function runMatch(
  samples: SampleStore,
  run: MatchRun,
  parameters: MatchingParameters,
  progress: (fraction: number) => void = () => {},
  budget: MatchingBudget = DEFAULT_MATCHING_BUDGET,
): Promise<{ report: MatchReport; stats: MatchStats }> {
  const startedAt = new Date();
  const tables = await findMatches(run.subject, samples, parameters, budget, progress);
  const report = buildReport({
    type: run.type,
    parameters: run.label,
    ownSample: run.ownSample,
    ownFunctions: run.subject.ownFunctions,
    tables,
    samples: await referencedSamples(samples, tables, [run.ownSample, ...(run.otherSamples ?? [])]),
    startedAt,
    otherSamples: run.otherSamples,
  });
  return { report, stats: tables.stats };
}
