import type { StorageLocation } from '../storage/storage.js';
import type { JobParameters } from './types.js';

/** Messages between a worker pool and its executor threads. */
export interface RunMessage {
  type: 'run';
  jobId: string;
  jobNumber: number;
  claim: number;
  attempt: number;
  method: string;
  parameters: JobParameters;
  input: Uint8Array | null;
}

export type ExecutorMessage =
  | { type: 'ready' }
  | { type: 'progress'; jobNumber: number; claim: number; fraction: number }
  /** The job's result, compressed in the thread (off the pool's event loop), for the pool to store. */
  | { type: 'done'; jobNumber: number; claim: number; gzipJson: Uint8Array }
  /** The thread finished the job itself (`commit`); `accepted` false: its fence no longer held, nothing was written. */
  | { type: 'completed'; jobNumber: number; claim: number; accepted: boolean }
  /** `permanent`: an error of the method's `permanentErrors` (bad input): no retry. */
  | { type: 'failed'; jobNumber: number; claim: number; error: string; permanent: boolean };

export interface ExecutorData {
  methodModuleUrls: string[];
  storage: StorageLocation;
}
