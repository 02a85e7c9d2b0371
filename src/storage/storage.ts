import type { Fence } from '../jobs/types.js';
import type { SampleStore } from './sample-store.js';
import type { JobStore } from './store.js';

/** Where the data lives; each process and executor thread opens its own connection from it. */
export type StorageLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** The storage interface: the job queue and the collection, on one database. */
export interface Storage {
  readonly kind: StorageLocation['kind'];
  readonly jobs: JobStore;
  readonly samples: SampleStore;
  /**
   * Runs `write` and finishes the job with its outcome as result, in one transaction, under the
   * job's fence: if the job was deleted or reclaimed meanwhile, nothing of it is written.
   */
  commitJob<R>(
    fence: Fence,
    now: number,
    write: (samples: SampleStore) => Promise<R>,
    encodeResult: (result: R) => Uint8Array,
  ): Promise<{ committed: true; result: R } | { committed: false }>;
  close(): Promise<void>;
}

/** The write was not committed because the job's fence no longer holds (deleted or reclaimed). */
export class FenceLostError extends Error {
  constructor(fence: Fence) {
    super(`job ${fence.jobNumber} claim ${fence.claim} is no longer held: deleted or reclaimed`);
  }
}
