import type { TSchema } from 'typebox';
import type { SampleStore } from '../storage/sample-store.js';
import type { JobParameters } from './types.js';

/** What a running job sees. `run` executes in an executor thread, off the server's event loop. */
export interface JobContext {
  jobId: string;
  attempt: number;
  parameters: JobParameters;
  /** The uploaded input, when the job has one. */
  input: Uint8Array | null;
  /** Reports progress as a fraction 0..1; cheap to call often (writes are throttled). */
  progress(fraction: number): void;
  /**
   * For methods that store data: runs `write` and finishes the job with its outcome as the result,
   * in one transaction under the job's fence (nothing is written if the job was deleted or
   * reclaimed meanwhile). Return its outcome from `run`. Without it, the job finishes with what
   * `run` returns.
   */
  commit<R>(write: (samples: SampleStore) => Promise<R>): Promise<R>;
  /** For methods that read the collection: runs `read` with every read seeing one state of it (a snapshot). */
  read<R>(read: (samples: SampleStore) => Promise<R>): Promise<R>;
  /** The result of another job (parsed JSON), or undefined while it has none. */
  jobResult(jobId: string): Promise<unknown>;
}

/** An error class, for `instanceof`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** A result already serialised as JSON text (for results whose number formatting matters). */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * A job method: a named unit of work. A method module's default export is one method or an array
 * of them; the registry loads modules by specifier, in the server and in every executor thread.
 */
export interface JobMethod {
  name: string;
  /** JSON schema of the named parameters. */
  parameters: TSchema;
  /** Returns the job's result (JSON-serialisable or `JsonText`, or undefined for none); throws to fail the attempt. */
  run(context: JobContext): unknown;
  /** Its result is a matching report: `compact` drops the function-level matches (`matches.functions`). */
  matchingReport?: boolean;
  /**
   * Errors that running the job again cannot fix (its input is malformed, what it refers to is
   * gone): such a failure ends the job at once instead of using its remaining attempts.
   */
  permanentErrors?: readonly ErrorClass[];
}
