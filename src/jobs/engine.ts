import { EventEmitter } from 'node:events';
import type { JobStore } from '../storage/store.js';
import { sha256Hex } from './job-keys.js';
import { newObjectId } from './object-id.js';
import type { MethodRegistry } from './registry.js';
import type { BulkDeleteCriteria, EnqueueOutcome, JobParameters } from './types.js';

export interface SubmitRequest {
  method: string;
  parameters: JobParameters;
  /** Uploaded bytes (a binary, a report): stored once by sha256, described in the job by sha256 and size. */
  input?: Uint8Array;
  dependsOn?: string[];
  forceRecalculation?: boolean;
  maxAttempts?: number;
}

export interface JobEngineEvents {
  /** A job was created: local workers may claim it now. */
  enqueued: [];
  /** Jobs were deleted: local workers stop the ones they run. */
  deleted: [];
}

/**
 * The producer and admin side of the queue: validates and submits jobs, deletes them, and tells
 * the local worker pool about both. Reads go to the store directly.
 */
export class JobEngine extends EventEmitter<JobEngineEvents> {
  constructor(
    readonly store: JobStore,
    readonly registry: MethodRegistry,
    private readonly defaultMaxAttempts = 3,
  ) {
    super();
  }

  async submit(request: SubmitRequest): Promise<EnqueueOutcome> {
    this.registry.validate(request.method, request.parameters);
    const now = Date.now();
    const input = request.input && { bytes: request.input, sha256: sha256Hex(request.input) };
    const parameters = input ? { ...request.parameters, sha256: input.sha256, size: input.bytes.byteLength } : request.parameters;
    const outcome = await this.store.enqueue(
      {
        method: request.method,
        parameters,
        input,
        dependsOn: request.dependsOn,
        maxAttempts: request.maxAttempts ?? this.defaultMaxAttempts,
        forceRecalculation: request.forceRecalculation ?? false,
      },
      newObjectId(now),
      now,
    );
    if (outcome.created) this.emit('enqueued');
    return outcome;
  }

  async deleteJob(id: string): Promise<number> {
    const deleted = await this.store.deleteJob(id);
    if (deleted > 0) this.emit('deleted');
    return deleted;
  }

  async deleteJobs(criteria: BulkDeleteCriteria): Promise<number> {
    const deleted = await this.store.deleteJobs(criteria);
    if (deleted > 0) this.emit('deleted');
    return deleted;
  }
}
