import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonText, type JobContext, type JobMethod } from '../../src/jobs/method.js';
import type { JobParameters } from '../../src/jobs/types.js';
import { prepareSample } from '../../src/samples/prepare-sample.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { FIXTURES_DIR, fixtureText } from '../smda/fixtures.js';
import { tempDir } from './harness.js';

/** A collection built as MCRIT built the golden matching collections, and matching methods run on it. */

export interface GoldenCollection {
  /** Report files in insertion order. */
  order: string[];
  families: Record<string, string | null>;
  sample_ids: Record<string, number>;
  /** `sample:<report>` and `vs:<a>:<b>` → MCRIT's report (duration and timestamp removed). */
  reports: Record<string, any>;
}

export type Architecture = 'intel' | 'aarch64' | 'cil';

export function goldenCollection(architecture: Architecture): { golden: GoldenCollection; text: string } {
  const text = readFileSync(join(FIXTURES_DIR, 'golden', `matching_${architecture}.golden.json`), 'utf8');
  return { golden: JSON.parse(text), text };
}

export interface TestCollection {
  storage: SqliteStorage;
  /** Report file → our sample id. */
  sampleIds: Map<string, number>;
  close(): Promise<void>;
}

/** Adds the reports in this order (with their families) to a fresh SQLite store. */
export async function buildCollection(order: readonly string[], families: Record<string, string | null> = {}): Promise<TestCollection> {
  const dir = tempDir();
  const storage = new SqliteStorage(join(dir.path, 'mcrit.sqlite'));
  const sampleIds = new Map<string, number>();
  for (const file of order) {
    const family = families[file] ?? undefined;
    const sample = prepareSample(fixtureText(file.replace(/\.smda$/, '')), {
      overrides: family === undefined ? {} : { family },
      username: 'test',
      labelTimestamp: '2024-01-01T00:00:00',
    });
    sampleIds.set(file, (await storage.samples.addSample(sample)).sample.id);
  }
  return {
    storage,
    sampleIds,
    async close() {
      await storage.close();
      dir.remove();
    },
  };
}

/** Runs a matching method on the collection, as a worker would, and returns its result's JSON text. */
export async function runMatching(method: JobMethod, collection: TestCollection, parameters: JobParameters, input?: string): Promise<string> {
  const { samples } = collection.storage;
  const context: JobContext = {
    jobId: 'test',
    attempt: 1,
    parameters,
    input: input === undefined ? null : Buffer.from(input),
    progress: () => {},
    commit: () => Promise.reject(new Error('matching does not store')),
    read: (read) => samples.snapshot(read),
    jobResult: async () => undefined,
  };
  const result = await method.run(context);
  if (!(result instanceof JsonText)) throw new Error(`${method.name} did not return JSON text`);
  return result.text;
}
