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
  /** `gzipJson` is the result's JSON text, compressed in the thread to keep the work off the main loop. */
  | { type: 'done'; jobNumber: number; claim: number; gzipJson: Uint8Array }
  | { type: 'failed'; jobNumber: number; claim: number; error: string };

export interface ExecutorData {
  methodModuleUrls: string[];
}
